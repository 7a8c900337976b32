package main

import (
	"context"
	"fmt"

	"github.com/docracy/docracy/bot"
)

func runMember(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "member", []subcommand{
		{"wallet", "--member M --address A", "set where a member is paid, as /wallet does", runMemberWallet},
	}, args)
}

// runMemberWallet sets a member's payout address: what /wallet does, for a
// treasurer without Discord. The address is private, so only its masked
// form is printed.
func runMemberWallet(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "member wallet")
	member := f.String("member", "", "the member `M`: github:<login>, discord:<user id> or a member id")
	address := f.String("address", "", "payout `ADDRESS`: an IBAN, a wallet address or a payment handle")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if err := f.require("member", "address"); err != nil {
		return err
	}
	a, err := f.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	masked, err := bot.NewCommunity(a.bot, a.ledger, praiseRules(a.cfg)).SetWallet(ctx, *member, *address)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "payout address of %s set: %s\n", *member, masked)
	return nil
}
