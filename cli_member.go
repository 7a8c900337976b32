package main

import (
	"context"
	"fmt"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// runMember runs "docracy member college": a maintainer places a member in
// a college, as /member college does on Discord.
func runMember(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "member")
	member := f.String("member", "", "the member `M`: github:<login>, discord:<user id> or a member id")
	college := f.String("college", "", "the college `C`, one of the configured colleges")
	note := f.String("note", "", "`T`: why, kept in the ledger")
	ref := f.String("ref", "", "idempotency `KEY`: repeating a move with the same key adds nothing (default: a retry adds nothing)")
	pos, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] != "college" {
		return usagef("give the subcommand: docracy member college --member M --college C")
	}
	if err := f.require("member", "college"); err != nil {
		return err
	}
	a, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer a.Close()
	entry, created, err := a.bot.SetCollege(ctx, bot.CollegeRequest{
		Member: *member, College: *college, Note: *note, Ref: *ref, Actor: actor(e), Source: ledger.SourceCLI,
	})
	if err != nil {
		return err
	}
	if !created {
		fmt.Fprintf(e.stderr, "member %d is already in %s by seq %d: nothing added\n", entry.Member, entry.Category, entry.Seq)
	}
	fmt.Fprintln(e.stdout, entry.Seq)
	return nil
}
