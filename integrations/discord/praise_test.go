package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord/discordtest"
)

func (h *harness) praise(giver, receiver discordtest.User, reason string) *discordgo.InteractionResponse {
	h.t.Helper()
	return h.send(h.command(giver, "praise", discordtest.UserOption("member", receiver), discordtest.String("reason", reason)))
}

func accepted(t *testing.T, r *discordgo.InteractionResponse) {
	t.Helper()
	if r.Data.Flags != 0 || r.Data.Embeds[0].Color != colorDone {
		t.Fatalf("refused: %s", r.Data.Embeds[0].Description)
	}
}

// TestPraiseRules checks each rule of praise through Discord: no
// self-praise, a reason of 5 to 500 characters, one praise of the same
// member per hour, and the daily cap (3 in the harness) over 24 hours.
func TestPraiseRules(t *testing.T) {
	t.Run("self", func(t *testing.T) {
		h := newHarness(t)
		refusal(t, h.praise(bob, bob, "for being me"), "**Option `member`**: you cannot praise yourself")
		if len(h.entries()) != 0 {
			t.Error("self-praise stored")
		}
	})
	t.Run("reason length", func(t *testing.T) {
		h := newHarness(t)
		refusal(t, h.praise(bob, carol, "thx!"), "**Option `reason`**: reason is 4 characters long: give 5 to 500")
		refusal(t, h.praise(bob, carol, strings.Repeat("é", 501)), "**Option `reason`**: reason is 501 characters long: give 5 to 500")
		refusal(t, h.praise(bob, carol, "   thx   "), "**Option `reason`**: reason is 3 characters long: say in 5 to 500 characters what they did")
		if len(h.entries()) != 0 {
			t.Error("a praise with a bad reason was stored")
		}
		accepted(t, h.praise(bob, carol, "thx!!"))
		accepted(t, h.praise(bob, alice, strings.Repeat("é", 500)))
	})
	t.Run("repeat within an hour", func(t *testing.T) {
		h := newHarness(t)
		accepted(t, h.praise(bob, carol, "fixed the build"))
		h.clock.Advance(59 * time.Minute)
		refusal(t, h.praise(bob, carol, "fixed it again"),
			"**Option `member`**: you praised Carol less than an hour ago: praise them again after 2026-03-01 13:00 UTC")
		accepted(t, h.praise(alice, carol, "someone else may")) // the rule is per giver
		h.clock.Advance(time.Minute)
		accepted(t, h.praise(bob, carol, "fixed it again"))
		if n := len(h.entries()); n != 3 {
			t.Errorf("%d entries, want 3", n)
		}
	})
	t.Run("daily cap", func(t *testing.T) {
		h := newHarness(t)
		for _, to := range []discordtest.User{carol, alice, tom} {
			accepted(t, h.praise(bob, to, "thanks a lot"))
			h.clock.Advance(time.Hour)
		}
		refusal(t, h.praise(bob, eve, "thanks a lot"),
			"you have given 3 praise in the last 24 hours, the daily cap: you can praise again after 2026-03-02 12:00 UTC")
		accepted(t, h.praise(carol, eve, "thanks a lot")) // the cap is per giver
		h.clock.Advance(21 * time.Hour)                   // 24 h after the first praise
		accepted(t, h.praise(bob, eve, "thanks a lot"))
		refusal(t, h.praise(bob, carol, "one more"), "the daily cap: you can praise again after 2026-03-02 13:00 UTC")
	})
}
