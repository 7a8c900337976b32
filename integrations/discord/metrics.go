package discord

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics counts what the integration does, for Prometheus. A nil
// *Metrics counts nothing.
type Metrics struct {
	interactions *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	deferred     *prometheus.CounterVec
	rejected     *prometheus.CounterVec
	retries      *prometheus.CounterVec
}

// NewMetrics registers the integration's metrics on reg; a nil reg
// registers them nowhere.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		interactions: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_discord_interactions_total",
			Help: "Slash commands and clicks on their buttons answered, by command and outcome (ok, invalid, not_found, forbidden, refused, unavailable, error).",
		}, []string{"command", "outcome"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "docracy_discord_interaction_duration_seconds",
			Help:    "Time from a slash command's arrival to its result, by command.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 5, 10},
		}, []string{"command"}),
		deferred: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_discord_deferred_total",
			Help: "Slash commands answered with a deferral because their work outlasted the deadline, by command.",
		}, []string{"command"}),
		rejected: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_discord_http_rejected_total",
			Help: "Requests to POST /discord/interactions refused before routing, by reason.",
		}, []string{"reason"}),
		retries: f.NewCounterVec(prometheus.CounterOpts{
			Name: "docracy_discord_rest_retries_total",
			Help: "Calls to Discord's REST API retried, by reason (rate_limited, server_error).",
		}, []string{"reason"}),
	}
	return m
}

func (m *Metrics) observe(command, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.interactions.WithLabelValues(command, outcome).Inc()
	if outcome != outcomeRefused && outcome != outcomeForbidden {
		m.duration.WithLabelValues(command).Observe(d.Seconds())
	}
}

func (m *Metrics) deferral(command string) {
	if m != nil {
		m.deferred.WithLabelValues(command).Inc()
	}
}

func (m *Metrics) reject(reason string) {
	if m != nil {
		m.rejected.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) retry(reason string) {
	if m != nil {
		m.retries.WithLabelValues(reason).Inc()
	}
}
