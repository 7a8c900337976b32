package bottest

import (
	"context"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// Now is the fixed time the bot and API tests run at.
var Now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Categories are the categories of NewBot's bot.
var Categories = []string{"code", "review", "doc"}

const day = 24 * time.Hour

// NewBot returns a bot on a fresh ledger in a temporary directory, with the
// clock stopped at Now and no decay, so scores equal points.
func NewBot(t testing.TB) (*bot.Bot, *ledger.Ledger) {
	t.Helper()
	clock := func() time.Time { return Now }
	l := ledgertest.Open(t, clock)
	b := bot.New(l, Categories)
	b.Now = clock
	return b, l
}

// Credit credits member, dated ago before Now, or fails the test.
func Credit(t testing.TB, b *bot.Bot, member string, points int64, category string, ago time.Duration) ledger.Entry {
	t.Helper()
	e, _, err := b.Credit(context.Background(), bot.CreditRequest{
		Member: member, Points: points, Category: category, At: Now.Add(-ago),
		Actor: "cli:test", Source: ledger.SourceCLI,
	})
	if err != nil {
		t.Fatalf("credit %s: %v", member, err)
	}
	return e
}

// Seed fills a NewBot ledger with what the query and API tests read:
//
//	member 1 github:alice                 5 code (1h ago), 2 review (40 days ago)
//	member 2 discord:123456789012345678   3 doc (10 days ago)
//	member 3 github:bob                   4 code (2h ago); 10 code revoked
func Seed(t testing.TB, b *bot.Bot) []ledger.Entry {
	t.Helper()
	entries := []ledger.Entry{
		Credit(t, b, "github:alice", 5, "code", time.Hour),
		Credit(t, b, "discord:123456789012345678", 3, "doc", 10*day),
		Credit(t, b, "github:alice", 2, "review", 40*day),
		Credit(t, b, "github:bob", 4, "code", 2*time.Hour),
		Credit(t, b, "github:bob", 10, "code", time.Hour),
	}
	e, _, err := b.Revoke(context.Background(), bot.RevokeRequest{Entry: "5", Reason: "typo", Actor: "cli:t", Source: ledger.SourceCLI})
	if err != nil {
		t.Fatal(err)
	}
	return append(entries, e)
}
