package discord

import (
	"context"
	"time"

	"github.com/docracy/docracy/bot"
)

// Digester answers /digest with the digest the schedule has due;
// *bot.Digests, which the scheduler and docracy digest preview use too,
// implements it.
type Digester interface {
	Due(ctx context.Context, t time.Time) (bot.Digest, error)
}

var _ Digester = (*bot.Digests)(nil)

// digest runs /digest action:preview: the digest the schedule has due
// now, as docracy digest preview shows it, seen only by the caller.
func (r *Router) digest(ctx context.Context, q *request) (reply, error) {
	if r.Digests == nil {
		return reply{}, refused("the digest is off on this docracy: a server admin can turn it on with digest.schedule")
	}
	d, err := r.Digests.Due(ctx, r.now())
	if err != nil {
		return reply{}, err
	}
	msg := RenderDigest(d)
	for _, e := range msg.Embeds {
		e.Image = nil // the chart is attached to the posted digest only; here it would be a broken image
	}
	return reply{content: msg.Content, embeds: msg.Embeds}, nil
}
