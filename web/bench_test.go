package web_test

import (
	"context"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
	"github.com/docracy/docracy/web"
)

// benchServer serves the API and the dashboard over the shared
// 1,000,000-entry ledger, behind the same middleware as serve, with the
// clock at the ledger's end so that every window has entries. Nothing
// writes: the ledger is opened in place.
func benchServer(b *testing.B) *httptest.Server {
	b.Helper()
	at := func() time.Time { return ledgertest.Large.At }
	return benchServerOf(b, benchLedger(b, at), at, 0)
}

// benchLedger opens the shared 1,000,000-entry ledger on the clock at.
func benchLedger(b *testing.B, at func() time.Time) *ledger.Ledger {
	b.Helper()
	l, err := ledger.Open(context.Background(), ledgertest.Path(b, ledgertest.Large), ledger.Options{HalfLife: ledgertest.HalfLife, Now: at})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l
}

// benchServerOf serves l as benchServer does, on the clock at, with a
// dashboard keeping pageCache rendered pages (negative: none).
func benchServerOf(b *testing.B, l *ledger.Ledger, at func() time.Time, pageCache int) *httptest.Server {
	b.Helper()
	ctx := context.Background()
	bt := bot.New(l, ledgertest.Categories)
	bt.Now = at
	treasury := &bot.Treasury{Ledger: l, Now: at, Rules: bot.PayoutRules{
		Currency: "EUR", Decimals: 2, Period: bot.Monthly, Budget: big.NewInt(100000), Policy: bot.Balanced, Location: time.UTC,
	}}
	// serve verifies in the background; a page only reads the result.
	checker := &web.Checker{Ledger: l, Now: at, Logger: slog.New(slog.DiscardHandler)}
	if v, _ := checker.Check(ctx); !v.OK {
		b.Fatalf("fixture does not verify: %+v", v)
	}
	d := &web.Dashboard{Records: bt, Payouts: treasury, Checker: checker, Categories: ledgertest.Categories,
		HalfLife: ledgertest.HalfLife, Now: at, PageCacheSize: pageCache}
	mux := http.NewServeMux()
	(&api.Server{Records: bt, Payouts: treasury}).Routes(mux)
	d.Routes(mux)
	m := web.NewHTTPMetrics(prometheus.NewRegistry())
	srv := httptest.NewServer(web.SecureHeaders(m.Instrument(web.LimitBody(mux, 25<<20))))
	b.Cleanup(srv.Close)
	return srv
}

// BenchmarkDashboard measures whole requests through an httptest server
// (client, loopback, middleware, handler, rendering) on the 1M-entry
// ledger, and reports the median and 99th percentile of their durations.
func BenchmarkDashboard(b *testing.B) {
	srv := benchServer(b)
	for _, bench := range []struct{ name, path string }{
		{"home", "/"},
		{"home-30d-code", "/?window=30d&category=code"},
		{"member", "/members/4242"},
		{"api-leaderboard-all", "/api/v1/leaderboard?window=all"},
	} {
		b.Run(bench.name, func(b *testing.B) {
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				resp, err := srv.Client().Get(srv.URL + bench.path)
				if err != nil {
					b.Fatal(err)
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				took = append(took, time.Since(start))
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d, %v", bench.path, resp.StatusCode, err)
				}
			}
			slices.Sort(took)
			b.ReportMetric(percentile(took, 50), "p50-ms")
			b.ReportMetric(percentile(took, 99), "p99-ms")
		})
	}
}

// percentile is the p-th percentile of sorted durations, in milliseconds
// (nearest rank).
func percentile(sorted []time.Duration, p int) float64 {
	i := max(0, (len(sorted)*p+99)/100-1)
	return float64(sorted[i]) / float64(time.Millisecond)
}
