package main

import (
	"context"
	"fmt"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// runLink runs "docracy link --member discord:<id> --github <login>": a
// maintainer's confirmation, the same as /link member github on Discord.
// The GitHub account is recorded by login; its numeric id is filled in
// when GitHub first sends it.
func runLink(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "link")
	member := f.String("member", "", "the Discord account `M`, discord:<user id> (with --email: any member)")
	login := f.String("github", "", "the GitHub `LOGIN` to attach it to")
	email := f.String("email", "", "instead of --github: a commit e-mail `ADDRESS` of the member, for Co-authored-by trailers")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if *email != "" && *login != "" {
		return usagef("give --github or --email, not both")
	}
	if err := f.require("member"); err != nil {
		return err
	}
	if *email == "" {
		if err := f.require("github"); err != nil {
			return err
		}
	}
	return f.withApp(ctx, e, true, func(a *app) error {
		if *email != "" {
			return linkEmail(ctx, e, a, *member, *email)
		}
		c := newCommunity(a.cfg, a.ledger, a.bot)
		l, err := c.ConfirmLink(ctx, bot.LinkRequest{Member: *member, GitHub: *login, Actor: actor(e), Source: ledger.SourceCLI})
		if err != nil {
			return err
		}
		if l.Status == bot.LinkAlready {
			fmt.Fprintf(e.stderr, "%s and github:%s already belong to member %d: nothing added\n", *member, l.GitHub, l.Member.ID)
			return nil
		}
		fmt.Fprintln(e.stdout, l.Entry.Seq)
		if l.Merged != 0 {
			fmt.Fprintf(e.stderr, "member %d merged into member %d: %d entries carried over\n", l.Merged, l.Member.ID, l.Carried)
		}
		return nil
	})
}

// linkEmail attaches a commit e-mail address to a member.
func linkEmail(ctx context.Context, e *env, a *app, member, email string) error {
	m, err := a.bot.ResolveMember(ctx, member)
	if err != nil {
		return err
	}
	linked, err := bot.LinkEmail(ctx, a.ledger, m, email)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s now credits member %d (%s) as a co-author\n", linked, m.ID, bot.OneLine(m.Name))
	return nil
}
