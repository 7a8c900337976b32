// Package githubtest is GitHub's REST API for tests: a stateful fake
// served over real HTTP on loopback, which answers as GitHub does (pages
// with Link headers, rate limits, profiles) and records every request, so
// a test drives the real go-github client against it and checks what was
// asked.
package githubtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Faults an API can be told to inject at a page of the pull request list.
const (
	FaultSecondary  = "secondary" // a 403 secondary rate limit with Retry-After, a minute long
	FaultBadGateway = "502"       // a 502 Bad Gateway
)

// Clock is the time the API keeps its rate limits by; give it the clock
// of the client under test so that the client's waits move both.
type Clock interface{ Now() time.Time }

// User is a GitHub profile, as GET /users/{login} answers it.
type User struct {
	Login string
	ID    int64
	Bio   string
}

// Request is what the API recorded of a request.
type Request struct {
	Path   string
	Query  url.Values
	Auth   string
	Status int
	Fault  string // the fault injected, if any
}

// API is GitHub's REST API for one repository, docracy/coop (id 4242),
// under /api/v3 as on GitHub Enterprise, as far as docracy reads it: the
// pull request list and reviews, and user profiles. It behaves like the
// real one (see integrations/github/testdata/github/rest/
// paginate-issues.normalized-fixture.json): Link headers with rel="next",
// "last", "first" and "prev"; X-RateLimit-* headers counting down a budget
// of requests per hour, then 403 with X-RateLimit-Remaining: 0 until the
// reset; a 403 secondary rate limit with Retry-After, during which every
// request is refused again; and faults injected at chosen pages of the
// pull request list. It records every request.
type API struct {
	tb     testing.TB
	clock  Clock
	server *httptest.Server

	mu        sync.Mutex
	pulls     []map[string]any // pull requests as the list returns them
	reviews   map[int][]map[string]any
	users     map[string]User // by lower-case login
	delay     time.Duration   // before each answer
	limit     int             // requests per hour
	remaining int             // left in this hour
	reset     time.Time       // when the hour ends
	faults    map[int][]string
	blocked   time.Time // the end of a secondary rate limit
	requests  []Request
	tooEarly  int         // requests sent during a rate limit
	resets    []time.Time // the reset announced by each primary rate limit refusal
}

// Repository of the API.
const (
	Owner  = "docracy"
	Name   = "coop"
	RepoID = 4242
	prefix = "/api/v3"
)

// New serves an API allowing limit requests an hour on loopback until the
// test ends; clock nil is the real time.
func New(tb testing.TB, clock Clock, limit int) *API {
	if clock == nil {
		clock = realClock{}
	}
	a := &API{tb: tb, clock: clock, limit: limit,
		reviews: map[int][]map[string]any{}, users: map[string]User{}, faults: map[int][]string{}}
	a.server = httptest.NewServer(a)
	tb.Cleanup(a.server.Close)
	return a
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// URL is the API's base URL, as github.api_url gives it.
func (a *API) URL() string { return a.server.URL + prefix + "/" }

// Client is an HTTP client for the API.
func (a *API) Client() *http.Client { return a.server.Client() }
