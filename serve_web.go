package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/web"
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

// startWeb mounts the dashboard on mux, verifies the chain in the
// background, registers the web metrics, and returns the handler the
// server runs: mux behind the protections and measurements every
// response gets.
func startWeb(bg *background, cfg *config.Config, l *ledger.Ledger, b *bot.Bot, t *bot.Treasury, a *bot.Assembly,
	mux *http.ServeMux, reg prometheus.Registerer, log *slog.Logger) http.Handler {
	checker := web.NewChecker(l, log.With("part", "verify"))
	bg.Go(func(ctx context.Context) { checker.Run(ctx, verifyInterval) })
	d := &web.Dashboard{
		Records: b, Payouts: t, Polls: a, Checker: checker, Categories: cfg.Scoring.Categories,
		HalfLife: cfg.Scoring.HalfLife(), Location: cfg.Digest.Location(), Now: time.Now, Logger: log.With("part", "web"),
	}
	d.Routes(mux)
	reg.MustRegister(&web.LedgerCollector{Ledger: l, Checker: checker, Logger: log})
	m := web.NewHTTPMetrics(reg)
	// Refused bodies and recovered panics are measured too; the middlewares
	// keep the request the mux records its pattern on, which Instrument
	// reads. LimitBody refuses an oversized body before it takes any budget.
	budget := web.NewBodyBudget(bodyBudget, smallBodyReserve, smallBodyBytes)
	return web.SecureHeaders(m.Instrument(web.Recover(log, web.LimitBody(budget.Limit(mux), maxBodyBytes))))
}
