package discord_test

import (
	"context"
	"fmt"
	"log/slog"
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

// dave is a member with no college, so outside a college poll's electorate.
var dave = discordtest.User{ID: "100000000000000007", Name: "Dave", Roles: []string{memberRole}}

// pollChannel is the channel discordtest's interactions come from.
const pollChannel = "810000000000000001"

// colleges are the cooperative's colleges in these tests.
var colleges = map[string]int64{"workers": 40, "volunteers": 30, "users": 30}

// withPolls gives the harness the polls, with a tally delay, and places
// Bob, Carol and Tom in three colleges; Dave has none.
func (h *harness) withPolls(delay time.Duration) *discord.PollBoard {
	h.t.Helper()
	ctx := context.Background()
	a := &bot.Assembly{Ledger: h.ledger, Bot: h.bot, Colleges: colleges, Now: h.clock.Now}
	board := &discord.PollBoard{Assembly: a, Messages: h.ledger, Channel: h.rest, Delay: delay}
	h.router.Assembly, h.router.Polls = a, board
	h.t.Cleanup(func() { board.Stop(context.Background()) })
	for _, c := range []struct {
		u       discordtest.User
		college string
	}{{bob, "workers"}, {carol, "volunteers"}, {tom, "users"}, {dave, ""}} {
		u, college := c.u, c.college
		m, err := h.bot.DiscordMember(ctx, u.ID, u.Name)
		if err != nil {
			h.t.Fatal(err)
		}
		if college == "" {
			continue
		}
		if _, _, err := h.ledger.SetCollege(ctx, ledger.CollegeRequest{Member: m.ID, College: college, Source: ledger.SourceCLI,
			SourceRef: "college:" + u.ID, Actor: "cli:test"}); err != nil {
			h.t.Fatal(err)
		}
	}
	return board
}

// transport sends an interaction and returns its first response.
type transport func(i *discordgo.Interaction) *discordgo.InteractionResponse

// transports are the two ways an interaction arrives: signed HTTP, and
// INTERACTION_CREATE on a gateway session with the answer sent by REST.
func (h *harness) transports() map[string]transport {
	return map[string]transport{"http": h.send, "gateway": h.gatewayTransport()}
}

func (h *harness) gatewayTransport() transport {
	var gw *discord.Gateway
	return func(i *discordgo.Interaction) *discordgo.InteractionResponse {
		h.t.Helper()
		if gw == nil {
			gw = newGateway(h.t, h)
			if err := gw.Open(); err != nil {
				h.t.Fatal(err)
			}
			h.t.Cleanup(func() { gw.Close() })
			h.discord.WaitReady(h.t, 5*time.Second)
		}
		before := len(h.callbacksFor(i.ID))
		h.discord.Dispatch(h.t, "INTERACTION_CREATE", i)
		h.discord.WaitFor(h.t, 5*time.Second, "callback of "+i.ID, func() bool { return len(h.callbacksFor(i.ID)) > before })
		cb := h.callbacksFor(i.ID)
		return &cb[len(cb)-1].Response
	}
}

func (h *harness) callbacksFor(id string) []discordtest.Callback {
	var out []discordtest.Callback
	for _, cb := range h.discord.Callbacks() {
		if cb.InteractionID == id {
			out = append(out, cb)
		}
	}
	return out
}

// ephemeral checks an ephemeral message answer and returns its content.
func ephemeral(t *testing.T, what string, r *discordgo.InteractionResponse) string {
	t.Helper()
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data == nil || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("%s: answer = %+v, want an ephemeral message", what, r)
	}
	return r.Data.Content
}

// refusalText checks an ephemeral error answer and returns its text.
func refusalText(t *testing.T, what string, r *discordgo.InteractionResponse) string {
	t.Helper()
	ephemeral(t, what, r)
	if len(r.Data.Embeds) != 1 || r.Data.Embeds[0].Color != colorError {
		t.Fatalf("%s: answer = %+v, want a refusal", what, r.Data)
	}
	return r.Data.Embeds[0].Description
}

func (h *harness) openPoll(send transport, opts ...discordtest.Option) (string, discordtest.Message) {
	h.t.Helper()
	opts = append([]discordtest.Option{discordtest.String("question", "Adopt the 2027 budget?")}, opts...)
	i := h.command(alice, "poll", discordtest.Sub("open", opts...))
	got := ephemeral(h.t, "/poll open", send(i))
	id, _, ok := strings.Cut(strings.TrimPrefix(got, "Poll "), " opened")
	if !ok {
		h.t.Fatalf("/poll open = %q", got)
	}
	h.discord.WaitFor(h.t, 5*time.Second, "poll message", func() bool { return len(h.discord.Messages()) > 0 })
	return id, h.discord.Messages()[len(h.discord.Messages())-1]
}

func (h *harness) votes() int {
	n := 0
	for _, e := range h.entries() {
		if e.Kind == ledger.KindVote {
			n++
		}
	}
	return n
}

// TestPollButtons runs a college poll through each transport: opened by a
// maintainer, voted on by the buttons by members of three colleges, a
// retried click, a member outside the electorate, the close, and a click
// on a stale message after it.
func TestPollButtons(t *testing.T) {
	for name := range newHarness(t).transports() {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.withPolls(20 * time.Millisecond)
			send := h.transports()[name]
			id, msg := h.openPoll(send)
			if msg.ChannelID != pollChannel || len(msg.Components) != 1 || len(msg.Components[0].Components) != 3 {
				t.Fatalf("poll message = %+v, want three buttons in %s", msg, pollChannel)
			}
			click := func(u discordtest.User, option int) *discordgo.Interaction {
				return h.discord.Click(t, h.id(), u, msg.ID, fmt.Sprintf("poll:%s:%d", id, option))
			}
			first, second, third := click(bob, 0), click(carol, 1), click(tom, 0)
			for _, c := range []struct {
				i    *discordgo.Interaction
				want string
			}{{first, "yes"}, {second, "no"}, {third, "yes"}, {first, "yes"}} {
				got := ephemeral(t, "click", send(c.i))
				if want := fmt.Sprintf("You voted **%s** in %s; click again", c.want, id); !strings.HasPrefix(got, want) {
					t.Errorf("click answer = %q, want %q…", got, want)
				}
			}
			if n := h.votes(); n != 3 {
				t.Errorf("%d vote entries after three clicks and a retried one, want 3", n)
			}
			var keys []string
			for _, e := range h.entries() {
				if e.Kind == ledger.KindVote {
					keys = append(keys, e.SourceRef)
				}
			}
			key := func(i *discordgo.Interaction) string { return "discord:interaction:" + i.ID }
			if diff := cmp.Diff([]string{key(first), key(second), key(third)}, keys); diff != "" {
				t.Errorf("the votes' keys (-want +got):\n%s", diff)
			}
			if got := refusalText(t, "Dave's click", send(click(dave, 0))); !strings.Contains(got, "you are not in this poll's electorate") {
				t.Errorf("Dave's click: %q", got)
			}
			h.discord.WaitFor(t, 5*time.Second, "live tally", func() bool {
				m, _ := h.discord.Message(msg.ID)
				return len(m.Embeds) == 1 && strings.Contains(m.Embeds[0].Description, "**yes**: 2 votes · 70.00 %")
			})

			got := ephemeral(t, "/poll close", send(h.command(alice, "poll", discordtest.Sub("close", discordtest.String("poll", id)))))
			if want := "Poll " + id + " closed: **yes** adopted."; !strings.HasPrefix(got, want) {
				t.Errorf("/poll close = %q, want %q…", got, want)
			}
			checkClosedPoll(t, h, msg.ID, id)
			stale := discordtest.Click(h.id(), carol, fmt.Sprintf("poll:%s:0", id))
			if got := refusalText(t, "click after the close", send(stale)); !strings.Contains(got, "poll "+id+" is closed") {
				t.Errorf("click after the close: %q", got)
			}
			if n := h.votes(); n != 3 {
				t.Errorf("%d vote entries after the close, want 3", n)
			}
		})
	}
}

// checkClosedPoll checks the poll's message shows the result without
// buttons, and the result with each college is posted under it.
func checkClosedPoll(t *testing.T, h *harness, messageID, id string) {
	t.Helper()
	m, _ := h.discord.Message(messageID)
	if len(m.Components) != 0 || len(m.Embeds) != 1 || !strings.Contains(fieldValue(m.Embeds[0], "Result"), "**yes** adopted") {
		t.Errorf("poll message after the close = %+v", m)
	}
	msgs := h.discord.Messages()
	result := msgs[len(msgs)-1]
	if result.Content != "**Poll "+id+" is closed.**" || result.ChannelID != pollChannel || len(result.Embeds) != 1 {
		t.Fatalf("result message = %+v", result)
	}
	want := map[string]string{
		"workers (weight 40)":    "1 voter\n**yes**: 1 vote · 100.00 %\n**no**: 0 votes · 0.00 %\n**abstain**: 0 votes · 0.00 %",
		"volunteers (weight 30)": "1 voter\n**yes**: 0 votes · 0.00 %\n**no**: 1 vote · 100.00 %\n**abstain**: 0 votes · 0.00 %",
		"users (weight 30)":      "1 voter\n**yes**: 1 vote · 100.00 %\n**no**: 0 votes · 0.00 %\n**abstain**: 0 votes · 0.00 %",
	}
	for name, value := range want {
		if got := fieldValue(result.Embeds[0], name); got != value {
			t.Errorf("result field %q = %q, want %q", name, got, value)
		}
	}
	if !strings.Contains(result.Embeds[0].Description, "**yes**: 2 votes · 70.00 %\n**no**: 1 vote · 30.00 %") {
		t.Errorf("result = %q", result.Embeds[0].Description)
	}
}

func fieldValue(e *discordgo.MessageEmbed, name string) string {
	for _, f := range e.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// TestVoteCommand votes with /vote, shows the poll, and refuses an option
// the poll does not have, through each transport.
func TestVoteCommand(t *testing.T) {
	for name := range newHarness(t).transports() {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t)
			h.withPolls(20 * time.Millisecond)
			send := h.transports()[name]
			id, _ := h.openPoll(send, discordtest.String("options", "keep, change"), discordtest.String("mode", "member"))
			vote := func(u discordtest.User, option string) *discordgo.InteractionResponse {
				return send(h.command(u, "vote", discordtest.String("poll", id), discordtest.String("option", option)))
			}
			if got := ephemeral(t, "/vote", vote(dave, "change")); !strings.HasPrefix(got, "You voted **change** in "+id) {
				t.Errorf("/vote = %q", got)
			}
			if got := refusalText(t, "/vote maybe", vote(bob, "maybe")); !strings.Contains(got, `option "maybe" is not one of poll `+id+"'s options: keep, change") {
				t.Errorf("/vote maybe = %q", got)
			}
			show := send(h.command(bob, "poll", discordtest.Sub("show", discordtest.String("poll", id))))
			ephemeral(t, "/poll show", show)
			if d := show.Data.Embeds[0].Description; d != "**keep**: 0 votes · 0.00 %\n**change**: 1 vote · 100.00 %" {
				t.Errorf("/poll show = %q", d)
			}
			if got := refusalText(t, "Bob's /poll open", send(h.command(bob, "poll", discordtest.Sub("open", discordtest.String("question", "Mine?"))))); !strings.Contains(got, "for maintainers") {
				t.Errorf("Bob's /poll open = %q", got)
			}
		})
	}
}

// TestPollTallyDebounced clicks many times within the tally delay: the
// poll's message is edited once, with the figures after the last click.
func TestPollTallyDebounced(t *testing.T) {
	h := newHarness(t)
	h.withPolls(time.Second)
	id, msg := h.openPoll(h.send)
	start := time.Now()
	for n := range 9 {
		u := []discordtest.User{bob, carol, tom}[n%3]
		h.send(h.discord.Click(t, h.id(), u, msg.ID, fmt.Sprintf("poll:%s:%d", id, n%2)))
	}
	if time.Since(start) > 900*time.Millisecond {
		t.Skipf("the clicks took %s, longer than the tally delay: too slow a machine to test the debounce", time.Since(start))
	}
	h.discord.WaitFor(t, 5*time.Second, "tally edit", func() bool { return len(h.discord.MessageEdits()) > 0 })
	time.Sleep(1500 * time.Millisecond)
	edits := h.discord.MessageEdits()
	if len(edits) != 1 {
		t.Fatalf("%d edits of the poll message after 9 quick clicks, want 1", len(edits))
	}
	// The last clicks: Bob (n=6) yes, Carol (n=7) no, Tom (n=8) yes.
	if d := edits[0].Embeds[0].Description; !strings.HasPrefix(d, "**yes**: 2 votes · 70.00 %") {
		t.Errorf("edit = %q", d)
	}
}

// TestPollBoardStop stops the board with an edit pending: the edit is
// made at once, not lost, and nothing is edited afterwards.
func TestPollBoardStop(t *testing.T) {
	h := newHarness(t)
	board := h.withPolls(time.Hour)
	id, msg := h.openPoll(h.send)
	h.send(h.discord.Click(t, h.id(), bob, msg.ID, "poll:"+id+":1"))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := board.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	edits := h.discord.MessageEdits()
	if len(edits) != 1 || !strings.Contains(edits[0].Embeds[0].Description, "**no**: 1 vote · 100.00 %") {
		t.Fatalf("edits after Stop = %+v", edits)
	}
	board.Touch(id)
	time.Sleep(50 * time.Millisecond)
	if n := len(h.discord.MessageEdits()); n != 1 {
		t.Errorf("%d edits after Touch on a stopped board, want 1", n)
	}
}

// TestPollTenOptions lays ten options out in two rows of five buttons.
func TestPollTenOptions(t *testing.T) {
	h := newHarness(t)
	h.withPolls(time.Millisecond)
	id, msg := h.openPoll(h.send, discordtest.String("options", "a,b,c,d,e,f,g,h,i,j"))
	var rows [][]string
	for _, row := range msg.Components {
		var ids []string
		for _, c := range row.Components {
			ids = append(ids, c.(*discordgo.Button).CustomID)
		}
		rows = append(rows, ids)
	}
	p := "poll:" + id + ":"
	want := [][]string{{p + "0", p + "1", p + "2", p + "3", p + "4"}, {p + "5", p + "6", p + "7", p + "8", p + "9"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("buttons (-want +got):\n%s", diff)
	}
}

// TestPollClosedBySchedule: a poll the closing schedule closes has its
// result posted, through the closer's announcer.
func TestPollClosedBySchedule(t *testing.T) {
	h := newHarness(t)
	board := h.withPolls(time.Millisecond)
	id, msg := h.openPoll(h.send, discordtest.String("closes", "3d"))
	h.send(h.discord.Click(t, h.id(), bob, msg.ID, "poll:"+id+":0"))
	h.clock.Advance(72*time.Hour + time.Second)
	closer := &bot.PollCloser{Assembly: h.router.Assembly.(*bot.Assembly), Now: h.clock.Now, Interval: time.Hour, Announcer: board, Logger: slog.New(slog.DiscardHandler),
		After: func(time.Duration) <-chan time.Time { return make(chan time.Time) }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { closer.Run(ctx); close(done) }()
	h.discord.WaitFor(t, 5*time.Second, "result", func() bool { return len(h.discord.Messages()) == 2 })
	cancel()
	<-done
	if got := h.discord.Messages()[1].Content; got != "**Poll "+id+" is closed.**" {
		t.Errorf("result = %q", got)
	}
	if m, _ := h.discord.Message(msg.ID); len(m.Components) != 0 {
		t.Errorf("the poll message keeps its buttons: %+v", m.Components)
	}
}

// A poll is announced by the close that appended its tally: a second
// /poll close answers with the result and posts nothing more, and a later
// close (the schedule's) is told the poll was closed already.
func TestPollResultPostedOnce(t *testing.T) {
	h := newHarness(t)
	h.withPolls(time.Millisecond)
	id, msg := h.openPoll(h.send)
	h.send(h.discord.Click(t, h.id(), bob, msg.ID, "poll:"+id+":0"))
	closeIt := func() string {
		return ephemeral(t, "/poll close", h.send(h.command(alice, "poll", discordtest.Sub("close", discordtest.String("poll", id)))))
	}
	closeIt()
	posted := len(h.discord.Messages())
	if got := closeIt(); !strings.HasPrefix(got, "Poll "+id+" was already closed") {
		t.Errorf("second /poll close = %q", got)
	}
	p, err := h.router.Assembly.ClosePoll(context.Background(), bot.ClosePollRequest{Poll: id, Actor: bot.PollCloserActor, Source: ledger.SourceCLI})
	if err != nil || p.ClosedNow {
		t.Fatalf("a later close: ClosedNow %v, %v", p.ClosedNow, err)
	}
	if n := len(h.discord.Messages()); n != posted {
		t.Errorf("%d messages after closing again, want %d: the result was posted twice", n, posted)
	}
}
