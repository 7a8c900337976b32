package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/docracy/docracy/ledger"
)

func runVerify(ctx context.Context, e *env, args []string) error {
	return overWholeLedger(ctx, e, "verify", args, func(a *app, update func(int64)) (string, error) {
		head, n, err := a.ledger.VerifyAll(ctx, update)
		// a *ledger.ChainError or *ledger.DerivedError names the first difference
		return fmt.Sprintf("ok %d %s", n, head.Hash), err
	})
}

// overWholeLedger runs a command that takes no flags of its own and reads
// the whole ledger (verify, rebuild) on an existing ledger, with a
// progress line on a terminal, cleared before fn's result line is printed.
func overWholeLedger(ctx context.Context, e *env, name string, args []string, fn func(a *app, update func(int64)) (string, error)) error {
	f := newFlags(e, name)
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		update, end, err := a.progress(ctx, e, name)
		if err != nil {
			return err
		}
		result, err := fn(a, update)
		end()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, result)
		return nil
	})
}

// progress is env.progress over the entries the ledger holds now.
func (a *app) progress(ctx context.Context, e *env, verb string) (update func(int64), end func(), err error) {
	if !e.stderrTerminal {
		update, end = e.progress(verb, 0)
		return update, end, nil
	}
	head, err := a.ledger.Head(ctx)
	if err != nil {
		return nil, nil, err
	}
	update, end = e.progress(verb, head.Seq)
	return update, end, nil
}

func runExport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "export")
	format := f.String("format", "jsonl", "output `FORMAT`: jsonl (one entry a line, as hashed) or csv")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if err := checkFormat(*format, "jsonl", "csv"); err != nil {
		return err
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		update, end, err := a.progress(ctx, e, "export")
		if err != nil {
			return err
		}
		w := bufio.NewWriter(e.stdout)
		if *format == "csv" {
			err = exportCSV(ctx, a.ledger, w, update)
		} else {
			err = exportJSONL(ctx, a.ledger, w, update)
		}
		end()
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return w.Flush()
	})
}

// exportJSONL writes each entry in its one JSON form: what a verifier
// hashes, minus "hash".
func exportJSONL(ctx context.Context, l *ledger.Ledger, w *bufio.Writer, progress func(int64)) error {
	return l.Each(ctx, 0, func(x ledger.Entry) error {
		progress(x.Seq)
		b, err := x.MarshalJSON()
		if err != nil {
			return err
		}
		w.Write(b)
		return w.WriteByte('\n')
	})
}

// csvHeader names the columns as the JSON form names its fields.
var csvHeader = []string{"seq", "id", "kind", "member", "category", "points", "occurred_at", "recorded_at",
	"source", "source_ref", "actor", "note", "url", "prev_hash", "hash"}

func exportCSV(ctx context.Context, l *ledger.Ledger, w io.Writer, progress func(int64)) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	err := l.Each(ctx, 0, func(x ledger.Entry) error {
		progress(x.Seq)
		return cw.Write([]string{
			strconv.FormatInt(x.Seq, 10), x.ID, string(x.Kind), strconv.FormatInt(x.Member, 10), x.Category,
			strconv.FormatInt(x.Points, 10), x.OccurredAt.UTC().Format(time.RFC3339),
			x.RecordedAt.UTC().Format(time.RFC3339), string(x.Source), x.SourceRef, x.Actor, x.Note, x.URL,
			x.PrevHash, x.Hash,
		})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func runBackup(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "backup")
	positional, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	if len(positional) == 0 {
		return usagef("name the backup file, e.g. docracy backup docracy-2026-03-01.db")
	}
	path := positional[0]
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s already exists: a backup never overwrites, name a new file", path)
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		if err := a.ledger.Backup(ctx, path); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "backed up %s to %s\n", ledger.Describe(a.cfg.Database), path)
		return nil
	})
}

func runRebuild(ctx context.Context, e *env, args []string) error {
	return overWholeLedger(ctx, e, "rebuild", args, func(a *app, update func(int64)) (string, error) {
		n, err := a.ledger.RebuildAll(ctx, update) // a *ledger.ChainError names the first bad seq
		return fmt.Sprintf("rebuilt %d entries", n), err
	})
}
