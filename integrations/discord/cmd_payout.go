package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Treasury is what /payout needs: *bot.Treasury.
type Treasury interface {
	Preview(ctx context.Context, period string) (bot.Run, error)
	Close(ctx context.Context, period, actor string, source bot.Source) (bot.Run, error)
	ReopenPreview(ctx context.Context, period string) (bot.Run, error)
	Reopen(ctx context.Context, period, reason, actor string, source bot.Source) (bot.Run, error)
}

// payout runs /payout action:preview|close|reopen [period] [reason].
// Nothing is closed or reopened here: close and reopen answer with the
// run and a button, and only the click writes, so that a slip of the
// command picker never moves money.
func (r *Router) payout(ctx context.Context, q *request) (reply, error) {
	if r.Treasury == nil {
		return reply{}, payoutsOff()
	}
	action, _ := q.opts.String(optAction)
	period, _ := q.opts.String(optPeriod)
	if action == actionReopen {
		return r.confirmReopen(ctx, period, q.opts)
	}
	run, err := r.Treasury.Preview(ctx, period)
	if err != nil {
		return reply{}, err
	}
	if action == actionClose {
		return r.confirmClose(run)
	}
	return reply{embeds: []*discordgo.MessageEmbed{runEmbed(run)}}, nil
}

func payoutsOff() error {
	return refused("payouts are not set up on this docracy: a server admin must fill in its payouts section")
}

// confirmClose asks the treasurer to confirm the close of a previewed
// run, or says why it cannot be closed before showing any button.
func (r *Router) confirmClose(run bot.Run) (reply, error) {
	p := run.Period
	switch {
	case run.Closed:
		return reply{}, invalidOption(optPeriod, "period %s was closed %s: nothing to do; see it with /payout action:preview period:%s",
			p.Name, timestamp(*run.ClosedAt, "f"), p.Name)
	case run.Notice != "":
		return reply{}, invalidOption(optPeriod, "nobody earned anything in %s: there is nothing to close", p.Name)
	case r.now().Before(p.End):
		return reply{}, invalidOption(optPeriod, "period %s ends %s: close it after that", p.Name, timestamp(p.End, "f"))
	}
	return reply{
		content: fmt.Sprintf("**Close payout %s?** Closing records one payout entry per member in the ledger, "+
			"for good: a period closes once.", p.Name),
		embeds:  []*discordgo.MessageEmbed{runEmbed(run)},
		buttons: closeButtons(p.Name),
	}, nil
}

// closeButtons confirm or cancel the close of a period. The period is in
// the custom id, resolved when the preview was made: a click after the
// month turns still closes the run the treasurer saw.
func closeButtons(period string) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{
		discordgo.Button{Label: "Close " + period, Style: discordgo.DangerButton, CustomID: buttonPayoutClose + ":" + period},
		discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: buttonPayoutCancel + ":" + period},
	}
}

// closePayout answers a click on the close button: it closes the period,
// as docracy payout close does. A second click finds it closed.
func (r *Router) closePayout(ctx context.Context, q *request) (reply, error) {
	if r.Treasury == nil {
		return reply{}, payoutsOff()
	}
	run, err := r.Treasury.Close(ctx, q.arg, q.actor(), source)
	if err != nil {
		return reply{}, err
	}
	embed := runEmbed(run)
	embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: "Closed by", Value: mention(q.userID), Inline: true})
	entries := fmt.Sprintf("%d payout entries", len(run.Allocations))
	if len(run.Allocations) == 1 {
		entries = "1 payout entry"
	}
	return reply{
		content: fmt.Sprintf("Payout %s is closed: %s in the ledger. The addresses are in `docracy payout export --period %s`.",
			run.Period.Name, entries, run.Period.Name),
		embeds: []*discordgo.MessageEmbed{embed},
	}, nil
}

// cancelPayout answers a click on the cancel button.
func (r *Router) cancelPayout(ctx context.Context, q *request) (reply, error) {
	return reply{content: "Nothing was closed."}, nil
}

// runEmbed shows a run, previewed or closed: its period, budget and
// policy, and each member's amount, flagging who has no payout address.
func runEmbed(run bot.Run) *discordgo.MessageEmbed {
	p := run.Period
	e := &discordgo.MessageEmbed{
		Title: "Payout " + p.Name + " · preview", Color: colorInfo, Description: allocationLines(run),
		Fields: []*discordgo.MessageEmbedField{
			{Name: "Period", Value: periodDates(p), Inline: true},
			{Name: "Budget", Value: run.Budget + " " + run.Currency, Inline: true},
			{Name: "Policy", Value: string(run.Policy), Inline: true},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: "Preview: nothing is written until the run is closed."},
	}
	if run.Notice == "" {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: "Members", Value: memberCount(run), Inline: true})
	}
	if run.Closed {
		e.Title, e.Color = "Payout "+p.Name+" · closed", colorDone
		e.Timestamp = run.ClosedAt.UTC().Format(time.RFC3339)
		e.Footer = &discordgo.MessageEmbedFooter{Text: "Closed: " + seqRange(run)}
	}
	return e
}

// allocationLines lists each member's amount, as many as fit.
func allocationLines(run bot.Run) string {
	if run.Notice != "" {
		return strings.ToUpper(run.Notice[:1]) + run.Notice[1:] + "."
	}
	lines := make([]string, len(run.Allocations))
	for i, a := range run.Allocations {
		name := a.Name
		if name == "" {
			name = fmt.Sprintf("member %d", a.Member)
		}
		lines[i] = fmt.Sprintf("**%s**: %s %s", escape(Truncate(name, 80)), a.Amount, run.Currency)
		if !a.HasAddress {
			lines[i] += " · no address: ask them to run /wallet"
		}
	}
	return listWithin(lines, "\n", MaxDescriptionLen)
}

// memberCount says how many are paid and how many of them the treasurer
// cannot pay yet, which a list cut short would hide.
func memberCount(run bot.Run) string {
	missing := 0
	for _, a := range run.Allocations {
		if !a.HasAddress {
			missing++
		}
	}
	n := count(int64(len(run.Allocations)), "member")
	if missing > 0 {
		n += fmt.Sprintf(", %d without an address", missing)
	}
	return n
}

// periodDates names a period's days. Its end is exclusive, at midnight,
// so the last day is the one before.
func periodDates(p bot.Period) string {
	return p.Start.Format("2 Jan 2006") + " to " + p.End.AddDate(0, 0, -1).Format("2 Jan 2006")
}

// seqRange names the payout entries of a closed run.
func seqRange(run bot.Run) string {
	if len(run.Allocations) == 0 {
		return "no entries"
	}
	first, last := run.Allocations[0].Seq, run.Allocations[0].Seq
	for _, a := range run.Allocations {
		first, last = min(first, a.Seq), max(last, a.Seq)
	}
	if first == last {
		return fmt.Sprintf("ledger seq %d", first)
	}
	return fmt.Sprintf("ledger seq %d to %d", first, last)
}
