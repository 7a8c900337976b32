package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// now is the fixed time every test runs at.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var categories = []string{"code", "review", "doc"}

// newBot returns a bot on a fresh ledger in a temporary directory, with the
// clock stopped at now and no decay, so scores equal points.
func newBot(t *testing.T) (*bot.Bot, *ledger.Ledger) {
	t.Helper()
	clock := func() time.Time { return now }
	l := ledgertest.Open(t, clock)
	b := bot.New(l, categories)
	b.Now = clock
	return b, l
}

// credit credits or fails the test.
func credit(t *testing.T, b *bot.Bot, member string, points int64, category string, ago time.Duration) ledger.Entry {
	t.Helper()
	e, _, err := b.Credit(context.Background(), bot.CreditRequest{
		Member: member, Points: points, Category: category, At: now.Add(-ago),
		Actor: "cli:test", Source: ledger.SourceCLI,
	})
	if err != nil {
		t.Fatalf("credit %s: %v", member, err)
	}
	return e
}
