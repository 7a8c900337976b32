package main

import (
	"context"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/leader"
	"github.com/docracy/docracy/web"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const (
	// verifyInterval is how often the whole chain is re-verified for the
	// dashboard's mark: a million entries take seconds of one core.
	verifyInterval = time.Hour

	// maxBodyBytes bounds every request body: GitHub's cap on webhook
	// payloads, the largest body docracy accepts. Endpoints that expect
	// less (a Discord interaction is a few kilobytes) set their own limit.
	maxBodyBytes = 25 << 20

	// Request bodies in flight may hold bodyBudget bytes, room for two
	// bodies of the largest size, plus smallBodyReserve bytes kept for
	// bodies of at most smallBodyBytes, the size of every real webhook
	// delivery and interaction: a flood of large unsigned bodies is
	// answered 503 and cannot crowd out a signed delivery.
	bodyBudget       = 2 * maxBodyBytes
	smallBodyReserve = 16 << 20
	smallBodyBytes   = 1 << 20
)

// api mounts the JSON API and the health checks.
func (s *server) api() {
	a := &api.Server{Records: s.bot, Payouts: s.treasury, Polls: s.assembly, Logger: s.log,
		Role: func() string { return leader.Role(s.elector) }}
	a.Routes(s.mux)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics, promhttp.HandlerOpts{
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}))
}

// web mounts the dashboard, verifies the chain in the background,
// registers the web metrics, and returns the handler the server runs: the
// mux behind the protections and measurements every response gets.
func (s *server) web() http.Handler {
	checker := web.NewChecker(s.ledger, s.log.With("part", "verify"))
	checker.Release = debug.FreeOSMemory
	s.bg.Go(func(ctx context.Context) { checker.Run(ctx, verifyInterval) })
	d := &web.Dashboard{
		Records: s.bot, Payouts: s.treasury, Polls: s.assembly, Checker: checker, Categories: s.cfg.Scoring.Categories,
		HalfLife: s.cfg.Scoring.HalfLife(), Location: s.cfg.Digest.Location(), Now: time.Now, Logger: s.log.With("part", "web"),
	}
	d.Routes(s.mux)
	s.metrics.MustRegister(&web.LedgerCollector{Ledger: s.ledger, Checker: checker, Logger: s.log})
	m := web.NewHTTPMetrics(s.metrics)
	// Refused bodies and recovered panics are measured too; the middlewares
	// keep the request the mux records its pattern on, which Instrument
	// reads. LimitBody refuses an oversized body before it takes any budget.
	budget := web.NewBodyBudget(bodyBudget, smallBodyReserve, smallBodyBytes)
	return web.SecureHeaders(m.Instrument(web.Recover(s.log, web.LimitBody(budget.Limit(s.mux), maxBodyBytes))))
}
