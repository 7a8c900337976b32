package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger/ledgertest"
)

// crowdClients is how many visitors ask for the front page at once, as
// when a digest or a poll sends a crowd to the dashboard.
const crowdClients = 200

// BenchmarkDashboardCrowd sends crowdClients concurrent visitors to the
// front page over real HTTP, on the 1,000,000-entry ledger and a clock
// that runs from the ledger's end (so that a kept page lasts one second,
// as in production), once to a dashboard that keeps no rendered page and
// once to one that does, in the same run. It reports both throughputs,
// their ratio (the goal: at least 5) and both 99th percentiles.
func BenchmarkDashboardCrowd(b *testing.B) {
	start := time.Now()
	at := func() time.Time { return ledgertest.Large.At.Add(time.Since(start)) }
	l := benchLedger(b, at)
	uncached, cached := benchServerOf(b, l, at, -1), benchServerOf(b, l, at, 0)
	for _, bench := range []struct{ name, path string }{{"home", "/"}, {"home-30d", "/?window=30d"}} {
		b.Run(bench.name, func(b *testing.B) {
			var before, after crowdRun
			for b.Loop() {
				before.add(crowd(b, uncached, bench.path, 600))
				after.add(crowd(b, cached, bench.path, 6000))
			}
			b.ReportMetric(before.perSecond(), "uncached-req/s")
			b.ReportMetric(after.perSecond(), "cached-req/s")
			b.ReportMetric(after.perSecond()/before.perSecond(), "cached/uncached")
			b.ReportMetric(before.p99(), "uncached-p99-ms")
			b.ReportMetric(after.p99(), "cached-p99-ms")
		})
	}
}

// crowdRun is what the requests of one or more crowds took.
type crowdRun struct {
	took    []time.Duration // each request's duration
	elapsed time.Duration   // first request sent to last answer, summed over the crowds
}

func (r *crowdRun) add(o crowdRun) {
	r.took = append(r.took, o.took...)
	r.elapsed += o.elapsed
}

func (r *crowdRun) perSecond() float64 { return float64(len(r.took)) / r.elapsed.Seconds() }

func (r *crowdRun) p99() float64 {
	slices.Sort(r.took)
	return percentile(r.took, 99)
}

// crowd sends requests GETs of path from crowdClients clients at once,
// each over its own kept-alive connection.
func crowd(b *testing.B, srv *httptest.Server, path string, requests int) crowdRun {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: crowdClients}}
	defer client.CloseIdleConnections()
	run := crowdRun{took: make([]time.Duration, requests)}
	var next atomic.Int64
	var wg sync.WaitGroup
	begin := time.Now()
	for range crowdClients {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(requests); i = next.Add(1) - 1 {
				sent := time.Now()
				if err := get(client, srv.URL+path); err != nil {
					b.Error(err)
					return
				}
				run.took[i] = time.Since(sent)
			}
		})
	}
	wg.Wait()
	run.elapsed = time.Since(begin)
	return run
}

// get reads a page whole and says why it failed, if it did.
func get(client *http.Client, url string) error {
	resp, err := client.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err == nil && (resp.StatusCode != http.StatusOK || n == 0) {
		err = &statusError{url, resp.StatusCode}
	}
	return err
}

type statusError struct {
	url    string
	status int
}

func (e *statusError) Error() string { return "GET " + e.url + ": " + http.StatusText(e.status) }
