package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
	"github.com/docracy/docracy/web"
)

// uncached serves f's ledger through a dashboard that keeps no page.
func (f *fixture) uncached(t *testing.T) *httptest.Server {
	d := &web.Dashboard{Records: f.bot, Payouts: f.treasury, Polls: f.assembly, Checker: f.checker,
		Categories: f.bot.Categories, Now: clock, PageCacheSize: -1}
	srv := httptest.NewServer(web.SecureHeaders(d.Handler()))
	t.Cleanup(srv.Close)
	return srv
}

// A front page served from the cache, to one visitor or to many at once,
// is the page a fresh render gives; a query the page reads the same way
// ("/" and "/?window=all", an unknown parameter) is the same page.
func TestHomeFromTheCacheIsAFreshRender(t *testing.T) {
	f := newFixture(t)
	fresh := f.uncached(t)
	paths := []string{"/", "/?window=all", "/?window=30d", "/?window=7d&category=doc", "/?category=doc&window=7d&utm_source=x"}
	for _, path := range paths {
		_, want := do(t, fresh, "GET", path, nil)
		var wg sync.WaitGroup
		bodies := make([]string, 20)
		for i := range bodies {
			wg.Go(func() { _, bodies[i] = f.get(t, "GET", path) })
		}
		wg.Wait()
		for i, got := range append(bodies, getBody(t, f, path)) {
			if got != want || !strings.Contains(got, "</html>") {
				t.Fatalf("GET %s, response %d, differs from a fresh render:\n%s\nwant\n%s", path, i, got, want)
			}
		}
	}
	if n := f.dashboard.CachedPages(); n != 3 {
		t.Errorf("%d pages kept for %d addresses of 3 pages", n, len(paths))
	}
}

func getBody(t *testing.T, f *fixture, path string) string {
	t.Helper()
	resp, body := f.get(t, "GET", path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return body
}

// After an append, the next front page shows the new entry.
func TestHomeAfterAnAppendShowsTheEntry(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/", "/?window=7d"} {
		before := getBody(t, f, path)
		note := "fixed the flaky test " + path
		f.credit(t, "github:alice", 1, "code", time.Minute, note, "")
		after := getBody(t, f, path)
		if strings.Contains(before, note) || !strings.Contains(after, note) {
			t.Fatalf("GET %s after crediting %q does not show it", path, note)
		}
		if _, want := do(t, f.uncached(t), "GET", path, nil); after != want {
			t.Fatalf("GET %s after an append differs from a fresh render", path)
		}
	}
}

// The clock alone changes a page: a credit leaves the 7-day board when
// it is eight days old, with no entry appended meanwhile.
func TestHomeFollowsTheClock(t *testing.T) {
	c := testkit.NewClock(now)
	l := ledgertest.Open(t, c.Now)
	b := bot.New(l, []string{"code"})
	b.Now = c.Now
	d := &web.Dashboard{Records: b, Payouts: &bot.Treasury{Ledger: l, Now: c.Now}, Categories: b.Categories, Now: c.Now}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	_, _, err := b.Credit(t.Context(), bot.CreditRequest{Member: "github:alice", Points: 3, Category: "code", At: now,
		Actor: "cli:test", Source: ledger.SourceCLI})
	if err != nil {
		t.Fatal(err)
	}
	if _, body := do(t, srv, "GET", "/?window=7d", nil); !strings.Contains(body, `<a href="/members/1">alice</a>`) {
		t.Fatalf("alice missing from the 7-day board:\n%s", body)
	}
	c.Advance(8 * day)
	if _, body := do(t, srv, "GET", "/?window=7d", nil); !strings.Contains(body, "Nobody earned points in the last 7 days") {
		t.Fatalf("an eight-day-old credit still on the 7-day board:\n%s", body)
	}
}

// Queries the page refuses or reads as another page's never enter the
// cache, and valid pages beyond its size push the oldest out.
func TestHostileQueriesDoNotGrowTheCache(t *testing.T) {
	f := newFixture(t)
	for i := range 300 {
		junk := url.QueryEscape(fmt.Sprintf("%d-%s", i, strings.Repeat("x", 2000)))
		for _, q := range []string{"window=" + junk, "category=" + junk, "window=30d&category=" + junk, junk + "=1"} {
			resp, _ := f.get(t, "GET", "/?"+q)
			if want := map[bool]int{true: http.StatusOK, false: http.StatusBadRequest}[strings.HasPrefix(q, junk)]; resp.StatusCode != want {
				t.Fatalf("GET /?%.40s…: %d, want %d", q, resp.StatusCode, want)
			}
		}
	}
	if n := f.dashboard.CachedPages(); n != 1 {
		t.Errorf("%d pages kept after hostile queries, want 1 (the front page)", n)
	}
	f.dashboard.PageCacheSize = 4
	srv := httptest.NewServer(f.dashboard.Handler())
	t.Cleanup(srv.Close)
	for _, w := range []string{"7d", "30d", "all"} {
		for _, c := range append([]string{""}, f.bot.Categories...) {
			do(t, srv, "GET", "/?window="+w+"&category="+c, nil)
		}
	}
	if n := f.dashboard.CachedPages(); n != 4 {
		t.Errorf("%d pages kept by a cache of 4", n)
	}
}
