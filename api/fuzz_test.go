package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/bot"
)

// FuzzQuery sends the API's read endpoints any query and any member id,
// as anyone on the internet may. Every answer is a complete JSON body: a
// 200 with what was asked (a page of entries in seq order after the seq
// asked for, no more than the limit; a leaderboard of ranked standings),
// or a 400 or 404 whose error names what is wrong. Never a 5xx, never an
// empty 200.
func FuzzQuery(f *testing.F) {
	for _, seed := range [][2]string{
		{"after=0&limit=1", "1"}, {"after=9223372036854775808", "github:alice"}, {"limit=1e3&after=-1", "discord:abc"},
		{"window=30d&category=doc&limit=2", "0"}, {"window=ALL", "-1"}, {"window=7d&window=all&limit=%00", "github:"},
		{"category=%ff%fe&after=%201", "discord:123456789012345678"}, {"limit=100&limit=1", "99999999999999999999"},
	} {
		f.Add(seed[0], seed[1])
	}
	b, _ := newBot(f)
	seed(f, b)
	h := (&api.Server{Records: b}).Handler()
	f.Fuzz(func(t *testing.T, query, member string) {
		if strings.ContainsAny(member, "/?#%") || member == "" || member == "." || member == ".." {
			t.Skip("a member id is one path segment, which the mux does not clean away")
		}
		checkEntriesPage(t, h, query)
		for _, path := range []string{"/api/v1/leaderboard?" + query, "/api/v1/members/" + member} {
			answer(t, h, path)
		}
	})
}

// answer sends GET path to h and checks what every answer of the API must
// be: a 200, 400 or 404 with a JSON body, an error one saying something.
func answer(t *testing.T, h http.Handler, path string) (int, []byte) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.URL.Path, r.URL.RawQuery, _ = strings.Cut(path, "?")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.Bytes()
	var e struct{ Error string }
	switch w.Code {
	case http.StatusOK:
		if !json.Valid(body) || len(body) == 0 {
			t.Fatalf("GET %s: 200 with the body %q", path, body)
		}
	case http.StatusBadRequest, http.StatusNotFound:
		if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
			t.Fatalf("GET %s: %d with the body %q, want an error that says why", path, w.Code, body)
		}
	default:
		t.Fatalf("GET %s: %d %q", path, w.Code, body)
	}
	return w.Code, body
}

// checkEntriesPage checks a page of entries against its query: after the
// seq asked for, in order, within the limit (100 when none is given).
func checkEntriesPage(t *testing.T, h http.Handler, query string) {
	path := "/api/v1/entries?" + query
	code, body := answer(t, h, path)
	if code != http.StatusOK {
		return
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	asked, _ := url.ParseQuery(query) // as the server reads it
	after, _ := strconv.ParseInt(asked.Get("after"), 10, 64)
	limit, err := strconv.Atoi(asked.Get("limit"))
	if err != nil {
		limit = bot.DefaultEntriesLimit
	}
	prev := after
	for _, e := range p.Entries {
		if e.Seq <= prev {
			t.Fatalf("GET %s: seq %d after seq %d", path, e.Seq, prev)
		}
		prev = e.Seq
	}
	if len(p.Entries) > limit || p.NextAfter < after {
		t.Fatalf("GET %s: %d entries for limit %d, next_after %d", path, len(p.Entries), limit, p.NextAfter)
	}
}
