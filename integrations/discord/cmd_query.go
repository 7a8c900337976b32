package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Reader is what /rep, /history and /top need of the bot.
type Reader interface {
	Profile(ctx context.Context, member string, history int) (bot.Profile, error)
	History(ctx context.Context, member string, limit int) (bot.History, error)
	Leaderboard(ctx context.Context, r bot.LeaderboardRequest) (bot.Leaderboard, error)
}

// Sizes of the listings in replies: enough to read at a glance.
const (
	repHistory       = 5
	historyLimit     = 10
	leaderboardLimit = 10
)

// target is the member option's user, or the caller when it is absent.
func (q *request) target() (id, name string) {
	if id, _ := q.opts.User(optMember); id != "" {
		return id, resolvedName(q.data, id)
	}
	return q.userID, q.name
}

// nobody answers a reading about a Discord user who has no member yet:
// not an error, just nothing to show.
func nobody(title, name string) reply {
	return reply{embeds: []*discordgo.MessageEmbed{{
		Title: title, Color: colorInfo,
		Description: escape(name) + " has no entries yet: a member appears with their first credit or praise.",
	}}}
}

// rep runs /rep [member]: reputation, rank, categories, latest entries.
func (r *Router) rep(ctx context.Context, q *request) (reply, error) {
	id, name := q.target()
	p, err := r.Bot.Profile(ctx, "discord:"+id, repHistory)
	if bot.ErrorCode(err) == bot.CodeNotFound {
		return nobody("Reputation", name), nil
	} else if err != nil {
		return reply{}, err
	}
	return reply{embeds: []*discordgo.MessageEmbed{profileEmbed(p)}}, nil
}

func profileEmbed(p bot.Profile) *discordgo.MessageEmbed {
	rep := p.Reputation
	var desc strings.Builder
	if rep.Points == 0 {
		desc.WriteString("No points yet.")
	} else {
		fmt.Fprintf(&desc, "**Rank %d** · reputation **%.1f** · %s in all\n", rep.Rank, rep.Score, count(rep.Points, "point"))
	}
	for _, c := range rep.Categories {
		fmt.Fprintf(&desc, "\n`%s` %s · reputation %.1f", c.Category, count(c.Points, "point"), c.Score)
	}
	e := &discordgo.MessageEmbed{Title: escape(p.Name), Description: desc.String(), Color: colorInfo}
	if p.College != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "College", Value: escape(p.College), Inline: true})
	}
	if accounts := accountList(p.Accounts); accounts != "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Accounts", Value: accounts})
	}
	if len(p.History) > 0 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Latest entries", Value: entryLines(p.History)})
	}
	return e
}

func accountList(accounts []bot.Account) string {
	var parts []string
	for _, a := range accounts {
		switch {
		case a.Platform == bot.PlatformDiscord:
			parts = append(parts, "Discord "+mention(a.ExternalID))
		case a.Login != "":
			parts = append(parts, "GitHub "+link(escape(a.Login), "https://github.com/"+a.Login))
		}
	}
	return strings.Join(parts, " · ")
}

func entryLines(entries []bot.Entry) string {
	lines := make([]string, len(entries))
	for i, e := range entries {
		lines[i] = entryLine(e)
	}
	return strings.Join(lines, "\n")
}

// leaderboard runs /leaderboard [window] [category].
func (r *Router) leaderboard(ctx context.Context, q *request) (reply, error) {
	window, _ := q.opts.String(optWindow)
	category, _ := q.opts.String(optCategory)
	lb, err := r.Bot.Leaderboard(ctx, bot.LeaderboardRequest{Window: window, Category: category, Limit: leaderboardLimit})
	if err != nil {
		return reply{}, err
	}
	title := "Leaderboard · " + lb.Window.Name()
	if lb.Category != "" {
		title += " · " + lb.Category
	}
	lines := make([]string, len(lb.Standings))
	for i, s := range lb.Standings {
		lines[i] = fmt.Sprintf("**%d.** %s — %s · reputation %.1f", s.Rank, escape(s.Name), count(s.Points, "point"), s.Reputation)
	}
	desc := strings.Join(lines, "\n")
	if desc == "" {
		desc = "No points in this window yet."
	}
	return reply{embeds: []*discordgo.MessageEmbed{{Title: title, Description: desc, Color: colorInfo}}}, nil
}

// history runs /history [member].
func (r *Router) history(ctx context.Context, q *request) (reply, error) {
	id, name := q.target()
	h, err := r.Bot.History(ctx, "discord:"+id, historyLimit)
	if bot.ErrorCode(err) == bot.CodeNotFound {
		return nobody("History", name), nil
	} else if err != nil {
		return reply{}, err
	}
	desc := entryLines(h.Entries)
	if desc == "" {
		desc = "No entries yet."
	}
	return reply{embeds: []*discordgo.MessageEmbed{{
		Title: "Latest entries of " + escape(h.Member.Name), Description: desc, Color: colorInfo,
	}}}, nil
}
