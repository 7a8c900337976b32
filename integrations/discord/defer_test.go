package discord_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/integrations/github/githubtest"
	"github.com/docracy/docracy/ledger"
)

// slowLedger makes reputation slow, and optionally failing, to push a
// command past the router's deadline.
type slowLedger struct {
	*ledger.Ledger
	delay time.Duration
	err   error
}

func (s slowLedger) Reputation(ctx context.Context, member int64, at time.Time) (ledger.Reputation, error) {
	time.Sleep(s.delay)
	if s.err != nil {
		return ledger.Reputation{}, s.err
	}
	return s.Ledger.Reputation(ctx, member, at)
}

var deferred = func(flags discordgo.MessageFlags) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: flags}}
}

// TestDeferredResult checks a public command that outlasts the deadline:
// a deferral first, then its result as an edit of the original response.
func TestDeferredResult(t *testing.T) {
	h := newHarness(t)
	h.creditBob(5, "wrote the FAQ")
	h.router.DeferAfter = 20 * time.Millisecond
	h.bot.Ledger = slowLedger{Ledger: h.ledger, delay: 300 * time.Millisecond}

	i := h.command(carol, "rep", discordtest.UserOption("member", bob))
	if diff := cmp.Diff(deferred(0), h.send(i)); diff != "" {
		t.Fatalf("first response (-want +got):\n%s", diff)
	}
	h.discord.WaitFor(t, 5*time.Second, "edit", func() bool { return len(h.discord.Edits()) == 1 })
	edit := h.discord.Edits()[0]
	if edit.Token != i.Token || len(edit.Embeds) != 1 || edit.Embeds[0].Title != "Bob" ||
		!strings.HasPrefix(edit.Embeds[0].Description, "**Rank 1** · reputation **5.0**") {
		t.Errorf("edit = %+v", edit)
	}
	if diff := cmp.Diff(noPings, edit.AllowedMentions); diff != "" {
		t.Errorf("edit allowed mentions (-want +got):\n%s", diff)
	}
	if n := len(h.discord.Followups()); n != 0 {
		t.Errorf("%d follow-ups, want none", n)
	}
}

// TestDeferredError checks an error after a public deferral: it cannot
// turn the deferral ephemeral, so it goes in an ephemeral follow-up and the
// deferral is deleted.
func TestDeferredError(t *testing.T) {
	h := newHarness(t)
	h.router.DeferAfter = 20 * time.Millisecond
	h.bot.Ledger = slowLedger{Ledger: h.ledger, delay: 200 * time.Millisecond, err: errors.New("disk on fire")}

	i := h.command(bob, "rep")
	if diff := cmp.Diff(deferred(0), h.send(i)); diff != "" {
		t.Fatalf("first response (-want +got):\n%s", diff)
	}
	h.discord.WaitFor(t, 5*time.Second, "delete", func() bool { return len(h.discord.Deletes()) == 1 })
	f := h.discord.Followups()
	if len(f) != 1 || f[0].Flags != discordgo.MessageFlagsEphemeral || f[0].Token != i.Token ||
		!strings.Contains(f[0].Embeds[0].Description, "Something went wrong on docracy's side") {
		t.Errorf("follow-ups = %+v, want one ephemeral error", f)
	}
	if strings.Contains(f[0].Embeds[0].Description, "disk on fire") {
		t.Error("the reply leaks the internal error")
	}
	if d := h.discord.Deletes(); d[0] != i.Token {
		t.Errorf("deleted the response of %s, want %s", d[0], i.Token)
	}
}

// TestDeferredLink checks an ephemeral command held up by GitHub: an
// ephemeral deferral, then the link as an edit.
func TestDeferredLink(t *testing.T) {
	h := newHarness(t)
	h.github.SetUser(githubtest.User{ID: 583231, Login: "dana"})
	_, pending := h.link(dana, discordtest.String("github", "dana"))
	h.github.SetUser(githubtest.User{ID: 583231, Login: "dana", Bio: linkCode.FindString(pending.Description)})
	h.github.SetDelay(300 * time.Millisecond)
	h.router.DeferAfter = 20 * time.Millisecond

	i := h.command(dana, "link", discordtest.String("github", "dana"))
	if diff := cmp.Diff(deferred(discordgo.MessageFlagsEphemeral), h.send(i)); diff != "" {
		t.Fatalf("first response (-want +got):\n%s", diff)
	}
	h.discord.WaitFor(t, 5*time.Second, "edit", func() bool { return len(h.discord.Edits()) == 1 })
	if e := h.discord.Edits()[0]; e.Token != i.Token || e.Embeds[0].Title != "Linked" {
		t.Errorf("edit = %+v", e)
	}
}
