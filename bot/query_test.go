package bot_test

import (
	"context"
	"testing"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

func TestLeaderboard(t *testing.T) {
	b, _ := newBot(t)
	seed(t, b)
	alice := ledger.Standing{Member: 1, Name: "alice"}
	bob := ledger.Standing{Member: 3, Name: "bob"}
	dave := ledger.Standing{Member: 2, Name: "discord:123456789012345678"}
	row := func(s ledger.Standing, rank int, points int64, reputation float64) ledger.Standing {
		s.Rank, s.Points, s.Reputation = rank, points, reputation
		return s
	}
	tests := []struct {
		req  bot.LeaderboardRequest
		want []ledger.Standing
	}{
		{bot.LeaderboardRequest{}, []ledger.Standing{row(alice, 1, 7, 7), row(bob, 2, 4, 4), row(dave, 3, 3, 3)}},
		{bot.LeaderboardRequest{Window: "30d"}, []ledger.Standing{row(alice, 1, 5, 7), row(bob, 2, 4, 4), row(dave, 3, 3, 3)}},
		{bot.LeaderboardRequest{Window: "7d"}, []ledger.Standing{row(alice, 1, 5, 7), row(bob, 2, 4, 4)}},
		{bot.LeaderboardRequest{Category: "code", Limit: 1}, []ledger.Standing{row(alice, 1, 5, 5)}},
		{bot.LeaderboardRequest{Category: "review"}, []ledger.Standing{row(alice, 1, 2, 2)}},
	}
	for _, tt := range tests {
		lb, err := b.Leaderboard(context.Background(), tt.req)
		if err != nil {
			t.Errorf("Leaderboard(%+v): %v", tt.req, err)
			continue
		}
		if diff := cmp.Diff(tt.want, lb.Standings); diff != "" {
			t.Errorf("Leaderboard(%+v) (-want +got):\n%s", tt.req, diff)
		}
	}
}

func TestLeaderboardInvalid(t *testing.T) {
	b, _ := newBot(t)
	tests := []struct {
		req  bot.LeaderboardRequest
		want *bot.Error
	}{
		{bot.LeaderboardRequest{Window: "1y"}, &bot.Error{Code: bot.CodeInvalid, Field: "window", Message: `window "1y": use 7d, 30d or all`}},
		{bot.LeaderboardRequest{Category: "foo"}, &bot.Error{Code: bot.CodeInvalid, Field: "category", Message: `category "foo" is not one of code, review, doc`}},
		{bot.LeaderboardRequest{Limit: 101}, &bot.Error{Code: bot.CodeInvalid, Field: "limit", Message: "limit 101: give a number from 1 to 100"}},
		{bot.LeaderboardRequest{Limit: -1}, &bot.Error{Code: bot.CodeInvalid, Field: "limit", Message: "limit -1: give a number from 1 to 100"}},
	}
	for _, tt := range tests {
		_, err := b.Leaderboard(context.Background(), tt.req)
		if diff := cmp.Diff(tt.want, err); diff != "" {
			t.Errorf("Leaderboard(%+v) error (-want +got):\n%s", tt.req, diff)
		}
	}
}

func TestHistory(t *testing.T) {
	b, _ := newBot(t)
	entries := seed(t, b)
	h, err := b.History(context.Background(), "github:bob", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.History{
		Member: bot.PublicMember{ID: 3, Name: "bob", CreatedAt: now,
			Accounts: []ledger.Account{{Platform: ledger.PlatformGitHub, Login: "bob"}}},
		Entries: []ledger.Entry{entries[3]}, // the revoked credit and the revoke are left out
	}
	if diff := cmp.Diff(want, h); diff != "" {
		t.Errorf("History (-want +got):\n%s", diff)
	}

	h, err = b.History(context.Background(), "1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]ledger.Entry{entries[2]}, h.Entries); diff != "" {
		t.Errorf("History limit 1 (-want +got):\n%s", diff)
	}
}

func TestReputation(t *testing.T) {
	b, l := newBot(t)
	seed(t, b)
	if err := l.SetPayoutAddress(context.Background(), 1, "FR7630001007941234567890185"); err != nil {
		t.Fatal(err)
	}
	p, err := b.Reputation(context.Background(), "github:alice")
	if err != nil {
		t.Fatal(err)
	}
	want := bot.Profile{
		PublicMember: bot.PublicMember{ID: 1, Name: "alice", CreatedAt: now,
			Accounts: []ledger.Account{{Platform: ledger.PlatformGitHub, Login: "alice"}}},
		Reputation: ledger.Reputation{Member: 1, Score: 7, Points: 7, Rank: 1, Categories: []ledger.CategoryScore{
			{Category: "code", Score: 5, Points: 5},
			{Category: "review", Score: 2, Points: 2},
		}},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("Reputation (-want +got):\n%s", diff)
	}
}

func TestEntries(t *testing.T) {
	b, _ := newBot(t)
	entries := seed(t, b)
	tests := []struct {
		after int64
		limit int
		want  bot.Page
	}{
		{0, 0, bot.Page{Entries: entries, NextAfter: 6}},
		{2, 2, bot.Page{Entries: entries[2:4], NextAfter: 4}},
		{6, 10, bot.Page{Entries: []ledger.Entry{}, NextAfter: 6}},
		{60, 10, bot.Page{Entries: []ledger.Entry{}, NextAfter: 60}},
	}
	for _, tt := range tests {
		p, err := b.Entries(context.Background(), tt.after, tt.limit)
		if err != nil {
			t.Errorf("Entries(%d, %d): %v", tt.after, tt.limit, err)
			continue
		}
		if diff := cmp.Diff(tt.want, p); diff != "" {
			t.Errorf("Entries(%d, %d) (-want +got):\n%s", tt.after, tt.limit, diff)
		}
	}
}
