package main

import (
	"context"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

func runCredit(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "credit")
	member := f.String("member", "", "the member `M`: github:<login>, discord:<user id> or a member id")
	points := f.Int64("points", 0, "`N` points to credit, 1 to 10000")
	category := f.String("category", "", "the contribution's category `C`, one of scoring.categories")
	note := f.String("note", "", "`T`: what the contribution was")
	url := f.String("url", "", "`U`: link to the contribution, http(s)")
	ref := f.String("ref", "", "idempotency `KEY`: repeating a credit with the same key adds nothing")
	at := f.String("at", "", "when the contribution happened, `RFC3339` like 2026-03-01T12:00:00Z (default now)")
	if err := f.parseRequired(args, "member", "points", "category"); err != nil {
		return err
	}
	var occurred time.Time
	if *at != "" {
		var err error
		if occurred, err = time.Parse(time.RFC3339, *at); err != nil {
			return usagef("--at %q: give a time like 2026-03-01T12:00:00Z", *at)
		}
	}
	return f.withApp(ctx, e, true, func(a *app) error {
		entry, created, err := a.bot.Credit(ctx, bot.CreditRequest{
			Member: *member, Points: *points, Category: *category, Note: *note, URL: *url,
			Ref: *ref, At: occurred, Actor: actor(e), Source: ledger.SourceCLI,
		})
		if err != nil {
			return err // a refused --at, like any flag's value, is a usage error
		}
		return printSeq(e, entry.Seq, created, "ref %q is already seq %d", *ref, entry.Seq)
	})
}

func runRevoke(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "revoke")
	entry := f.String("entry", "", "the entry to revoke, by `SEQ|ID`")
	reason := f.String("reason", "", "`TEXT`: why it is revoked, kept in the ledger")
	if err := f.parseRequired(args, "entry", "reason"); err != nil {
		return err
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		revoke, created, err := a.bot.Revoke(ctx, bot.RevokeRequest{
			Entry: *entry, Reason: *reason, Actor: actor(e), Source: ledger.SourceCLI,
		})
		if err != nil {
			return err
		}
		return printSeq(e, revoke.Seq, created, "entry %s was already revoked by seq %d", *entry, revoke.Seq)
	})
}
