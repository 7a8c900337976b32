package github

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the integration's Prometheus metrics. A nil *Metrics counts
// nothing.
type Metrics struct {
	webhooks   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	credits    *prometheus.CounterVec
	reconciles *prometheus.CounterVec
	waits      *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them on reg; a nil reg
// registers them nowhere.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		webhooks: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_github_webhooks_total",
			Help: "GitHub webhook deliveries by event and outcome.",
		}, []string{"event", "outcome"}),
		latency: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "docracy_github_webhook_seconds",
			Help:    "Time from receiving a GitHub webhook to answering it, by outcome.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"outcome"}),
		credits: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_github_credits_total",
			Help: "Ledger entries added from GitHub, by path (webhook or reconcile).",
		}, []string{"path"}),
		reconciles: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_github_reconcile_runs_total",
			Help: "Reconcile passes over one repository, by outcome (ok or error).",
		}, []string{"outcome"}),
		waits: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_github_api_waits_total",
			Help: "Waits before retrying a GitHub API request, by reason.",
		}, []string{"reason"}),
	}
	return m
}

func (m *Metrics) webhook(event, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.webhooks.WithLabelValues(event, outcome).Inc()
	m.latency.WithLabelValues(outcome).Observe(d.Seconds())
}

func (m *Metrics) credited(path string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.credits.WithLabelValues(path).Add(float64(n))
}

func (m *Metrics) reconciled(err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.reconciles.WithLabelValues(outcome).Inc()
}

func (m *Metrics) waited(reason string) {
	if m == nil {
		return
	}
	m.waits.WithLabelValues(reason).Inc()
}
