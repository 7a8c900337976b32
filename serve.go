package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/leader"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/redact"
)

// HTTP server limits: slow or oversized clients must not hold connections
// or memory. shutdownTimeout bounds how long in-flight requests may take
// to finish once a stop is asked for.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 20 * time.Second
)

func runServe(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "serve")
	listen := f.String("listen", "", "`ADDR` to listen on, overriding http.listen; port 0 picks a free port")
	logFormat := f.String("log-format", "", "log `FORMAT`, text or json, overriding log.format")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if *logFormat != "" {
		if err := checkFormat(*logFormat, "text", "json"); err != nil {
			return err
		}
	}
	cfg, err := f.loadConfig(e)
	if err != nil {
		return err
	}
	if *listen != "" {
		cfg.HTTP.Listen = *listen
	}
	if *logFormat != "" {
		cfg.Log.Format = *logFormat
	}
	return serve(ctx, cfg, newLogger(e.stderr, cfg.Log))
}

// serve runs the HTTP server until ctx ends (main ends it on SIGINT or
// SIGTERM), then lets in-flight requests finish and closes the ledger.
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	log.Info("docracy starting", "version", versionString(), "database", ledger.Describe(cfg.Database))
	log.Debug("configuration", "config", cfg) // secrets redacted by config
	if newLedgerFile(cfg.Database) {
		log.Info("creating a new ledger", "database", cfg.Database)
	}
	l, err := openLedger(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := l.Close(); err != nil {
			log.Error("close ledger", "err", err)
		}
	}()

	elector := newElector(cfg, log)
	b := bot.New(l, cfg.Scoring.Categories)
	b.Colleges, b.Logger = colleges(cfg), log
	mux := http.NewServeMux()
	treasury, err := newTreasury(cfg, l)
	if err != nil {
		return err
	}
	assembly := newAssembly(cfg, l, b)
	role := func() string { return leader.Role(elector) }
	(&api.Server{Records: b, Payouts: treasury, Polls: assembly, Role: role, Logger: log}).Routes(mux)
	metrics := newMetrics()
	registerLeader(metrics, elector)
	mux.Handle("GET /metrics", promhttp.HandlerFor(metrics, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}))
	logIntegrations(log, cfg)

	bg := newBackground(ctx)
	defer bg.stop() // before the ledger closes
	single := &singletons{}
	if err := startGitHub(single, cfg, l, mux, metrics, log); err != nil {
		return err
	}
	announcer, err := startDiscord(bg, single, cfg, l, b, assembly, mux, metrics, log)
	if err != nil {
		return err
	}
	if err := startDigest(single, cfg, l, metrics, log); err != nil {
		return err
	}
	startPollCloser(single, assembly, announcer, log)
	bg.Go(func(ctx context.Context) { elector.Run(ctx, single.lead) })
	handler := startWeb(bg, cfg, l, b, treasury, assembly, mux, metrics, log)
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w (change http.listen or pass --listen)", err)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// The real address: with port 0 the kernel chose it.
	log.Info("listening", "addr", ln.Addr().String())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	log.Info("stopped")
	return nil
}

// newMetrics is the Prometheus registry of this process; each part of the
// bot registers its own metrics on it.
func newMetrics() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// newLogger logs as the configuration says; config has already checked
// the level and format. Every line is redacted on its way out: an error
// quoting a URL with a token in it must not put the token in the log,
// whichever part of the code logged it.
func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.Level)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.Format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(redact.NewHandler(h))
}

// integration is an optional part of the bot, and whether it runs.
type integration struct {
	Name   string
	Status string // "on" or "off"
	Reason string // why, naming variables and never their values
}

// integrations says which parts run with this configuration; each
// switches on with its secret.
func integrations(cfg *config.Config) []integration {
	return []integration{
		githubWebhookStatus(cfg),
		discordGatewayStatus(cfg),
		discordInteractionsStatus(cfg),
		digestStatus(cfg),
	}
}

// logIntegrations names the variables, never their values.
func logIntegrations(log *slog.Logger, cfg *config.Config) {
	for _, in := range integrations(cfg) {
		log.Info("integration", "name", in.Name, "status", in.Status, "reason", in.Reason)
	}
}
