package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Recorder is what /credit, /revoke and /member college need of the bot.
type Recorder interface {
	Credit(ctx context.Context, r bot.CreditRequest) (bot.Entry, bool, error)
	Revoke(ctx context.Context, r bot.RevokeRequest) (bot.Entry, bool, error)
	SetCollege(ctx context.Context, r bot.CollegeRequest) (bot.Entry, bool, error)
	MemberByID(ctx context.Context, id int64) (bot.Member, error)
}

// credit runs /credit member points category note [url], as the CLI's
// credit does.
func (r *Router) credit(ctx context.Context, q *request) (reply, error) {
	target, _ := q.opts.User(optMember)
	n, _, _ := q.opts.Int(optPoints)
	category, _ := q.opts.String(optCategory)
	note, _ := q.opts.String(optNote)
	url, _ := q.opts.String(optURL)
	if err := refuseBot(q, target); err != nil {
		return reply{}, err
	}
	m, err := r.Bot.DiscordMember(ctx, target, resolvedName(q.data, target))
	if err != nil {
		return reply{}, err
	}
	e, created, err := r.Bot.Credit(ctx, bot.CreditRequest{
		Member: "discord:" + target, Points: n, Category: category, Note: note, URL: url,
		Ref: q.ref(), Actor: q.actor(), Source: source,
	})
	if err != nil {
		return reply{}, err
	}
	embed := recordedEmbed(e, created)
	embed.Title = fmt.Sprintf("%s for %s", points(e.Points, e.Category), escape(m.Name))
	embed.Description = escape(e.Note)
	embed.URL = e.URL
	embed.Fields = []*discordgo.MessageEmbedField{
		{Name: "Credited by", Value: mention(q.userID), Inline: true},
		{Name: "Entry", Value: fmt.Sprintf("`%s` (undo: `/revoke entry:%d`)", e.ID, e.Seq), Inline: true},
	}
	return reply{content: mention(target), ping: target, embeds: []*discordgo.MessageEmbed{embed}}, nil
}

// recordedEmbed is the frame of a reply about an entry just recorded.
func recordedEmbed(e bot.Entry, created bool) *discordgo.MessageEmbed {
	footer := fmt.Sprintf("ledger seq %d", e.Seq)
	if !created {
		footer += " · already recorded: nothing added"
	}
	return &discordgo.MessageEmbed{
		Color: colorDone, Footer: &discordgo.MessageEmbedFooter{Text: footer},
		Timestamp: e.OccurredAt.UTC().Format(time.RFC3339),
	}
}

// revoke runs /revoke entry reason, as the CLI's revoke does.
func (r *Router) revoke(ctx context.Context, q *request) (reply, error) {
	entry, _ := q.opts.String(optEntry)
	reason, _ := q.opts.String(optReason)
	e, created, err := r.Bot.Revoke(ctx, bot.RevokeRequest{Entry: entry, Reason: reason, Actor: q.actor(), Source: source})
	if err != nil {
		return reply{}, err
	}
	m, err := r.Bot.MemberByID(ctx, e.Member)
	if err != nil {
		return reply{}, fmt.Errorf("revoke: %w", err)
	}
	embed := recordedEmbed(e, created)
	embed.Title = fmt.Sprintf("Entry %s revoked", strings.TrimPrefix(e.SourceRef, "revoke:")) // see package ledger
	embed.Description = fmt.Sprintf("%s taken back from %s.\n**Reason:** %s", points(e.Points, e.Category), escape(m.Name), escape(e.Note))
	embed.Fields = []*discordgo.MessageEmbedField{{Name: "Revoked by", Value: mention(q.userID), Inline: true}}
	return reply{embeds: []*discordgo.MessageEmbed{embed}}, nil
}

// memberCollege runs /member college member college, as the CLI's member
// college does.
func (r *Router) memberCollege(ctx context.Context, q *request) (reply, error) {
	target, _ := q.opts.User(optMember)
	college, _ := q.opts.String(optCollege)
	m, err := r.Bot.DiscordMember(ctx, target, resolvedName(q.data, target))
	if err != nil {
		return reply{}, err
	}
	e, created, err := r.Bot.SetCollege(ctx, bot.CollegeRequest{
		Member: "discord:" + target, College: college, Ref: q.ref(), Actor: q.actor(), Source: source,
	})
	if err != nil {
		return reply{}, err
	}
	embed := recordedEmbed(e, created)
	embed.Title = fmt.Sprintf("%s is in college %s", escape(m.Name), escape(e.Category))
	embed.Fields = []*discordgo.MessageEmbedField{
		{Name: "Placed by", Value: mention(q.userID), Inline: true},
		{Name: "Entry", Value: fmt.Sprintf("`%s`", e.ID), Inline: true},
	}
	return reply{embeds: []*discordgo.MessageEmbed{embed}}, nil
}
