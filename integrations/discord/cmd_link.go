package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Linker is what /link and /wallet need of the community.
type Linker interface {
	ClaimLink(ctx context.Context, r bot.LinkClaimRequest) (bot.Link, error)
	ConfirmLink(ctx context.Context, r bot.LinkRequest) (bot.Link, error)
	SetWallet(ctx context.Context, member, address string) (string, error)
	ReadsGitHubProfiles() bool
}

// link runs /link github:<login> (a self-claim, confirmed by the code in
// the GitHub bio) and /link member github (a maintainer's confirmation).
func (r *Router) link(ctx context.Context, q *request) (reply, error) {
	login, _ := q.opts.String(optGitHub)
	if target, _ := q.opts.User(optMember); target != "" {
		if _, err := r.Bot.DiscordMember(ctx, target, resolvedName(q.data, target)); err != nil {
			return reply{}, err
		}
		l, err := r.Community.ConfirmLink(ctx, bot.LinkRequest{
			Member: "discord:" + target, GitHub: login, Actor: q.actor(), Source: source,
		})
		if err != nil {
			return reply{}, err
		}
		return linkReply(l, target, false), nil
	}
	l, err := r.Community.ClaimLink(ctx, bot.LinkClaimRequest{
		Discord: q.actor(), Name: q.name, GitHub: login, Source: source,
	})
	if err != nil {
		return reply{}, err
	}
	return linkReply(l, q.userID, r.Community.ReadsGitHubProfiles()), nil
}

func linkReply(l bot.Link, userID string, bioCheck bool) reply {
	e := &discordgo.MessageEmbed{Color: colorDone}
	gh := "github:" + l.GitHub // a login is letters, digits and hyphens
	switch l.Status {
	case bot.LinkAlready:
		e.Title = "Already linked"
		e.Description = fmt.Sprintf("%s and %s already belong to member %s: nothing to do.", mention(userID), gh, escape(l.Member.Name))
	case bot.LinkLinked:
		e.Title = "Linked"
		e.Description = fmt.Sprintf("%s and %s are now one member, %s: one reputation, nothing lost or counted twice.", mention(userID), gh, escape(l.Member.Name))
		if l.Merged != 0 {
			e.Description += fmt.Sprintf("\n%d entries were carried over from member %d (ledger entry `%s`).", l.Carried, l.Merged, l.Entry.ID)
		}
	default:
		e.Color, e.Title, e.Description = colorPending, "Prove that "+gh+" is yours", pendingSteps(l, bioCheck)
	}
	return reply{embeds: []*discordgo.MessageEmbed{e}}
}

func pendingSteps(l bot.Link, bioCheck bool) string {
	ask := fmt.Sprintf("ask a maintainer to run `/link github:%s member:@you`.", l.GitHub)
	if !bioCheck {
		return "A maintainer confirms links here: " + ask
	}
	steps := fmt.Sprintf("1. Add `%s` anywhere in your GitHub bio: <https://github.com/settings/profile>\n"+
		"2. Run `/link github:%s` again before %s.\n3. Then remove the code from your bio if you like.\n\nOr %s",
		l.Code, l.GitHub, timestamp(l.Expires, "f"), ask)
	if l.Checked {
		steps = "Your GitHub bio does not show the code yet.\n\n" + steps
	}
	return steps
}

// wallet runs /wallet address; the reply is ephemeral and the address
// shown masked.
func (r *Router) wallet(ctx context.Context, q *request) (reply, error) {
	address, _ := q.opts.String(optAddress)
	masked, err := r.Community.SetWallet(ctx, q.actor(), address)
	if err != nil {
		return reply{}, err
	}
	return reply{embeds: []*discordgo.MessageEmbed{{
		Title: "Payout address saved", Color: colorDone,
		Description: fmt.Sprintf("Your payouts go to `%s`. Only the treasurer's payout export shows the address; run `/wallet` again to change it.", masked),
	}}}, nil
}
