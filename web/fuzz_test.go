package web_test

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// FuzzPages asks the dashboard for its pages with any query and any path
// parameter, as anyone on the internet may. Every answer is a whole HTML
// page (200, or a 400 or 404 that says why), none runs a script or shows
// markup from the request, and none is a 5xx.
func FuzzPages(f *testing.F) {
	for _, seed := range [][2]string{
		{"window=30d&category=doc", "1"}, {"window=ALL", "github:alice"}, {"category=%3Cscript%3E", "<script>alert(1)</script>"},
		{"window=7d&window=all", "2026-02"}, {"category=%ff", "p1"}, {"window=%00", "discord:123456789012345678"},
	} {
		f.Add(seed[0], seed[1])
	}
	fx := newFixture(f)
	h := fx.dashboard.Handler()
	var pages strings.Builder
	for _, path := range []string{"/", "/polls", "/members/1", "/members/999999", "/payouts/2026-02"} {
		pages.WriteString(checkPage(f, h, path))
	}
	plain := pages.String() // markup the pages hold whatever is asked
	f.Fuzz(func(t *testing.T, query, param string) {
		if strings.ContainsAny(param, "/?#%") || param == "" || param == "." || param == ".." {
			t.Skip("a path parameter is one path segment, which the mux does not clean away")
		}
		values, _ := url.ParseQuery(query)
		given := append(slices.Concat(slices.Collect(maps.Values(values))...), param)
		for _, path := range []string{"/?" + query, "/members/" + param, "/polls/" + param, "/payouts/" + param, "/polls?" + query} {
			page := checkPage(t, h, path)
			for _, g := range given {
				if tagOpener.MatchString(g) && strings.Contains(page, g) && !strings.Contains(plain, g) {
					t.Fatalf("GET %q shows %q unescaped", path, g)
				}
			}
		}
	})
}

// tagOpener is what starts markup: a value holding one must show escaped.
var tagOpener = regexp.MustCompile(`<[A-Za-z!/?]`)

// checkPage sends GET path to h, checks the page it answers and returns
// it.
func checkPage(t testing.TB, h http.Handler, path string) string {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.URL.Path, r.URL.RawQuery, _ = strings.Cut(path, "?")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body := w.Body.String()
	switch {
	case w.Code != http.StatusOK && w.Code != http.StatusBadRequest && w.Code != http.StatusNotFound:
		t.Fatalf("GET %q: %d", path, w.Code)
	case !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || !strings.HasSuffix(strings.TrimSpace(body), "</html>"):
		t.Fatalf("GET %q: %d %q, not a whole HTML page", path, w.Code, w.Header().Get("Content-Type"))
	case strings.Contains(body, "<script"):
		t.Fatalf("GET %q: the page runs a script", path)
	}
	return body
}
