package github_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is the time of a test, shared by the client and the fake API:
// the client's sleeps move it instead of waiting.
type fakeClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// fakeAPI is GitHub's REST API for one repository, as far as reconcile
// reads it, behaving like the real one (see
// testdata/github/rest/paginate-issues.normalized-fixture.json): Link
// headers with rel="next", "last", "first" and "prev"; X-RateLimit-*
// headers counting down a budget of requests per hour, then 403 with
// X-RateLimit-Remaining: 0 until the reset; a 403 secondary rate limit
// with Retry-After, during which every request is refused again; and
// faults injected at chosen pages of the pull request list. It records
// every request.
type fakeAPI struct {
	t      testing.TB
	clock  *fakeClock
	prefix string // the API's path, /api/v3 as on GitHub Enterprise

	repoID      int64
	owner, name string
	pulls       []map[string]any // pull requests as the list returns them
	reviews     map[int][]map[string]any

	mu        sync.Mutex
	limit     int              // requests per hour
	remaining int              // left in this hour
	reset     time.Time        // when the hour ends
	faults    map[int][]string // by page of the list: the faults of its next requests, in order
	blocked   time.Time        // the end of a secondary rate limit
	requests  []apiRequest
	tooEarly  int         // requests sent during a rate limit
	resets    []time.Time // the reset announced by each primary rate limit refusal
}

// apiRequest is what the fake API recorded of a request.
type apiRequest struct {
	Path   string
	Query  url.Values
	Auth   string
	Status int
	Fault  string // the fault injected, if any
}

const (
	faultSecondary  = "secondary"
	faultBadGateway = "502"
)

func newFakeAPI(t testing.TB, clock *fakeClock, limit int) *fakeAPI {
	return &fakeAPI{
		t: t, clock: clock, prefix: "/api/v3", repoID: 4242, owner: "docracy", name: "coop",
		reviews: map[int][]map[string]any{}, limit: limit, faults: map[int][]string{},
	}
}

// start serves the fake API on loopback and returns its base URL, as
// github.api_url would give it.
func (f *fakeAPI) start() string {
	srv := httptest.NewServer(f)
	f.t.Cleanup(srv.Close)
	return srv.URL + f.prefix + "/"
}

var (
	pullsPath   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls$`)
	reviewsPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/([0-9]+)/reviews$`)
)

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	req := apiRequest{Path: r.URL.Path, Query: r.URL.Query(), Auth: r.Header.Get("Authorization")}
	req.Status, req.Fault = f.respond(w, r)
	f.requests = append(f.requests, req)
}

func (f *fakeAPI) respond(w http.ResponseWriter, r *http.Request) (status int, fault string) {
	now := f.clock.Now()
	if !now.Before(f.reset) {
		f.remaining, f.reset = f.limit, now.Add(time.Hour).Truncate(time.Second)
	}
	path := strings.TrimPrefix(r.URL.Path, f.prefix)
	if pullsPath.MatchString(path) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if faults := f.faults[max(page, 1)]; len(faults) > 0 {
			fault, f.faults[max(page, 1)] = faults[0], faults[1:]
		}
	}
	switch {
	case now.Before(f.blocked):
		f.tooEarly++
		return f.secondaryLimit(w), faultSecondary
	case fault == faultSecondary:
		f.blocked = now.Add(time.Minute)
		return f.secondaryLimit(w), fault
	case fault == faultBadGateway:
		return f.write(w, http.StatusBadGateway, map[string]any{"message": "Server Error"}, nil), fault
	case f.remaining == 0:
		if len(f.resets) > 0 && f.resets[len(f.resets)-1].Equal(f.reset) {
			f.tooEarly++ // refused before, and asked again before the reset
		}
		f.resets = append(f.resets, f.reset)
		return f.write(w, http.StatusForbidden, map[string]any{
			"message":           "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)",
			"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
		}, nil), ""
	}
	f.remaining--
	if m := pullsPath.FindStringSubmatch(path); m != nil && f.isRepo(m[1], m[2]) {
		return f.list(w, r, f.listPulls(r.URL.Query())), ""
	}
	if m := reviewsPath.FindStringSubmatch(path); m != nil && f.isRepo(m[1], m[2]) {
		number, _ := strconv.Atoi(m[3])
		return f.list(w, r, f.reviews[number]), ""
	}
	return f.write(w, http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, nil), ""
}

func (f *fakeAPI) isRepo(owner, name string) bool {
	return strings.EqualFold(owner, f.owner) && strings.EqualFold(name, f.name)
}

// listPulls filters and sorts the pull requests as the query asks, with
// GitHub's defaults: open, by creation, descending.
func (f *fakeAPI) listPulls(q url.Values) []map[string]any {
	state, sortBy, direction := q.Get("state"), q.Get("sort"), q.Get("direction")
	if state == "" {
		state = "open"
	}
	if sortBy == "" {
		sortBy = "created"
	}
	if direction == "" {
		direction = "desc"
		if sortBy != "created" {
			direction = "asc"
		}
	}
	var prs []map[string]any
	for _, pr := range f.pulls {
		if state == "all" || pr["state"] == state {
			prs = append(prs, pr)
		}
	}
	key := sortBy + "_at"
	sort.SliceStable(prs, func(i, j int) bool {
		if direction == "desc" {
			return prs[i][key].(string) > prs[j][key].(string)
		}
		return prs[i][key].(string) < prs[j][key].(string)
	})
	return prs
}

// list writes one page of items, per_page (default 30, at most 100) at a
// time, with the Link header GitHub sends.
func (f *fakeAPI) list(w http.ResponseWriter, r *http.Request, items []map[string]any) int {
	q := r.URL.Query()
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if perPage <= 0 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	last := max((len(items)+perPage-1)/perPage, 1)
	lo, hi := min((page-1)*perPage, len(items)), min(page*perPage, len(items))
	body := items[lo:hi]
	if body == nil {
		body = []map[string]any{}
	}
	return f.write(w, http.StatusOK, body, linkHeader(r, page, last))
}

// linkHeader is GitHub's Link header: prev, next, last, first, each
// present only where it leads somewhere, keeping the request's query.
func linkHeader(r *http.Request, page, last int) http.Header {
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) == 0 {
		return nil
	}
	return http.Header{"Link": {strings.Join(links, ", ")}}
}

func (f *fakeAPI) secondaryLimit(w http.ResponseWriter) int {
	wait := int(f.blocked.Sub(f.clock.Now()).Round(time.Second) / time.Second)
	return f.write(w, http.StatusForbidden, map[string]any{
		"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
	}, http.Header{"Retry-After": {strconv.Itoa(wait)}})
}

// write answers with the headers every GitHub API response carries.
func (f *fakeAPI) write(w http.ResponseWriter, status int, body any, extra http.Header) int {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("ETag", `"00000000000000000000000000000000"`)
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-RateLimit-Limit", strconv.Itoa(f.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(f.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(f.limit-f.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(f.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	for k, v := range extra {
		h[k] = v
	}
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(body); err != nil {
		f.t.Errorf("fake api: %v", err)
	}
	return status
}

// listedPages are the pages of the pull request list requested, in order,
// each with the status of its answer or the fault injected, e.g. "2:200",
// "2:403" (the primary rate limit), "3:secondary".
func (f *fakeAPI) listedPages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var pages []string
	for _, r := range f.requests {
		if pullsPath.MatchString(strings.TrimPrefix(r.Path, f.prefix)) {
			outcome := strconv.Itoa(r.Status)
			if r.Fault != "" {
				outcome = r.Fault
			}
			pages = append(pages, r.Query.Get("page")+":"+outcome)
		}
	}
	return pages
}

func (f *fakeAPI) recorded() []apiRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]apiRequest(nil), f.requests...)
}
