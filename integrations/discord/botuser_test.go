package discord_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
)

// robot is an application's bot user in the fake server.
var robot = discordtest.User{ID: "100000000000000099", Name: "Robot", Roles: []string{memberRole}, Bot: true}

// TestBotUsersNeverCreditedOrPraised checks that a Discord user flagged
// bot, like a GitHub bot, earns no points: /credit and /praise of it are
// refused with an ephemeral message, over HTTP and over the gateway, and
// nothing reaches the ledger, not even a member for it.
func TestBotUsersNeverCreditedOrPraised(t *testing.T) {
	h := newHarness(t)
	credit := func() *discordgo.Interaction {
		return h.command(alice, "credit", discordtest.UserOption("member", robot), discordtest.Int("points", 5),
			discordtest.String("category", "doc"), discordtest.String("note", "ran the CI"))
	}
	praise := func() *discordgo.Interaction {
		return h.command(carol, "praise", discordtest.UserOption("member", robot), discordtest.String("reason", "fast builds"))
	}
	refusal(t, h.send(credit()), "is a bot: bots never earn points, so /credit is for people only")
	refusal(t, h.send(praise()), "is a bot: bots never earn points, so /praise is for people only")

	gw := &discord.Gateway{Router: h.router, Responder: h.rest}
	for _, i := range []*discordgo.Interaction{credit(), praise()} {
		gw.Handle(context.Background(), i)
	}
	callbacks := h.discord.Callbacks()
	if len(callbacks) != 2 {
		t.Fatalf("%d gateway callbacks, want 2", len(callbacks))
	}
	for _, cb := range callbacks {
		r := cb.Response.Data
		if r.Flags != discordgo.MessageFlagsEphemeral || !strings.Contains(r.Embeds[0].Description, "is a bot") {
			t.Errorf("gateway answer = %+v, want an ephemeral refusal", r.Embeds[0])
		}
	}
	for _, e := range h.entries() {
		if e.Points != 0 {
			t.Errorf("entry recorded for a bot: %+v", e)
		}
	}
	for _, m := range h.members() {
		if m.Name == robot.Name {
			t.Errorf("the bot became a member: %+v", m)
		}
	}
}

// TestBotCallerRefused checks that a bot user running a command, should
// Discord ever deliver one, is refused before it becomes a member.
func TestBotCallerRefused(t *testing.T) {
	h := newHarness(t)
	refusal(t, h.send(h.command(robot, "praise", discordtest.UserOption("member", bob), discordtest.String("reason", "fast reviews"))),
		"docracy answers people, not bots")
	if n := len(h.entries()); n != 0 {
		t.Errorf("%d entries after a bot's command, want none", n)
	}
}
