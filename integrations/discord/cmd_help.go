package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// help runs /help: every command with its options, from the same table
// the commands are registered from, so it never goes stale.
func (r *Router) help(ctx context.Context, q *request) (reply, error) {
	var b strings.Builder
	for _, c := range commandTable(r.Bot.CategoryNames(), r.Bot.CollegeNames()) {
		if len(c.subs) == 0 {
			helpLine(&b, c)
		}
		for _, s := range c.subs {
			helpLine(&b, s)
		}
	}
	b.WriteString("\nEvery entry is kept in an append-only, hash-chained ledger that any member can verify.")
	return reply{embeds: []*discordgo.MessageEmbed{{Title: "docracy: power to those who do", Description: b.String(), Color: colorInfo}}}, nil
}

// helpLine shows a command, or a subcommand, with its options.
func helpLine(b *strings.Builder, c *command) {
	fmt.Fprintf(b, "`/%s", c.name)
	for _, o := range c.options {
		if o.Required {
			fmt.Fprintf(b, " %s", o.Name)
		} else {
			fmt.Fprintf(b, " [%s]", o.Name)
		}
	}
	fmt.Fprintf(b, "` — %s\n", c.description)
}
