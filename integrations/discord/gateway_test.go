package discord_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
)

func newGateway(t *testing.T, h *harness) *discord.Gateway {
	return &discord.Gateway{Session: h.rest.Session, Router: h.router, Responder: h.rest, Logger: slog.New(slog.DiscardHandler)}
}

// TestGateway runs a command through a real discordgo session connected to
// the fake gateway: the interaction arrives as INTERACTION_CREATE and is
// answered by REST, through the same router as HTTP.
func TestGateway(t *testing.T) {
	h := newHarness(t)
	gw := newGateway(t, h)
	if err := gw.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	h.discord.WaitReady(t, 5*time.Second)

	i := h.command(alice, "credit", discordtest.UserOption("member", bob), discordtest.Int("points", 3),
		discordtest.String("category", "code"), discordtest.String("note", "@everyone look"))
	h.discord.Dispatch(t, "INTERACTION_CREATE", i)
	h.discord.WaitFor(t, 5*time.Second, "interaction callback", func() bool { return len(h.discord.Callbacks()) == 1 })

	cb := h.discord.Callbacks()[0]
	if cb.InteractionID != i.ID || cb.Token != i.Token {
		t.Errorf("callback for %s/%s, want %s/%s", cb.InteractionID, cb.Token, i.ID, i.Token)
	}
	if cb.Response.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Response.Data.Content != "<@"+bob.ID+">" {
		t.Errorf("callback response = %+v", cb.Response)
	}
	if diff := cmp.Diff(pingOnly(bob.ID), cb.Response.Data.AllowedMentions); diff != "" {
		t.Errorf("allowed mentions (-want +got):\n%s", diff)
	}
	if e := h.entries(); len(e) != 1 || e[0].SourceRef != "discord:interaction:"+i.ID || e[0].Points != 3 {
		t.Errorf("ledger after a gateway credit: %+v", e)
	}
}
