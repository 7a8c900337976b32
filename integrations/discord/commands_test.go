package discord_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/ledger"
)

const (
	colorDone  = 0x2ecc71
	colorInfo  = 0x5865f2
	colorError = 0xe74c3c
)

// noPings is the allowed mentions of a reply that may ping nobody.
var noPings = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

func pingOnly(id string) *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}, Users: []string{id}}
}

func message(content string, am *discordgo.MessageAllowedMentions, flags discordgo.MessageFlags, embeds ...*discordgo.MessageEmbed) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: content, Embeds: embeds, AllowedMentions: am, Flags: flags}}
}

func field(name, value string, inline bool) *discordgo.MessageEmbedField {
	return &discordgo.MessageEmbedField{Name: name, Value: value, Inline: inline}
}

func day(e ledger.Entry) string { return fmt.Sprintf("<t:%d:d>", e.OccurredAt.Unix()) }

// creditBob has Alice credit Bob and returns the interaction.
func (h *harness) creditBob(points int64, note string) *discordgo.Interaction {
	h.t.Helper()
	i := h.command(alice, "credit", discordtest.UserOption("member", bob), discordtest.Int("points", points),
		discordtest.String("category", "doc"), discordtest.String("note", note))
	if r := h.send(i); r.Data == nil || r.Data.Flags != 0 {
		h.t.Fatalf("credit refused: %+v", r.Data.Embeds[0])
	}
	return i
}

func TestCredit(t *testing.T) {
	h := newHarness(t)
	i := h.command(alice, "credit", discordtest.UserOption("member", bob), discordtest.Int("points", 5),
		discordtest.String("category", "doc"), discordtest.String("note", "wrote the <install> guide & FAQ"),
		discordtest.String("url", "https://example.org/faq"))
	got := h.send(i)
	want := message("<@"+bob.ID+">", pingOnly(bob.ID), 0, &discordgo.MessageEmbed{
		Title: "+5 doc points for Bob", Description: `wrote the \<install\> guide & FAQ`, URL: "https://example.org/faq",
		Color: colorDone, Timestamp: "2026-03-01T12:00:00Z", Footer: &discordgo.MessageEmbedFooter{Text: "ledger seq 1"},
		Fields: []*discordgo.MessageEmbedField{
			field("Credited by", "<@"+alice.ID+">", true), field("Entry", "`e1` (undo: `/revoke entry:1`)", true),
		},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
	entries := h.entries()
	wantEntry := ledger.Entry{
		Seq: 1, ID: "e1", Kind: ledger.KindCredit, Member: h.member(bob).ID, Category: "doc", Points: 5,
		OccurredAt: start, RecordedAt: start, Source: ledger.SourceDiscord, SourceRef: "discord:interaction:" + i.ID,
		Actor: "discord:" + alice.ID, Note: "wrote the <install> guide & FAQ", URL: "https://example.org/faq",
		PrevHash: ledger.ZeroHash,
	}
	if diff := cmp.Diff([]ledger.Entry{wantEntry}, entries, cmpopts.IgnoreFields(ledger.Entry{}, "Hash")); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}
	// The caller and the credited user are members, named as Discord shows them.
	var names []string
	for _, m := range h.members() {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff([]string{"Alice", "Bob"}, names); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
}

// TestRetriedInteraction sends the same interaction twice, by HTTP and by
// the gateway: one entry, and the second answer says nothing was added.
func TestRetriedInteraction(t *testing.T) {
	h := newHarness(t)
	i := h.creditBob(5, "first")
	again := h.send(i)
	if n := len(h.entries()); n != 1 {
		t.Fatalf("%d entries after a retried interaction, want 1", n)
	}
	if footer := again.Data.Embeds[0].Footer.Text; footer != "ledger seq 1 · already recorded: nothing added" {
		t.Errorf("retry footer = %q", footer)
	}
	gw := newGateway(t, h)
	gw.Handle(context.Background(), i)
	if n := len(h.entries()); n != 1 {
		t.Errorf("%d entries after the same interaction by the gateway, want 1", n)
	}
}

func TestPraise(t *testing.T) {
	h := newHarness(t)
	i := h.command(bob, "praise", discordtest.UserOption("member", carol), discordtest.String("reason", "reviewed my PR so kindly"))
	got := h.send(i)
	want := message("<@"+carol.ID+">", pingOnly(carol.ID), 0, &discordgo.MessageEmbed{
		Title: "Bob praised Carol", Description: "reviewed my PR so kindly", Color: colorDone,
		Timestamp: "2026-03-01T12:00:00Z", Footer: &discordgo.MessageEmbedFooter{Text: "ledger seq 1"},
		Fields: []*discordgo.MessageEmbedField{field("Points", "+1 community point", true), field("Entry", "`e1`", true)},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reply (-want +got):\n%s", diff)
	}
	e := h.entries()[0]
	if e.Kind != ledger.KindPraise || e.Member != h.member(carol).ID || e.Actor != "discord:"+bob.ID ||
		e.Points != 1 || e.Category != "community" || e.SourceRef != "discord:interaction:"+i.ID {
		t.Errorf("praise entry = %+v", e)
	}
}

func TestRep(t *testing.T) {
	h := newHarness(t)
	h.creditBob(5, "wrote the FAQ")
	got := h.send(h.command(carol, "rep", discordtest.UserOption("member", bob)))
	e := h.entries()[0]
	want := message("", noPings, 0, &discordgo.MessageEmbed{
		Title: "Bob", Color: colorInfo,
		Description: "**Rank 1** · reputation **5.0** · 5 points in all\n\n`doc` 5 points · reputation 5.0",
		Fields: []*discordgo.MessageEmbedField{
			field("Accounts", "Discord <@"+bob.ID+">", false),
			field("Latest entries", "`e1` "+day(e)+" · **+5** doc — wrote the FAQ", false),
		},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/rep member:Bob (-want +got):\n%s", diff)
	}
	// Without a member, one's own; a newcomer has no points yet.
	mine := h.send(h.command(carol, "rep"))
	if d := mine.Data.Embeds[0]; d.Title != "Carol" || d.Description != "No points yet." {
		t.Errorf("/rep by Carol = %q %q, want Carol, No points yet.", d.Title, d.Description)
	}
	// Someone who never used the bot has no member, and that is no error.
	other := h.send(h.command(carol, "rep", discordtest.UserOption("member", eve)))
	if d := other.Data.Embeds[0]; other.Data.Flags != 0 || !strings.HasPrefix(d.Description, "Eve has no entries yet") {
		t.Errorf("/rep member:Eve = %+v", d)
	}
}

func TestLeaderboard(t *testing.T) {
	h := newHarness(t)
	h.creditBob(5, "wrote the FAQ")
	h.send(h.command(bob, "praise", discordtest.UserOption("member", carol), discordtest.String("reason", "fixed the build")))
	tests := []struct {
		opts []discordtest.Option
		want *discordgo.MessageEmbed
	}{
		{nil, &discordgo.MessageEmbed{Title: "Leaderboard · all time", Color: colorInfo,
			Description: "**1.** Bob — 5 points · reputation 5.0\n**2.** Carol — 1 point · reputation 1.0"}},
		{[]discordtest.Option{discordtest.String("window", "7d"), discordtest.String("category", "community")},
			&discordgo.MessageEmbed{Title: "Leaderboard · last 7 days · community", Color: colorInfo,
				Description: "**1.** Carol — 1 point · reputation 1.0"}},
		{[]discordtest.Option{discordtest.String("category", "review")},
			&discordgo.MessageEmbed{Title: "Leaderboard · all time · review", Color: colorInfo, Description: "No points in this window yet."}},
	}
	for _, tt := range tests {
		got := h.send(h.command(carol, "leaderboard", tt.opts...))
		if diff := cmp.Diff(message("", noPings, 0, tt.want), got); diff != "" {
			t.Errorf("/leaderboard %v (-want +got):\n%s", tt.want.Title, diff)
		}
	}
}

func TestHistory(t *testing.T) {
	h := newHarness(t)
	h.creditBob(5, "wrote the FAQ")
	h.creditBob(2, "fixed a *typo*")
	entries := h.entries()
	got := h.send(h.command(bob, "history"))
	want := message("", noPings, 0, &discordgo.MessageEmbed{
		Title: "Latest entries of Bob", Color: colorInfo,
		Description: "`e2` " + day(entries[1]) + ` · **+2** doc — fixed a \*typo\*` + "\n`e1` " + day(entries[0]) + " · **+5** doc — wrote the FAQ",
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/history (-want +got):\n%s", diff)
	}
}

// TestHistoryShowsPlainText: an entry recorded before hidden characters
// were refused, whose note turns the direction of the text and clears a
// terminal, shows in /history as what its bytes say.
func TestHistoryShowsPlainText(t *testing.T) {
	h := newHarness(t)
	h.creditBob(5, "wrote the FAQ")
	_, _, err := h.ledger.Append(context.Background(), ledger.NewEntry{
		Kind: ledger.KindCredit, Member: h.member(bob).ID, Category: "doc", Points: 2, OccurredAt: start,
		Source: ledger.SourceCLI, SourceRef: "cli:old", Actor: "cli:test", Note: "fix \u202egnp.exe\x1b[2J",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := h.send(h.command(bob, "history"))
	entries := h.entries()
	want := "`e2` " + day(entries[1]) + ` · **+2** doc — fix gnp.exe \[2J` + "\n`e1` " + day(entries[0]) + " · **+5** doc — wrote the FAQ"
	if len(got.Data.Embeds) != 1 || got.Data.Embeds[0].Description != want {
		t.Errorf("/history = %+v, want the description %q", got.Data, want)
	}
}

func TestRevoke(t *testing.T) {
	h := newHarness(t)
	h.creditBob(5, "wrote the FAQ")
	got := h.send(h.command(alice, "revoke", discordtest.String("entry", "e1"), discordtest.String("reason", "counted twice")))
	want := message("", noPings, 0, &discordgo.MessageEmbed{
		Title: "Entry e1 revoked", Color: colorDone, Timestamp: "2026-03-01T12:00:00Z",
		Description: "-5 doc points taken back from Bob.\n**Reason:** counted twice",
		Footer:      &discordgo.MessageEmbedFooter{Text: "ledger seq 2"},
		Fields:      []*discordgo.MessageEmbedField{field("Revoked by", "<@"+alice.ID+">", true)},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/revoke (-want +got):\n%s", diff)
	}
	rep, err := h.ledger.Reputation(context.Background(), h.member(bob).ID, start)
	if err != nil || rep.Points != 0 {
		t.Errorf("Bob's points after the revoke = %d, %v; want 0", rep.Points, err)
	}
}

func TestWallet(t *testing.T) {
	h := newHarness(t)
	got := h.send(h.command(bob, "wallet", discordtest.String("address", "FR7630001007941234567890185")))
	want := message("", noPings, discordgo.MessageFlagsEphemeral, &discordgo.MessageEmbed{
		Title: "Payout address saved", Color: colorDone,
		Description: "Your payouts go to `•••0185`. Only the treasurer's payout export shows the address; run `/wallet` again to change it.",
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/wallet (-want +got):\n%s", diff)
	}
	if m, _ := h.ledger.Member(context.Background(), h.member(bob).ID); m.PayoutAddress != "FR7630001007941234567890185" {
		t.Errorf("payout address = %q", m.PayoutAddress)
	}
}

func TestHelp(t *testing.T) {
	h := newHarness(t)
	got := h.send(h.command(eve, "help"))
	if got.Data.Flags != discordgo.MessageFlagsEphemeral || len(got.Data.Embeds) != 1 {
		t.Fatalf("/help = %+v, want one ephemeral embed", got.Data)
	}
	desc := got.Data.Embeds[0].Description
	for _, line := range []string{
		"`/credit member points category note [url]` — Credit a member for a contribution (maintainers)",
		"`/praise member reason`", "`/rep [member]`", "`/leaderboard [window] [category]`", "`/history [member]`",
		"`/link github [member]`", "`/wallet address`", "`/revoke entry reason`",
		"`/payout action [period] [reason]` — Preview, close or reopen a period's payout (treasurers)",
		"`/digest action` — Preview the digest the schedule has due now (maintainers)", "`/help`",
	} {
		if !strings.Contains(desc, line) {
			t.Errorf("/help does not show %q:\n%s", line, desc)
		}
	}
	if len(h.entries()) != 0 {
		t.Error("/help wrote to the ledger")
	}
}

// TestMentions checks that whatever a note says, a reply pings the
// credited member and nobody else.
func TestMentions(t *testing.T) {
	h := newHarness(t)
	note := "thanks @everyone @here <@&123> <@" + carol.ID + ">"
	got := h.send(h.command(alice, "credit", discordtest.UserOption("member", bob), discordtest.Int("points", 1),
		discordtest.String("category", "doc"), discordtest.String("note", note)))
	if diff := cmp.Diff(pingOnly(bob.ID), got.Data.AllowedMentions); diff != "" {
		t.Errorf("allowed mentions (-want +got):\n%s", diff)
	}
	if got.Data.Content != "<@"+bob.ID+">" {
		t.Errorf("content = %q, want only the credited member's mention", got.Data.Content)
	}
	desc := got.Data.Embeds[0].Description
	for _, raw := range []string{"@everyone", "@here", "<@&123>", "<@" + carol.ID + ">"} {
		if strings.Contains(desc, raw) {
			t.Errorf("the note shows %q as a live mention: %q", raw, desc)
		}
	}
	// Readings and errors ping nobody at all.
	for _, i := range []*discordgo.Interaction{
		h.command(bob, "history"),
		h.command(bob, "credit", discordtest.UserOption("member", bob), discordtest.Int("points", 1),
			discordtest.String("category", "doc"), discordtest.String("note", "@everyone")),
	} {
		if diff := cmp.Diff(noPings, h.send(i).Data.AllowedMentions); diff != "" {
			t.Errorf("/%s allowed mentions (-want +got):\n%s", i.ApplicationCommandData().Name, diff)
		}
	}
}
