package discord

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// maxReopenReason bounds the reason of /payout reopen: it travels in the
// confirm button's custom id, which holds 100 bytes, so that the click
// reopens with the words the treasurer confirmed and keeps no state.
const maxReopenReason = 60

// confirmReopen asks the treasurer to confirm the reopening of a period's
// standing run, or says why there is nothing to reopen before showing
// any button.
func (r *Router) confirmReopen(ctx context.Context, period string, opts options) (reply, error) {
	reason, _ := opts.String(optReason)
	if strings.TrimSpace(reason) == "" {
		return reply{}, invalidOption(optReason, "reason is missing: say why the run is reopened, e.g. reason:wrong budget")
	}
	run, err := r.Treasury.ReopenPreview(ctx, period)
	if err != nil {
		return reply{}, err
	}
	p := run.Period.Name
	confirmID := buttonPayoutReopen + ":" + run.ID + ":" + reason
	if len(confirmID) > maxCustomID {
		return reply{}, invalidOption(optReason, "reason is too long for a Discord button: keep it to %d bytes, "+
			"or reopen with docracy payout reopen --period %s --reason …", maxCustomID-len(confirmID)+len(reason), p)
	}
	return reply{
		content: fmt.Sprintf("**Reopen payout %s?** Reopening appends a revoke entry for each payout below, %s %s in all, "+
			"with the reason “%s”. The period may then be closed again.", p, run.Budget, run.Currency, escape(reason)),
		embeds: []*discordgo.MessageEmbed{runEmbed(run)},
		buttons: []discordgo.MessageComponent{
			discordgo.Button{Label: "Reopen " + p, Style: discordgo.DangerButton, CustomID: confirmID},
			discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: buttonPayoutKeep + ":" + p},
		},
	}, nil
}

// reopenPayout answers a click on the reopen button: it reopens the run
// the treasurer saw, as docracy payout reopen does. The button names the
// run, not only the period, so that an old click never reopens a run
// closed since; a second click finds nothing standing.
func (r *Router) reopenPayout(ctx context.Context, q *request) (reply, error) {
	if r.Treasury == nil {
		return reply{}, payoutsOff()
	}
	runID, reason, _ := strings.Cut(q.arg, ":")
	if reason == "" {
		return reply{}, refused("this button comes from an older docracy: run /payout again")
	}
	period, _, _ := strings.Cut(runID, "#")
	standing, err := r.Treasury.ReopenPreview(ctx, period)
	if err != nil {
		return reply{}, err
	}
	if standing.ID != runID {
		return reply{}, refused("the run this button reopens was reopened already, and %s was closed again since: "+
			"run /payout action:reopen period:%s to reopen the new run", period, period)
	}
	run, err := r.Treasury.Reopen(ctx, period, reason, q.actor(), source)
	if err != nil {
		return reply{}, err
	}
	return reply{
		content: fmt.Sprintf("Payout %s is reopened: each of its payouts is revoked in the ledger. "+
			"Close the period again with /payout action:close period:%s.", run.Period.Name, run.Period.Name),
		embeds: []*discordgo.MessageEmbed{reopenedEmbed(run, q.userID)},
	}, nil
}

// reopenedEmbed shows a run that was just reopened: by whom and why.
func reopenedEmbed(run bot.Run, userID string) *discordgo.MessageEmbed {
	e := runEmbed(run)
	e.Title, e.Color = "Payout "+run.Period.Name+" · reopened", colorDone
	e.Timestamp = run.Reopened.At.UTC().Format(time.RFC3339)
	e.Fields = append(e.Fields,
		&discordgo.MessageEmbedField{Name: "Reopened by", Value: mention(userID), Inline: true},
		&discordgo.MessageEmbedField{Name: "Reason", Value: escape(run.Reopened.Reason)})
	e.Footer = &discordgo.MessageEmbedFooter{Text: "Reopened: its payouts no longer count as paid."}
	return e
}

// keepPayout answers a click on the cancel button of a reopen.
func (r *Router) keepPayout(ctx context.Context, q *request) (reply, error) {
	return reply{content: "Nothing was reopened."}, nil
}
