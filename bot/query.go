package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/docracy/docracy/ledger"
)

// Default and largest page sizes of the listings.
const (
	DefaultLeaderboardLimit = 10
	MaxLeaderboardLimit     = 100
	DefaultHistoryLimit     = 20
	MaxHistoryLimit         = 1000
	DefaultEntriesLimit     = 100
	MaxEntriesLimit         = 1000
)

// PublicMember is what anyone may see of a member. It is built field by
// field, so a private field added to ledger.Member (like the payout
// address) stays private.
type PublicMember struct {
	ID        int64            `json:"id"`
	Name      string           `json:"name"`
	College   string           `json:"college"`
	CreatedAt time.Time        `json:"created_at"`
	Accounts  []ledger.Account `json:"accounts"`
}

// Public returns the public view of m.
func Public(m ledger.Member) PublicMember {
	accounts := m.Accounts
	if accounts == nil {
		accounts = []ledger.Account{}
	}
	return PublicMember{ID: m.ID, Name: m.Name, College: m.College, CreatedAt: m.CreatedAt, Accounts: accounts}
}

// Profile is a member's public page: who they are, their reputation now
// and, when asked for, their recent entries.
type Profile struct {
	PublicMember
	Reputation ledger.Reputation `json:"reputation"`
	History    []ledger.Entry    `json:"history,omitzero"` // nil when not asked for
}

// Reputation returns the named member's reputation now, by category, with
// their rank. Looking a member up never creates one.
func (b *Bot) Reputation(ctx context.Context, member string) (Profile, error) {
	return b.Profile(ctx, member, 0)
}

// Profile returns the named member's reputation and, when history > 0, up
// to that many of their latest entries.
func (b *Bot) Profile(ctx context.Context, member string, history int) (Profile, error) {
	if history < 0 || history > MaxHistoryLimit {
		return Profile{}, invalidf("limit", "limit %d: give a number from 1 to %d", history, MaxHistoryLimit)
	}
	m, err := b.FindMember(ctx, member)
	if err != nil {
		return Profile{}, err
	}
	p := Profile{PublicMember: Public(m)}
	if p.Reputation, err = b.Ledger.Reputation(ctx, m.ID, b.now()); err != nil {
		return Profile{}, fmt.Errorf("reputation: %w", err)
	}
	if history > 0 {
		if p.History, err = b.Ledger.History(ctx, m.ID, history); err != nil {
			return Profile{}, fmt.Errorf("history: %w", err)
		}
	}
	return p, nil
}

// History is a member's latest entries, newest first. Revoked entries and
// the revokes themselves are left out: it shows what counts.
type History struct {
	Member  PublicMember   `json:"member"`
	Entries []ledger.Entry `json:"entries"`
}

// History returns up to limit of the named member's latest entries; a
// limit of 0 means DefaultHistoryLimit.
func (b *Bot) History(ctx context.Context, member string, limit int) (History, error) {
	limit, err := checkLimit(limit, DefaultHistoryLimit, MaxHistoryLimit)
	if err != nil {
		return History{}, err
	}
	m, err := b.FindMember(ctx, member)
	if err != nil {
		return History{}, err
	}
	entries, err := b.Ledger.History(ctx, m.ID, limit)
	if err != nil {
		return History{}, fmt.Errorf("history: %w", err)
	}
	return History{Member: Public(m), Entries: entries}, nil
}

// LeaderboardRequest selects a leaderboard.
type LeaderboardRequest struct {
	Window   string // 7d, 30d or all; empty means all
	Category string // empty means every category
	Limit    int    // rows; 0 means DefaultLeaderboardLimit
}

// Leaderboard ranks members by the points they earned in a window.
type Leaderboard struct {
	Window    ledger.Window     `json:"window"`
	Category  string            `json:"category"`
	At        time.Time         `json:"at"` // end of the window
	Standings []ledger.Standing `json:"standings"`
}

// Leaderboard returns the members with the most points in the window (and
// category), ties going to the lower member id.
func (b *Bot) Leaderboard(ctx context.Context, r LeaderboardRequest) (Leaderboard, error) {
	window, err := ledger.ParseWindow(r.Window)
	if err != nil {
		return Leaderboard{}, invalidf("window", "window %q: use 7d, 30d or all", r.Window)
	}
	if err := b.checkCategory(r.Category, true); err != nil {
		return Leaderboard{}, err
	}
	limit, err := checkLimit(r.Limit, DefaultLeaderboardLimit, MaxLeaderboardLimit)
	if err != nil {
		return Leaderboard{}, err
	}
	lb := Leaderboard{Window: window, Category: r.Category, At: b.now().UTC().Truncate(time.Second)}
	lb.Standings, err = b.Ledger.Leaderboard(ctx, ledger.LeaderboardQuery{
		Window: window, Category: r.Category, At: lb.At, Limit: limit,
	})
	if err != nil {
		return Leaderboard{}, fmt.Errorf("leaderboard: %w", err)
	}
	return lb, nil
}

// Page is a slice of the ledger in seq order. NextAfter is the seq to ask
// for next; it stays put at the end, so a client can poll with it.
type Page struct {
	Entries   []ledger.Entry `json:"entries"`
	NextAfter int64          `json:"next_after"`
}

// Entries returns up to limit entries after seq after; a limit of 0 means
// DefaultEntriesLimit.
func (b *Bot) Entries(ctx context.Context, after int64, limit int) (Page, error) {
	if after < 0 {
		return Page{}, invalidf("after", "after %d: give a seq, 0 or more", after)
	}
	limit, err := checkLimit(limit, DefaultEntriesLimit, MaxEntriesLimit)
	if err != nil {
		return Page{}, err
	}
	entries, err := b.Ledger.Entries(ctx, after, limit)
	if err != nil {
		return Page{}, fmt.Errorf("entries: %w", err)
	}
	p := Page{Entries: entries, NextAfter: after}
	if len(entries) > 0 {
		p.NextAfter = entries[len(entries)-1].Seq
	}
	return p, nil
}

// checkLimit applies a default to 0 and refuses anything out of range.
func checkLimit(limit, def, max int) (int, error) {
	switch {
	case limit == 0:
		return def, nil
	case limit < 1 || limit > max:
		return 0, invalidf("limit", "limit %d: give a number from 1 to %d", limit, max)
	}
	return limit, nil
}
