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
	s, err := newServer(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer s.close()
	handler, err := s.mount()
	if err != nil {
		return err
	}
	s.bg.Go(func(ctx context.Context) { s.elector.Run(ctx, s.runSingletons) })
	return s.listenAndServe(ctx, handler)
}

// server is what serve runs: the ledger, the bot's services built once
// from the configuration, and the mux, registry, logger and background
// that every integration shares.
type server struct {
	cfg    *config.Config
	log    *slog.Logger
	ledger *ledger.Ledger

	bot       *bot.Bot
	treasury  *bot.Treasury
	assembly  *bot.Assembly
	community *bot.Community
	digests   *bot.Digests // nil when digest.schedule is empty

	mux     *http.ServeMux
	metrics *prometheus.Registry
	bg      *background
	// singletons are the jobs of which one instance at a time must run;
	// runSingletons starts them, for each term the elector grants.
	singletons []func(ctx context.Context)
	elector    leader.Elector
	// polls announces polls on Discord; nil when Discord is off.
	polls bot.PollAnnouncer
}

// newServer opens the ledger and builds the bot's services on it.
func newServer(ctx context.Context, cfg *config.Config, log *slog.Logger) (*server, error) {
	if newLedgerFile(cfg.Database) {
		log.Info("creating a new ledger", "database", cfg.Database)
	}
	l, err := openLedger(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &server{cfg: cfg, log: log, ledger: l, mux: http.NewServeMux(), metrics: newMetrics(), bg: newBackground(ctx),
		elector: newElector(cfg, log)}
	registerLeader(s.metrics, s.elector)
	if err := s.services(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

func (s *server) services() error {
	var err error
	s.bot = newBot(s.cfg, s.ledger, s.log)
	s.assembly = newAssembly(s.cfg, s.ledger, s.bot)
	if s.treasury, err = newTreasury(s.cfg, s.ledger); err != nil {
		return err
	}
	s.community = newCommunity(s.cfg, s.ledger, s.bot)
	// /link reads the GitHub profile it is asked to link.
	if s.community.GitHub, err = newGitHubClient(s.cfg, nil, s.log); err != nil {
		return err
	}
	if !s.cfg.Digest.Schedule.Off() {
		s.digests = digests(s.cfg, s.ledger)
	}
	return nil
}

// mount sets up each integration the configuration turns on, and
// returns the handler the HTTP server runs.
func (s *server) mount() (http.Handler, error) {
	logIntegrations(s.log, s.cfg)
	s.api()
	for _, integration := range []func() error{s.github, s.discord, s.digest} {
		if err := integration(); err != nil {
			return nil, err
		}
	}
	s.pollCloser() // after discord, which announces the polls
	return s.web(), nil
}

// close stops the background jobs, then closes the ledger they use.
func (s *server) close() {
	s.bg.stop()
	if err := s.ledger.Close(); err != nil {
		s.log.Error("close ledger", "err", err)
	}
}

// listenAndServe serves handler until ctx ends, then shuts down.
func (s *server) listenAndServe(ctx context.Context, handler http.Handler) error {
	ln, err := net.Listen("tcp", s.cfg.HTTP.Listen)
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
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	// The real address: with port 0 the kernel chose it.
	s.log.Info("listening", "addr", ln.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown(ctx, srv, errc)
}

// shutdown lets in-flight requests finish, for shutdownTimeout at most.
func (s *server) shutdown(ctx context.Context, srv *http.Server, errc <-chan error) error {
	s.log.Info("shutting down", "timeout", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	s.log.Info("stopped")
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
