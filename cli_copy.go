package main

import (
	"context"
	"fmt"

	"github.com/docracy/docracy/ledger"
)

// runCopy moves a ledger between databases, SQLite or PostgreSQL either
// way, entry by entry: the copy's head hash is the source's.
func runCopy(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "copy")
	from := f.String("from", "", "the ledger to copy: a SQLite `DATABASE` file or a postgres:// URL")
	to := f.String("to", "", "the new ledger: a SQLite `DATABASE` file or a postgres:// URL, created if needed and empty")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return usagef("name both ledgers, e.g. docracy copy --from docracy.db --to postgres://docracy@db/docracy")
	}
	cfg, err := f.loadConfig(e) // for the half-life the copy's reputation is weighed with
	if err != nil {
		return err
	}
	if newLedgerFile(*from) {
		return fmt.Errorf("--from: no ledger at %s", *from)
	}
	opts := ledger.Options{HalfLife: cfg.Scoring.HalfLife()}
	src, err := ledger.Open(ctx, *from, opts)
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	defer src.Close()
	dst, err := ledger.Open(ctx, *to, opts)
	if err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	defer dst.Close()
	return copyLedger(ctx, e, dst, src)
}

// copyLedger copies with a progress line and prints the head both share.
func copyLedger(ctx context.Context, e *env, dst, src *ledger.Ledger) error {
	total, err := src.Head(ctx)
	if err != nil {
		return err
	}
	update, end := e.progress("copy", total.Seq)
	head, err := ledger.Copy(ctx, dst, src, update)
	end()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "copied %d entries from %s to %s: head %d %s\n", head.Seq, src, dst, head.Seq, head.Hash)
	return nil
}
