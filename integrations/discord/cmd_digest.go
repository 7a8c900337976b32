package discord

import (
	"context"

	"github.com/docracy/docracy/bot"
)

// digest runs /digest action:preview: the digest the schedule has due
// now, as docracy digest preview shows it, seen only by the caller.
func (r *Router) digest(ctx context.Context, q *request) (reply, error) {
	if r.DigestSchedule == nil || r.DigestLedger == nil {
		return reply{}, refused("the digest is off on this docracy: a server admin can turn it on with digest.schedule")
	}
	start, end := bot.DigestPeriodAt(r.DigestSchedule, r.Bot.Now())
	d, err := bot.BuildDigest(ctx, r.DigestLedger, start, end, r.DigestTop)
	if err != nil {
		return reply{}, err
	}
	msg := RenderDigest(d)
	for _, e := range msg.Embeds {
		e.Image = nil // the chart is attached to the posted digest only; here it would be a broken image
	}
	return reply{content: msg.Content, embeds: msg.Embeds}, nil
}
