package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docracy/docracy/ledger"
)

// HTTPMetrics measures the server's requests.
type HTTPMetrics struct {
	latency *prometheus.HistogramVec
}

// latencyBuckets start at a millisecond: the pages and the API answer in a
// few, and the default buckets would put them all in the first one.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// NewHTTPMetrics registers the request metrics on reg.
func NewHTTPMetrics(reg prometheus.Registerer) *HTTPMetrics {
	m := &HTTPMetrics{latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "docracy_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern, method and status code.",
		Buckets: latencyBuckets,
	}, []string{"route", "method", "code"})}
	reg.MustRegister(m.latency)
	return m
}

// Instrument measures each request that next answers. The route label is
// the pattern the ServeMux matched, not the path, so that member ids and
// typos cannot grow the number of series. The mux records the pattern on
// the request it is given: next must be the mux, or reach it without
// copying the request (r.WithContext would hide the pattern).
func (m *HTTPMetrics) Instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		m.latency.WithLabelValues(route(r.Pattern), method(r.Method), strconv.Itoa(rec.status())).
			Observe(time.Since(start).Seconds())
	})
}

// route is the path part of a mux pattern ("GET /members/{id}" gives
// "/members/{id}"); requests no pattern matched share one label.
func route(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// method keeps the label to the methods HTTP defines.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer, for
// flushes and deadlines.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) status() int {
	if r.code == 0 {
		return http.StatusOK // nothing written: net/http sends 200
	}
	return r.code
}

// LedgerSize is what the ledger gauges read; *ledger.Ledger provides it.
type LedgerSize interface {
	Head(ctx context.Context) (ledger.Head, error)
	Members(ctx context.Context) ([]ledger.Member, error)
}

var _ LedgerSize = (*ledger.Ledger)(nil)

// LedgerCollector reports the ledger's size and its last verification at
// each scrape, read then rather than kept up to date by every writer.
type LedgerCollector struct {
	Ledger  LedgerSize
	Checker *Checker // nil: no verification metrics
	Logger  *slog.Logger
}

// scrapeTimeout bounds the queries of one scrape; Prometheus gives up
// after its own timeout anyway.
const scrapeTimeout = 5 * time.Second

var (
	entriesDesc  = prometheus.NewDesc("docracy_ledger_entries", "Entries in the ledger (the head's seq).", nil, nil)
	membersDesc  = prometheus.NewDesc("docracy_ledger_members", "Members in the ledger.", nil, nil)
	verifiedDesc = prometheus.NewDesc("docracy_ledger_verified",
		"1 when the last verification found the hash chain intact, 0 when it found it broken or could not finish.", nil, nil)
	verifiedSeqDesc = prometheus.NewDesc("docracy_ledger_verified_seq", "The head's seq at the last verification.", nil, nil)
	verifiedAtDesc  = prometheus.NewDesc("docracy_ledger_verification_timestamp_seconds",
		"When the last verification finished, in Unix seconds.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *LedgerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{entriesDesc, membersDesc, verifiedDesc, verifiedSeqDesc, verifiedAtDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. A failed query leaves its gauge
// out of the scrape rather than report a false zero.
func (c *LedgerCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if head, err := c.Ledger.Head(ctx); err != nil {
		orDiscard(c.Logger).Warn("metrics: ledger head", "err", err)
	} else {
		ch <- prometheus.MustNewConstMetric(entriesDesc, prometheus.GaugeValue, float64(head.Seq))
	}
	if members, err := c.Ledger.Members(ctx); err != nil {
		orDiscard(c.Logger).Warn("metrics: members", "err", err)
	} else {
		ch <- prometheus.MustNewConstMetric(membersDesc, prometheus.GaugeValue, float64(len(members)))
	}
	if c.Checker == nil {
		return
	}
	v, ok := c.Checker.Last()
	if !ok {
		return
	}
	verified := 0.0
	if v.OK {
		verified = 1
	}
	ch <- prometheus.MustNewConstMetric(verifiedDesc, prometheus.GaugeValue, verified)
	ch <- prometheus.MustNewConstMetric(verifiedSeqDesc, prometheus.GaugeValue, float64(v.Head.Seq))
	ch <- prometheus.MustNewConstMetric(verifiedAtDesc, prometheus.GaugeValue, float64(v.At.Unix()))
}
