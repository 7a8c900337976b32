package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/ledger"
)

// defaultConfig is read when --config is not given and the file exists.
const defaultConfig = "docracy.yaml"

// loadConfig reads the configuration the flags name: --config, else
// ./docracy.yaml if present, else the built-in defaults and the environment's
// secrets. --db overrides the database.
func (f *flags) loadConfig(e *env) (*config.Config, error) {
	path := f.config
	if path == "" {
		if _, err := os.Stat(defaultConfig); err == nil {
			path = defaultConfig
		}
	}
	cfg, err := config.Load(path, e.getenv)
	if err != nil {
		return nil, err
	}
	if f.db != "" {
		cfg.Database = f.db
	}
	return cfg, nil
}

// app is what the ledger commands work with.
type app struct {
	cfg    *config.Config
	ledger *ledger.Ledger
	bot    *bot.Bot
}

// open loads the configuration and opens the ledger. Only commands that
// write (create) may start a new ledger: reading a mistyped --db must fail,
// not answer from an empty database.
func (f *flags) open(ctx context.Context, e *env, create bool) (*app, error) {
	cfg, err := f.loadConfig(e)
	if err != nil {
		return nil, err
	}
	if newLedgerFile(cfg.Database) {
		if !create {
			return nil, fmt.Errorf("no ledger at %s: fix --db or the configuration's database key, "+
				"or start one with docracy serve (docracy init writes a configuration)", cfg.Database)
		}
		// A mistyped --db would otherwise start a second ledger unnoticed.
		fmt.Fprintf(e.stderr, "creating a new ledger at %s\n", cfg.Database)
	}
	l, err := openLedger(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// One-shot commands speak on stdout; the log only carries trouble.
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return &app{cfg: cfg, ledger: l, bot: newBot(cfg, l, log)}, nil
}

// newLedgerFile reports whether database is a SQLite file that does not
// exist yet. (A PostgreSQL database exists before docracy meets it.)
func newLedgerFile(database string) bool {
	if ledger.IsPostgres(database) {
		return false
	}
	_, err := os.Stat(database)
	return errors.Is(err, fs.ErrNotExist)
}

func (a *app) Close() error { return a.ledger.Close() }

// withApp opens the ledger, as open does, runs fn on it and closes it.
func (f *flags) withApp(ctx context.Context, e *env, create bool, fn func(*app) error) error {
	a, err := f.open(ctx, e, create)
	if err != nil {
		return err
	}
	defer a.Close()
	return fn(a)
}

// actor names who runs a CLI command in the entries it writes.
func actor(e *env) string {
	if user, ok := e.getenv("USER"); ok && user != "" {
		return "cli:" + user
	}
	return "cli:unknown"
}

// printSeq prints the seq of the entry a command wrote. When a retry finds
// it written already, stderr says so, in already's words.
func printSeq(e *env, seq int64, created bool, already string, args ...any) error {
	if !created {
		fmt.Fprintf(e.stderr, already+": nothing added\n", args...)
	}
	fmt.Fprintln(e.stdout, seq)
	return nil
}

// writeJSON prints v on one line. <, > and & stay as they are, so that
// entries keep the one JSON form the hash chain covers.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Nothing is printed: half a document would read as a whole one.
		return fmt.Errorf("--format json: cannot encode the answer: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
