package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/ledger"
)

const bobsIBAN = "FR7630001007941234567890185"

// februaryCredits gives Bob 3 and Carol 1 doc points in February 2026,
// the month that ended last, and Bob a payout address; Carol has none.
func (h *harness) februaryCredits() {
	h.t.Helper()
	ctx := context.Background()
	for _, c := range []struct {
		user   discordtest.User
		points int64
	}{{bob, 3}, {carol, 1}} {
		if _, err := h.bot.DiscordMember(ctx, c.user.ID, c.user.Name); err != nil {
			h.t.Fatal(err)
		}
		_, _, err := h.bot.Credit(ctx, bot.CreditRequest{Member: "discord:" + c.user.ID, Points: c.points, Category: "doc",
			Note: "February docs", At: time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC), Ref: "feb-" + c.user.ID,
			Actor: "cli:test", Source: ledger.SourceCLI})
		if err != nil {
			h.t.Fatal(err)
		}
	}
	if err := h.ledger.SetPayoutAddress(ctx, h.member(bob).ID, bobsIBAN); err != nil {
		h.t.Fatal(err)
	}
}

// februaryRun is the embed of February's run: 1000.00 EUR split 3:1.
func februaryRun() *discordgo.MessageEmbed {
	return &discordgo.MessageEmbed{
		Title: "Payout 2026-02 · preview", Color: colorInfo,
		Description: "**Bob**: 750.00 EUR\n**Carol**: 250.00 EUR · no address: ask them to run /wallet",
		Fields: []*discordgo.MessageEmbedField{
			field("Period", "1 Feb 2026 to 28 Feb 2026", true), field("Budget", "1000.00 EUR", true),
			field("Policy", "proportional", true), field("Members", "2 members, 1 without an address", true),
		},
		Footer: &discordgo.MessageEmbedFooter{Text: "Preview: nothing is written until the run is closed."},
	}
}

// buttonResponse is an interaction response with its buttons, which
// discordgo's InteractionResponse cannot decode.
type buttonResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data struct {
		Content    string                    `json:"content"`
		Embeds     []*discordgo.MessageEmbed `json:"embeds"`
		Components []discordgo.ActionsRow    `json:"components"`
		Flags      discordgo.MessageFlags    `json:"flags"`
	} `json:"data"`
}

// sendButtons posts a signed interaction and reads a response that may
// carry buttons.
func (h *harness) sendButtons(i *discordgo.Interaction) buttonResponse {
	h.t.Helper()
	var r buttonResponse
	if err := decodeJSON(h.post(discordtest.JSON(h.t, i)), &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

func closeButtons(period string) []discordgo.ActionsRow {
	return []discordgo.ActionsRow{{Components: []discordgo.MessageComponent{
		&discordgo.Button{Label: "Close " + period, Style: discordgo.DangerButton, CustomID: "payout-close:" + period},
		&discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: "payout-cancel:" + period},
	}}}
}

// payoutRuns returns the closed runs.
func (h *harness) payoutRuns() []ledger.PayoutRun {
	h.t.Helper()
	runs, err := h.ledger.PayoutRuns(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return runs
}

func payoutCommand(h *harness, caller discordtest.User, action string, opts ...discordtest.Option) *discordgo.Interaction {
	return h.command(caller, "payout", append([]discordtest.Option{discordtest.String("action", action)}, opts...)...)
}

func TestPayoutPreview(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	before := h.entries()
	for _, opts := range [][]discordtest.Option{nil, {discordtest.String("period", "2026-02")}} {
		got := h.send(payoutCommand(h, tom, "preview", opts...))
		if diff := cmp.Diff(message("", noPings, discordgo.MessageFlagsEphemeral, februaryRun()), got); diff != "" {
			t.Errorf("/payout preview %d options (-want +got):\n%s", len(opts), diff)
		}
	}
	if diff := cmp.Diff(len(before), len(h.entries())); diff != "" || len(h.payoutRuns()) != 0 {
		t.Errorf("a preview wrote to the ledger: entries (-want +got):\n%s", diff)
	}
}

// TestPayoutErrors checks the runs that cannot be previewed or closed:
// an ephemeral error naming the period and saying what to do, nothing
// written and no button.
func TestPayoutErrors(t *testing.T) {
	tests := []struct {
		name   string
		action string
		period string
		want   string
	}{
		{"close, before the ledger starts", "close", "2026-02", "**Option `period`**: period 2026-02 ends before the ledger starts (its first contribution is dated 2026-03-01): pick 2026-03 or a later period"},
		{"close, not ended", "close", "2026-03", "**Option `period`**: period 2026-03 ends <t:1774994400:f>: close it after that"},
		{"preview, not a month", "preview", "november", "**Option `period`**: period \"november\": payouts are monthly, name a month like 2026-11"},
		{"close, no such month", "close", "2026-13", "there is no month 13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.creditBob(5, "March docs") // March, which has not ended
			refusal(t, h.send(payoutCommand(h, tom, tt.action, discordtest.String("period", tt.period))), tt.want)
			if n := len(h.entries()); n != 1 || len(h.payoutRuns()) != 0 {
				t.Errorf("%d entries and %d runs, want the credit alone", n, len(h.payoutRuns()))
			}
		})
	}
}

func TestPayoutNobodyEarned(t *testing.T) {
	h := newHarness(t)
	got := h.send(payoutCommand(h, tom, "preview"))
	want := message("", noPings, discordgo.MessageFlagsEphemeral, &discordgo.MessageEmbed{
		Title: "Payout 2026-02 · preview", Color: colorInfo,
		Description: "Nobody earned anything in 2026-02: there is nothing to pay.",
		Fields: []*discordgo.MessageEmbedField{
			field("Period", "1 Feb 2026 to 28 Feb 2026", true), field("Budget", "1000.00 EUR", true), field("Policy", "proportional", true),
		},
		Footer: &discordgo.MessageEmbedFooter{Text: "Preview: nothing is written until the run is closed."},
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/payout preview (-want +got):\n%s", diff)
	}
	// A crafted click finds nothing to close either.
	click := h.send(discordtest.Click(h.id(), tom, "payout-close:2026-02"))
	if click.Type != discordgo.InteractionResponseUpdateMessage ||
		!strings.Contains(click.Data.Embeds[0].Description, "nobody earned anything in 2026-02: there is nothing to close") {
		t.Errorf("close click = %s", describe(click))
	}
	if len(h.entries()) != 0 || len(h.payoutRuns()) != 0 {
		t.Error("closing a period where nobody earned wrote to the ledger")
	}
}

// TestPayoutClose is the whole close: the command only asks, the confirm
// button closes once, and a second click finds the period closed.
func TestPayoutClose(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	ask := h.sendButtons(payoutCommand(h, tom, "close"))
	if ask.Type != discordgo.InteractionResponseChannelMessageWithSource || ask.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("/payout close answered type %d flags %d, want an ephemeral message", ask.Type, ask.Data.Flags)
	}
	wantAsk := "**Close payout 2026-02?** Closing records one payout entry per member in the ledger, for good: a period closes once."
	if diff := cmp.Diff(wantAsk, ask.Data.Content); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]*discordgo.MessageEmbed{februaryRun()}, ask.Data.Embeds); diff != "" {
		t.Errorf("embeds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(closeButtons("2026-02"), ask.Data.Components); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	if n := len(h.entries()); n != 2 || len(h.payoutRuns()) != 0 {
		t.Fatalf("/payout close wrote to the ledger before the click: %d entries", n)
	}

	got := h.send(discordtest.Click(h.id(), tom, "payout-close:2026-02"))
	closed := februaryRun()
	closed.Title, closed.Color, closed.Timestamp = "Payout 2026-02 · closed", colorDone, "2026-03-01T12:00:00Z"
	closed.Fields = append(closed.Fields, field("Closed by", "<@"+tom.ID+">", true))
	closed.Footer = &discordgo.MessageEmbedFooter{Text: "Closed: ledger seq 3 to 4"}
	want := update("Payout 2026-02 is closed: 2 payout entries in the ledger. The addresses are in `docracy payout export --period 2026-02`.", closed)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("confirm click (-want +got):\n%s", diff)
	}
	checkClosed(t, h)

	again := h.send(discordtest.Click(h.id(), tom, "payout-close:2026-02"))
	wantAgain := update("", &discordgo.MessageEmbed{Title: "/payout: nothing was done", Color: colorError,
		Description: "period 2026-02 is already closed: see docracy payout export --period 2026-02"})
	if diff := cmp.Diff(wantAgain, again); diff != "" {
		t.Errorf("second click (-want +got):\n%s", diff)
	}
	refusal(t, h.send(payoutCommand(h, tom, "close", discordtest.String("period", "2026-02"))),
		"**Option `period`**: period 2026-02 was closed <t:1772366400:f>: nothing to do")
	// A preview of a closed period shows what was closed.
	closed.Fields = closed.Fields[:len(closed.Fields)-1]
	preview := h.send(payoutCommand(h, tom, "preview", discordtest.String("period", "2026-02")))
	if diff := cmp.Diff(message("", noPings, discordgo.MessageFlagsEphemeral, closed), preview); diff != "" {
		t.Errorf("preview of the closed period (-want +got):\n%s", diff)
	}
	if n := len(h.entries()); n != 4 || len(h.payoutRuns()) != 1 {
		t.Errorf("after the second click: %d entries and %d runs, want 4 and 1", n, len(h.payoutRuns()))
	}
}

// TestClosedPayoutInRepAndHistory: a member sees what they were paid among
// their latest entries.
func TestClosedPayoutInRepAndHistory(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	h.send(discordtest.Click(h.id(), tom, "payout-close:2026-02"))
	payout := h.entries()[2]
	want := fmt.Sprintf("`%s` <t:%d:d> · **payout** — 750.00 EUR for 2026\\-02 \\(proportional\\)", payout.ID, payout.OccurredAt.Unix())
	for _, name := range []string{"rep", "history"} {
		resp := h.send(h.command(bob, name))
		var lines []string
		for _, f := range resp.Data.Embeds[0].Fields {
			lines = append(lines, strings.Split(f.Value, "\n")...)
		}
		lines = append(lines, strings.Split(resp.Data.Embeds[0].Description, "\n")...)
		if !slices.Contains(lines, want) {
			t.Errorf("/%s does not list the payout %q:\n%s", name, want, strings.Join(lines, "\n"))
		}
	}
}

// update is a reply that replaces the clicked message, its buttons gone.
func update(content string, embeds ...*discordgo.MessageEmbed) *discordgo.InteractionResponse {
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: &discordgo.InteractionResponseData{
		Content: content, Embeds: embeds, Components: []discordgo.MessageComponent{}, AllowedMentions: noPings,
	}}
}

// checkClosed checks February's run in the ledger: one payout entry per
// member, by Tom on Discord, and a chain that verifies.
func checkClosed(t *testing.T, h *harness) {
	t.Helper()
	type payout struct {
		Kind   ledger.Kind
		Member int64
		Actor  string
		Source ledger.Source
		Note   string
	}
	var got []payout
	for _, e := range h.entries()[2:] {
		got = append(got, payout{e.Kind, e.Member, e.Actor, e.Source, e.Note})
	}
	want := []payout{
		{ledger.KindPayout, h.member(bob).ID, "discord:" + tom.ID, ledger.SourceDiscord, "750.00 EUR for 2026-02 (proportional)"},
		{ledger.KindPayout, h.member(carol).ID, "discord:" + tom.ID, ledger.SourceDiscord, "250.00 EUR for 2026-02 (proportional)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("payout entries (-want +got):\n%s", diff)
	}
	if runs := h.payoutRuns(); len(runs) != 1 || runs[0].Period != "2026-02" || runs[0].Actor != "discord:"+tom.ID {
		t.Errorf("payout runs = %+v", runs)
	}
	if _, n, err := h.ledger.Verify(context.Background()); err != nil || n != 4 {
		t.Errorf("verify: %d entries, %v; want 4 and ok", n, err)
	}
}

func TestPayoutCancel(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	h.sendButtons(payoutCommand(h, tom, "close"))
	got := h.send(discordtest.Click(h.id(), tom, "payout-cancel:2026-02"))
	if diff := cmp.Diff(update("Nothing was closed."), got); diff != "" {
		t.Errorf("cancel click (-want +got):\n%s", diff)
	}
	if n := len(h.entries()); n != 2 || len(h.payoutRuns()) != 0 {
		t.Errorf("cancel wrote to the ledger: %d entries, %d runs", n, len(h.payoutRuns()))
	}
}

// TestPayoutClickRefused checks clicks that must close nothing: by someone
// who is not a treasurer (any more), and on buttons docracy did not send.
// Each is answered with a new ephemeral error; the message clicked stays.
func TestPayoutClickRefused(t *testing.T) {
	tests := []struct {
		caller   discordtest.User
		customID string
		want     string
	}{
		{alice, "payout-close:2026-02", "/payout is for treasurers: ask someone with a treasurer role to run it"},
		{bob, "payout-close:2026-02", "/payout is for treasurers"},
		{nobody, "payout-cancel:2026-02", "/payout is for treasurers"},
		{tom, "payout-close", "this button comes from an older docracy: run /payout again"},
		{tom, "vote:yes", "docracy answers slash commands only"},
		{tom, "payout-close:" + strings.Repeat("9", 100), "docracy answers slash commands only"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s clicks %.20s", tt.caller.Name, tt.customID), func(t *testing.T) {
			h := newHarness(t)
			h.februaryCredits()
			refusal(t, h.send(discordtest.Click(h.id(), tt.caller, tt.customID)), tt.want)
			if n := len(h.entries()); n != 2 || len(h.payoutRuns()) != 0 {
				t.Errorf("a refused click wrote to the ledger: %d entries, %d runs", n, len(h.payoutRuns()))
			}
		})
	}
}

// TestDeferredClose checks a close that outlasts the deadline: the click
// is acknowledged as a deferred update, and the closed run then replaces
// the message, buttons removed.
func TestDeferredClose(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	h.sendButtons(payoutCommand(h, tom, "close"))
	gate := make(chan struct{})
	h.router.Treasury.(*bot.Treasury).Now = func() time.Time {
		<-gate
		return h.clock.Now()
	}
	h.router.DeferAfter = 20 * time.Millisecond

	i := discordtest.Click(h.id(), tom, "payout-close:2026-02")
	if diff := cmp.Diff(&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}, h.send(i)); diff != "" {
		t.Fatalf("first response (-want +got):\n%s", diff)
	}
	close(gate)
	h.discord.WaitFor(t, 5*time.Second, "edit", func() bool { return len(h.discord.Edits()) == 1 })
	if e := h.discord.Edits()[0]; e.Token != i.Token || !strings.HasPrefix(e.Content, "Payout 2026-02 is closed") ||
		len(e.Embeds) != 1 || e.Embeds[0].Title != "Payout 2026-02 · closed" {
		t.Errorf("edit = %+v", e)
	}
	for _, c := range h.discord.Calls() {
		if c.Method != "PATCH" {
			continue
		}
		var body struct {
			Components *[]json.RawMessage `json:"components"`
		}
		if err := json.Unmarshal(c.Body, &body); err != nil || body.Components == nil || len(*body.Components) != 0 {
			t.Errorf("the edit keeps the buttons: %s", c.Body)
		}
	}
	checkClosed(t, h)
}

// TestGatewayClick checks a click that arrives by the gateway: answered by
// REST with the same update as over HTTP.
func TestGatewayClick(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	i := discordtest.Click(h.id(), tom, "payout-cancel:2026-02")
	newGateway(t, h).Handle(context.Background(), i)
	cb := h.discord.Callbacks()
	if len(cb) != 1 || cb[0].InteractionID != i.ID {
		t.Fatalf("callbacks = %+v, want one for %s", cb, i.ID)
	}
	if diff := cmp.Diff(*update("Nothing was closed."), cb[0].Response); diff != "" {
		t.Errorf("callback (-want +got):\n%s", diff)
	}
}

// closeFebruary closes February's run by a click, as Tom.
func (h *harness) closeFebruary() {
	h.t.Helper()
	if got := h.send(discordtest.Click(h.id(), tom, "payout-close:2026-02")); !strings.HasPrefix(got.Data.Content, "Payout 2026-02 is closed") {
		h.t.Fatalf("close click = %s", describe(got))
	}
}

// TestPayoutReopen is the whole reopen: the command only asks, the
// confirm button revokes each payout once, with the reason, and a second
// click finds nothing standing; the period may then be closed again.
func TestPayoutReopen(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	h.closeFebruary()
	const reason = "wrong budget *again*"
	ask := h.sendButtons(payoutCommand(h, tom, "reopen", discordtest.String("period", "2026-02"), discordtest.String("reason", reason)))
	wantAsk := "**Reopen payout 2026-02?** Reopening appends a revoke entry for each payout below, 1000.00 EUR in all, " +
		"with the reason “wrong budget \\*again\\*”. The period may then be closed again."
	if ask.Data.Flags != discordgo.MessageFlagsEphemeral || ask.Data.Content != wantAsk {
		t.Errorf("/payout reopen = flags %d %q, want ephemeral %q", ask.Data.Flags, ask.Data.Content, wantAsk)
	}
	wantButtons := []discordgo.ActionsRow{{Components: []discordgo.MessageComponent{
		&discordgo.Button{Label: "Reopen 2026-02", Style: discordgo.DangerButton, CustomID: "payout-reopen:2026-02:" + reason},
		&discordgo.Button{Label: "Cancel", Style: discordgo.SecondaryButton, CustomID: "payout-keep:2026-02"},
	}}}
	if diff := cmp.Diff(wantButtons, ask.Data.Components); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
	if n := len(h.entries()); n != 4 {
		t.Fatalf("/payout reopen wrote to the ledger before the click: %d entries", n)
	}

	got := h.send(discordtest.Click(h.id(), tom, "payout-reopen:2026-02:"+reason))
	if got.Type != discordgo.InteractionResponseUpdateMessage || len(got.Data.Embeds) != 1 ||
		got.Data.Embeds[0].Title != "Payout 2026-02 · reopened" ||
		!strings.HasPrefix(got.Data.Content, "Payout 2026-02 is reopened") {
		t.Fatalf("confirm click = %s", describe(got))
	}
	checkReopened(t, h, reason)

	again := h.send(discordtest.Click(h.id(), tom, "payout-reopen:2026-02:"+reason))
	wantAgain := update("", &discordgo.MessageEmbed{Title: "/payout: nothing was done", Color: colorError,
		Description: "period 2026-02 has no closed run to reopen: see docracy payout preview --period 2026-02"})
	if diff := cmp.Diff(wantAgain, again); diff != "" {
		t.Errorf("second click (-want +got):\n%s", diff)
	}
	if n := len(h.entries()); n != 6 {
		t.Errorf("after the second click: %d entries, want 6", n)
	}
	h.closeFebruary()
	if runs := h.payoutRuns(); len(runs) != 2 || runs[0].Reopened != nil || runs[1].Reopened == nil {
		t.Errorf("after closing again, runs = %+v; want the new one standing and the old one reopened", runs)
	}
	// The first run's button does not reopen the run closed since.
	stale := h.send(discordtest.Click(h.id(), tom, "payout-reopen:2026-02:"+reason))
	if stale.Type != discordgo.InteractionResponseUpdateMessage || !strings.Contains(stale.Data.Embeds[0].Description,
		"the run this button reopens was reopened already, and 2026-02 was closed again since") {
		t.Errorf("old click after closing again = %s", describe(stale))
	}
	ask = h.sendButtons(payoutCommand(h, tom, "reopen", discordtest.String("period", "2026-02"), discordtest.String("reason", "x")))
	if id := ask.Data.Components[0].Components[0].(*discordgo.Button).CustomID; id != "payout-reopen:2026-02#2:x" {
		t.Errorf("the second run's button is %q, want payout-reopen:2026-02#2:x", id)
	}
	if n, runs := len(h.entries()), h.payoutRuns(); n != 8 || runs[0].Reopened != nil {
		t.Errorf("the old click wrote to the ledger: %d entries, runs %+v", n, runs)
	}
}

// checkReopened checks that each payout of February's run is revoked by
// Tom on Discord with the reason, and that the chain verifies.
func checkReopened(t *testing.T, h *harness, reason string) {
	t.Helper()
	entries := h.entries()
	if len(entries) != 6 {
		t.Fatalf("%d entries after the reopen, want 6", len(entries))
	}
	for _, e := range entries[4:] {
		if e.Kind != ledger.KindRevoke || e.Actor != "discord:"+tom.ID || e.Source != ledger.SourceDiscord || !strings.Contains(e.Note, reason) {
			t.Errorf("entry %d = %s by %s from %s, note %q; want a revoke by Tom with the reason", e.Seq, e.Kind, e.Actor, e.Source, e.Note)
		}
	}
	runs := h.payoutRuns()
	if len(runs) != 1 || runs[0].Reopened == nil || runs[0].Reopened.Reason != reason || runs[0].Reopened.Actor != "discord:"+tom.ID {
		t.Errorf("payout runs = %+v", runs)
	}
	if _, n, err := h.ledger.Verify(context.Background()); err != nil || n != 6 {
		t.Errorf("verify: %d entries, %v; want 6 and ok", n, err)
	}
}

// TestPayoutReopenRefused checks reopens that must write nothing: by
// someone who is not a treasurer, by command or by click; without a
// reason; of a period with no standing run; and the cancel button.
func TestPayoutReopenRefused(t *testing.T) {
	h := newHarness(t)
	h.februaryCredits()
	refusal(t, h.send(payoutCommand(h, tom, "reopen", discordtest.String("period", "2026-02"), discordtest.String("reason", "typo"))),
		"period 2026-02 has no closed run to reopen")
	h.closeFebruary()
	for _, tt := range []struct {
		name string
		i    *discordgo.Interaction
		want string
	}{
		{"non-treasurer command", payoutCommand(h, bob, "reopen", discordtest.String("reason", "mine")), "/payout is for treasurers"},
		{"non-treasurer click", discordtest.Click(h.id(), alice, "payout-reopen:2026-02:mine"), "/payout is for treasurers"},
		{"no reason", payoutCommand(h, tom, "reopen", discordtest.String("period", "2026-02")), "**Option `reason`**: reason is missing"},
		{"blank reason", payoutCommand(h, tom, "reopen", discordtest.String("reason", "  ")), "**Option `reason`**: reason is missing"},
	} {
		refusal(t, h.send(tt.i), tt.want)
	}
	// A crafted click without a reason replaces its message with the error.
	bare := h.send(discordtest.Click(h.id(), tom, "payout-reopen:2026-02"))
	if bare.Type != discordgo.InteractionResponseUpdateMessage ||
		!strings.Contains(bare.Data.Embeds[0].Description, "this button comes from an older docracy: run /payout again") {
		t.Errorf("click without a reason = %s", describe(bare))
	}
	if diff := cmp.Diff(update("Nothing was reopened."), h.send(discordtest.Click(h.id(), tom, "payout-keep:2026-02"))); diff != "" {
		t.Errorf("cancel click (-want +got):\n%s", diff)
	}
	if n := len(h.entries()); n != 4 || h.payoutRuns()[0].Reopened != nil {
		t.Errorf("a refused reopen wrote to the ledger: %d entries, runs %+v", n, h.payoutRuns())
	}
}
