package discord_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/ledger"
)

// TestDigestPreview checks /digest action:preview: on Sunday 1 March the
// digest due is that of the week ending Monday 23 February, 09:00 in
// Paris, shown to the caller alone, as docracy digest preview shows it,
// without the chart that only the posted digest carries.
func TestDigestPreview(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for _, c := range []struct {
		points int64
		at     time.Time
	}{
		{4, time.Date(2026, 2, 18, 10, 0, 0, 0, cooperativeZone)}, // in the week
		{7, time.Date(2026, 2, 23, 9, 0, 0, 0, cooperativeZone)},  // the next week's first moment
	} {
		_, _, err := h.bot.Credit(ctx, bot.CreditRequest{Member: "github:bob-builds", Points: c.points, Category: "code",
			Note: "fixed the *build*", URL: "https://example.org/pr/1", At: c.at, Actor: "cli:test", Source: ledger.SourceCLI})
		if err != nil {
			t.Fatal(err)
		}
	}
	got := h.send(h.command(alice, "digest", discordtest.String("action", "preview")))

	d, err := bot.BuildDigest(ctx, h.ledger, time.Date(2026, 2, 16, 9, 0, 0, 0, cooperativeZone),
		time.Date(2026, 2, 23, 9, 0, 0, 0, cooperativeZone), 10)
	if err != nil {
		t.Fatal(err)
	}
	msg := discord.RenderDigest(d)
	msg.Embeds[0].Image = nil
	want := message(msg.Content, noPings, discordgo.MessageFlagsEphemeral, msg.Embeds...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/digest preview (-want +got):\n%s", diff)
	}
	if got.Data.Content != "**docracy digest** · 16 Feb to 23 Feb 2026" ||
		!strings.HasPrefix(got.Data.Embeds[0].Description, "**4 points** in **1 contribution** by **1 member**.") {
		t.Errorf("/digest preview shows another week: %q\n%s", got.Data.Content, got.Data.Embeds[0].Description)
	}
	if n := len(h.entries()); n != 2 {
		t.Errorf("/digest preview wrote to the ledger: %d entries", n)
	}
}

func TestDigestOff(t *testing.T) {
	h := newHarness(t)
	h.router.Digests = nil
	refusal(t, h.send(h.command(alice, "digest", discordtest.String("action", "preview"))),
		"the digest is off on this docracy: a server admin can turn it on with digest.schedule")
}
