package discord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord/discordtest"
)

// contractTransport delivers an interaction as Discord does on one of its two
// paths, and returns docracy's first response to it.
type contractTransport interface {
	deliver(t *testing.T, i *discordgo.Interaction) discordgo.InteractionResponse
}

// httpTransport posts signed interactions to the endpoint.
type httpTransport struct{ h *harness }

func (tr httpTransport) deliver(t *testing.T, i *discordgo.Interaction) discordgo.InteractionResponse {
	return *tr.h.send(i)
}

// gatewayTransport dispatches INTERACTION_CREATE over a real discordgo
// session connected to the fake gateway; the answer comes back by REST.
type gatewayTransport struct{ h *harness }

func newGatewayTransport(t *testing.T, h *harness) contractTransport {
	gw := newGateway(t, h)
	if err := gw.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	h.discord.WaitReady(t, 5*time.Second)
	return gatewayTransport{h}
}

func (tr gatewayTransport) deliver(t *testing.T, i *discordgo.Interaction) discordgo.InteractionResponse {
	t.Helper()
	callbacks := func() []discordtest.Callback {
		var mine []discordtest.Callback
		for _, cb := range tr.h.discord.Callbacks() {
			if cb.InteractionID == i.ID {
				mine = append(mine, cb)
			}
		}
		return mine
	}
	before := len(callbacks())
	tr.h.discord.Dispatch(t, "INTERACTION_CREATE", i)
	tr.h.discord.WaitFor(t, 5*time.Second, "the callback of "+i.ID, func() bool { return len(callbacks()) > before })
	return callbacks()[before].Response
}

// runTransportContract runs the command scenarios every transport must
// pass alike over the transport newTransport connects to a fresh harness.
func runTransportContract(t *testing.T, newTransport func(t *testing.T, h *harness) contractTransport) {
	credit := func(h *harness, caller discordtest.User) *discordgo.Interaction {
		return h.command(caller, "credit", discordtest.UserOption("member", bob), discordtest.Int("points", 5),
			discordtest.String("category", "doc"), discordtest.String("note", "wrote the FAQ"))
	}
	t.Run("a maintainer credits a member", func(t *testing.T) {
		h := newHarness(t)
		i := credit(h, alice)
		r := newTransport(t, h).deliver(t, i)
		if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags != 0 || r.Data.Content != "<@"+bob.ID+">" {
			t.Errorf("credit answered %+v, want a public message pinging Bob", r.Data)
		}
		if e := h.entries(); len(e) != 1 || e[0].Member != h.member(bob).ID || e[0].Points != 5 ||
			e[0].SourceRef != "discord:interaction:"+i.ID || e[0].Actor != "discord:"+alice.ID {
			t.Errorf("ledger after a credit: %+v", e)
		}
	})
	t.Run("a non-maintainer is refused and nothing is written", func(t *testing.T) {
		h := newHarness(t)
		r := newTransport(t, h).deliver(t, credit(h, bob))
		if r.Data.Flags&discordgo.MessageFlagsEphemeral == 0 || len(r.Data.Embeds) == 0 ||
			!strings.Contains(r.Data.Embeds[0].Description, "/credit is for maintainers") {
			t.Errorf("credit by Bob answered %+v, want a private refusal", r.Data)
		}
		if e := h.entries(); len(e) != 0 {
			t.Errorf("a refused credit wrote %+v", e)
		}
	})
	t.Run("rep shows a member's points", func(t *testing.T) {
		h := newHarness(t)
		tr := newTransport(t, h)
		tr.deliver(t, credit(h, alice))
		r := tr.deliver(t, h.command(carol, "rep", discordtest.UserOption("member", bob)))
		want := "**Rank 1** · reputation **5.0** · 5 points in all\n\n`doc` 5 points · reputation 5.0"
		if len(r.Data.Embeds) == 0 || r.Data.Embeds[0].Title != "Bob" || r.Data.Embeds[0].Description != want {
			t.Errorf("/rep member:Bob answered %+v, want Bob: %q", r.Data, want)
		}
	})
	t.Run("a retried interaction adds nothing", func(t *testing.T) {
		h := newHarness(t)
		tr := newTransport(t, h)
		i := credit(h, alice)
		tr.deliver(t, i)
		again := tr.deliver(t, i)
		if n := len(h.entries()); n != 1 {
			t.Errorf("%d entries after a retried interaction, want 1", n)
		}
		if len(again.Data.Embeds) == 0 || again.Data.Embeds[0].Footer.Text != "ledger seq 1 · already recorded: nothing added" {
			t.Errorf("the retry answered %+v, want already recorded", again.Data)
		}
	})
}

func TestHTTPTransportContract(t *testing.T) {
	runTransportContract(t, func(t *testing.T, h *harness) contractTransport { return httpTransport{h} })
}

func TestGatewayTransportContract(t *testing.T) {
	runTransportContract(t, newGatewayTransport)
}
