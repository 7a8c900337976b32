package discord

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Praiser is what /praise needs of the community.
type Praiser interface {
	Praise(ctx context.Context, r bot.PraiseRequest) (bot.Entry, bool, error)
}

// praise runs /praise member reason.
func (r *Router) praise(ctx context.Context, q *request) (reply, error) {
	target, _ := q.opts.User(optMember)
	reason, _ := q.opts.String(optReason)
	if err := refuseBot(q, target); err != nil {
		return reply{}, err
	}
	m, err := r.Bot.DiscordMember(ctx, target, resolvedName(q.data, target))
	if err != nil {
		return reply{}, err
	}
	e, created, err := r.Community.Praise(ctx, bot.PraiseRequest{
		Giver: q.actor(), Member: "discord:" + target, Reason: reason, Ref: q.ref(), Source: source,
		From: q.caller, To: m,
	})
	if err != nil {
		return reply{}, err
	}
	embed := recordedEmbed(e, created)
	embed.Title = fmt.Sprintf("%s praised %s", escape(q.name), escape(m.Name))
	embed.Description = escape(e.Note)
	embed.Fields = []*discordgo.MessageEmbedField{
		{Name: "Points", Value: points(e.Points, e.Category), Inline: true},
		{Name: "Entry", Value: "`" + e.ID + "`", Inline: true},
	}
	return reply{content: mention(target), ping: target, embeds: []*discordgo.MessageEmbed{embed}}, nil
}
