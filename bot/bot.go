// Package bot is docracy's application layer: the use cases that the CLI,
// Discord, GitHub, the JSON API and the dashboard share (credit, revoke,
// reputation, leaderboard, history), and the rules and validation in front
// of the ledger. It knows no transport and draws nothing: the api, web and
// integrations packages carry its requests and answers.
//
// A CLI command and a slash command that do the same thing call the same
// method here, so they accept the same input and fail with the same
// message. Errors meant for the person who sent the request are *Error
// values: they name the field at fault and say how to fix it.
package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/docracy/docracy/ledger"
)

// Ledger is what the bot needs from the ledger; *ledger.Ledger provides it.
// Declaring it here lets tests wrap the real ledger to make one call fail.
type Ledger interface {
	Append(ctx context.Context, n ledger.NewEntry) (ledger.Entry, bool, error)
	Revoke(ctx context.Context, r ledger.RevokeRequest) (ledger.Entry, bool, error)

	EnsureAccount(ctx context.Context, a ledger.Account, name string) (ledger.Member, bool, error)
	Member(ctx context.Context, id int64) (ledger.Member, error)
	MemberByAccount(ctx context.Context, p ledger.Platform, externalID string) (ledger.Member, error)
	MemberByLogin(ctx context.Context, p ledger.Platform, login string) (ledger.Member, error)

	Head(ctx context.Context) (ledger.Head, error)
	Entry(ctx context.Context, seq int64) (ledger.Entry, error)
	EntryByID(ctx context.Context, id string) (ledger.Entry, error)
	EntryByRef(ctx context.Context, sourceRef string) (ledger.Entry, error)
	Entries(ctx context.Context, after int64, limit int) ([]ledger.Entry, error)
	History(ctx context.Context, member int64, limit int) ([]ledger.Entry, error)

	SetCollege(ctx context.Context, r ledger.CollegeRequest) (ledger.Entry, bool, error)
	CollegeEntry(ctx context.Context, member int64) (ledger.Entry, error)

	Reputation(ctx context.Context, member int64, at time.Time) (ledger.Reputation, error)
	Leaderboard(ctx context.Context, q ledger.LeaderboardQuery) ([]ledger.Standing, error)

	Ping(ctx context.Context) error
}

// Bot runs docracy's use cases against a ledger.
type Bot struct {
	Ledger Ledger

	// Categories are the categories a contribution may be credited in
	// (scoring.categories); the first error message lists them.
	Categories []string

	// Colleges are the configured colleges, in the order they are offered;
	// none when the cooperative does not vote by college.
	Colleges []College

	// Now is the clock (nil: time.Now); tests set it to a fixed time.
	Now func() time.Time

	// Logger receives what operators need to know; never secrets. Nil
	// logs nowhere.
	Logger *slog.Logger
}

func (b *Bot) now() time.Time       { return orNow(b.Now)() }
func (b *Bot) logger() *slog.Logger { return orDiscard(b.Logger) }

// New returns a bot on the real clock that logs nowhere until Logger is set.
func New(l Ledger, categories []string) *Bot {
	return &Bot{
		Ledger:     l,
		Categories: categories,
		Now:        time.Now,
		Logger:     slog.New(slog.DiscardHandler),
	}
}

// Ready reports whether the ledger's database answers.
func (b *Bot) Ready(ctx context.Context) error {
	return b.Ledger.Ping(ctx)
}

// Head returns the ledger's head: the public commitment to its history.
func (b *Bot) Head(ctx context.Context) (ledger.Head, error) {
	return b.Ledger.Head(ctx)
}

// Sleep waits d, or less if ctx ends first (then it returns ctx's error):
// the integrations' retries wait with it so that a shutdown never waits
// out a backoff.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// orNow is the rule for an optional clock: nil is the real one.
func orNow(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// orDiscard is the rule for an optional logger: nil logs nowhere.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// *ledger.Ledger is the ledger behind every ledger port of this package.
var (
	_ Ledger          = (*ledger.Ledger)(nil)
	_ CommunityLedger = (*ledger.Ledger)(nil)
	_ DigestLedger    = (*ledger.Ledger)(nil)
	_ DigestStore     = (*ledger.Ledger)(nil)
	_ GitHubLedger    = (*ledger.Ledger)(nil)
	_ PayoutLedger    = (*ledger.Ledger)(nil)
	_ PollLedger      = (*ledger.Ledger)(nil)
	_ EmailLinker     = (*ledger.Ledger)(nil)
)
