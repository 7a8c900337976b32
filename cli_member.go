package main

import (
	"context"
	"fmt"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

func runMember(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "member", []subcommand{
		{"college", "--member M --college C [--note T] [--ref KEY]", "place a member in a college from now on, as /member college does; prints the entry's seq", runMemberCollege},
		{"wallet", "--member M --address A", "set where a member is paid, as /wallet does", runMemberWallet},
	}, args)
}

// runMemberCollege places a member in a college, as /member college does
// on Discord: a chained college entry.
func runMemberCollege(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "member college")
	member := f.String("member", "", "the member `M`: github:<login>, discord:<user id> or a member id")
	college := f.String("college", "", "the college `C`, one of the configured colleges")
	note := f.String("note", "", "`T`: why, kept in the ledger")
	ref := f.String("ref", "", "idempotency `KEY`: repeating a move with the same key adds nothing (default: a retry adds nothing)")
	if err := f.parseRequired(args, "member", "college"); err != nil {
		return err
	}
	return f.withApp(ctx, e, true, func(a *app) error {
		entry, created, err := a.bot.SetCollege(ctx, bot.CollegeRequest{
			Member: *member, College: *college, Note: *note, Ref: *ref, Actor: actor(e), Source: ledger.SourceCLI,
		})
		if err != nil {
			return err
		}
		return printSeq(e, entry.Seq, created, "member %d is already in %s by seq %d", entry.Member, entry.Category, entry.Seq)
	})
}

// runMemberWallet sets a member's payout address: what /wallet does, for a
// treasurer without Discord. The address is private, so only its masked
// form is printed.
func runMemberWallet(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "member wallet")
	member := f.String("member", "", "the member `M`: github:<login>, discord:<user id> or a member id")
	address := f.String("address", "", "payout `ADDRESS`: an IBAN, a wallet address or a payment handle")
	if err := f.parseRequired(args, "member", "address"); err != nil {
		return err
	}
	return f.withApp(ctx, e, false, func(a *app) error {
		masked, err := newCommunity(a.cfg, a.ledger, a.bot).SetWallet(ctx, *member, *address)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "payout address of %s set: %s\n", *member, masked)
		return nil
	})
}
