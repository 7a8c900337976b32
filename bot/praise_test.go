package bot_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// newCommunity returns the community use cases on a fresh ledger, with a
// bot clock the test moves: praise is dated by it.
func newCommunity(t *testing.T) (*bot.Community, *ledger.Ledger, *time.Time) {
	t.Helper()
	clock := now
	tick := func() time.Time { return clock }
	l := ledgertest.Open(t, tick)
	b := bot.New(l, categories)
	b.Now = tick
	return bot.NewCommunity(b, l, bot.NewPraiseRules(2, 2, []string{"code", "community"})), l, &clock
}

func praiseReq(giver, member, reason string) bot.PraiseRequest {
	return bot.PraiseRequest{Giver: giver, Member: member, Reason: reason, Source: ledger.SourceDiscord}
}

func TestPraise(t *testing.T) {
	c, l, _ := newCommunity(t)
	ctx := context.Background()
	r := praiseReq("discord:1", "github:alice", "  reviewed my first PR  ")
	r.Ref = "interaction:9"
	e, created, err := c.Praise(ctx, r)
	if err != nil || !created {
		t.Fatalf("Praise = %v, created %v", err, created)
	}
	alice, _ := l.MemberByLogin(ctx, ledger.PlatformGitHub, "alice")
	want := ledger.NewEntry{Kind: ledger.KindPraise, Member: alice.ID, Category: "community", Points: 2, OccurredAt: now,
		Source: ledger.SourceDiscord, SourceRef: "discord:interaction:9", Actor: "discord:1", Note: "reviewed my first PR"}
	got := ledger.NewEntry{Kind: e.Kind, Member: e.Member, Category: e.Category, Points: e.Points, OccurredAt: e.OccurredAt,
		Source: e.Source, SourceRef: e.SourceRef, Actor: e.Actor, Note: e.Note}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("praise entry (-want +got):\n%s", diff)
	}
	again, created, err := c.Praise(ctx, r)
	if err != nil || created || again.Seq != e.Seq {
		t.Errorf("repeated Praise = seq %d, created %v, %v; want seq %d, not created", again.Seq, created, err, e.Seq)
	}
}

func TestPraiseRules(t *testing.T) {
	c, l, clock := newCommunity(t)
	ctx := context.Background()
	invalid := func(field, msg string) *bot.Error {
		return &bot.Error{Code: bot.CodeInvalid, Field: field, Message: msg}
	}
	steps := []struct {
		name    string
		advance time.Duration
		req     bot.PraiseRequest
		want    *bot.Error
	}{
		{"self", 0, praiseReq("discord:1", "discord:1", "for being me"), invalid("member", "you cannot praise yourself: praise someone whose work helped you")},
		{"short reason", 0, praiseReq("discord:1", "discord:2", "thx"), invalid("reason", "reason is 3 characters long: say in 5 to 500 characters what they did")},
		{"long reason", 0, praiseReq("discord:1", "discord:2", strings.Repeat("a", 501)), invalid("reason", "reason is 501 characters long: keep it to 500")},
		{"no giver", 0, praiseReq("", "discord:2", "thanks!"), invalid("giver", `giver "": name the account that praises, discord:<user id>`)},
		{"first", 0, praiseReq("discord:1", "discord:2", "thanks!"), nil},
		{"again too soon", 30 * time.Minute, praiseReq("discord:1", "discord:2", "thanks!"),
			invalid("member", "you praised discord:2 less than an hour ago: praise them again after 2026-03-01 13:00 UTC, or praise someone else")},
		{"someone else", 0, praiseReq("discord:1", "discord:3", "thanks!"), nil},
		{"over the cap", 0, praiseReq("discord:1", "discord:4", "thanks!"),
			invalid("", "you have given 2 praise in the last 24 hours, the daily cap: you can praise again after 2026-03-02 12:00 UTC")},
		{"the next day", 24 * time.Hour, praiseReq("discord:1", "discord:4", "thanks!"), nil},
	}
	for _, s := range steps {
		*clock = clock.Add(s.advance)
		_, _, err := c.Praise(ctx, s.req)
		if s.want == nil && err != nil || s.want != nil && cmp.Diff(s.want, err) != "" {
			t.Errorf("%s: Praise = %v, want %v", s.name, err, s.want)
		}
	}
	given, _ := l.PraiseGiven(ctx, "discord:1", now.Add(-time.Hour))
	if len(given) != 3 {
		t.Errorf("%d praise stored, want 3", len(given))
	}
}

func TestPraiseTurnedOff(t *testing.T) {
	c, l, _ := newCommunity(t)
	c.PraiseRules.DailyCap = 0
	_, _, err := c.Praise(context.Background(), praiseReq("discord:1", "discord:2", "thanks!"))
	if bot.ErrorCode(err) != bot.CodeInvalid || !strings.Contains(bot.ErrorMessage(err), "praise is turned off here") {
		t.Errorf("Praise with a cap of 0 = %v", err)
	}
	if members, _ := l.Members(context.Background()); len(members) != 0 {
		t.Errorf("a refused praise created %d members", len(members))
	}
}

func TestNewPraiseRules(t *testing.T) {
	if r := bot.NewPraiseRules(1, 5, []string{"code", "community"}); r != (bot.PraiseRules{Points: 1, DailyCap: 5, Category: "community"}) {
		t.Errorf("with community: %+v", r)
	}
	if r := bot.NewPraiseRules(3, 0, []string{"code", "doc"}); r != (bot.PraiseRules{Points: 3, DailyCap: 0, Category: "code"}) {
		t.Errorf("without community: %+v", r)
	}
}
