package api_test

import (
	"context"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// now is the fixed time every test runs at.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var categories = []string{"code", "review", "doc"}

const day = 24 * time.Hour

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

// serve serves the API of b alone, closed with the test.
func serve(t *testing.T, b *bot.Bot) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer((&api.Server{Records: b}).Handler())
	t.Cleanup(srv.Close)
	return srv
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

// seed fills a ledger as bot's query tests do:
//
//	member 1 github:alice                 5 code (1h ago), 2 review (40 days ago)
//	member 2 discord:123456789012345678   3 doc (10 days ago)
//	member 3 github:bob                   4 code (2h ago); 10 code revoked
func seed(t *testing.T, b *bot.Bot) []ledger.Entry {
	t.Helper()
	entries := []ledger.Entry{
		credit(t, b, "github:alice", 5, "code", time.Hour),
		credit(t, b, "discord:123456789012345678", 3, "doc", 10*day),
		credit(t, b, "github:alice", 2, "review", 40*day),
		credit(t, b, "github:bob", 4, "code", 2*time.Hour),
		credit(t, b, "github:bob", 10, "code", time.Hour),
	}
	e, _, err := b.Revoke(context.Background(), bot.RevokeRequest{Entry: "5", Reason: "typo", Actor: "cli:t", Source: ledger.SourceCLI})
	if err != nil {
		t.Fatal(err)
	}
	return append(entries, e)
}

// payoutFixture is a ledger in December 2026 whose treasury shares
// 100.00 EUR a month in proportion to points, in Paris time.
type payoutFixture struct {
	t        *testing.T
	ledger   *ledger.Ledger
	bot      *bot.Bot
	treasury *bot.Treasury
}

func newPayouts(t *testing.T) *payoutFixture {
	t.Helper()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC) }
	l := ledgertest.Open(t, clock)
	b := bot.New(l, []string{"code"})
	b.Now = clock
	return &payoutFixture{t: t, ledger: l, bot: b, treasury: &bot.Treasury{Ledger: l, Now: clock, Rules: bot.PayoutRules{
		Currency: "EUR", Decimals: 2, Period: bot.Monthly, Budget: big.NewInt(10000), Policy: bot.Proportional, Location: paris,
	}}}
}

// credit gives a GitHub login points for work on 2 November 2026 and
// returns their member id.
func (f *payoutFixture) credit(login string, points int64) int64 {
	f.t.Helper()
	e, _, err := f.bot.Credit(context.Background(), bot.CreditRequest{
		Member: "github:" + login, Points: points, Category: "code", At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		Actor: "cli:test", Source: ledger.SourceCLI,
	})
	if err != nil {
		f.t.Fatalf("credit %s: %v", login, err)
	}
	return e.Member
}

// serve serves the API with the payout endpoints, closed with the test.
func (f *payoutFixture) serve() *httptest.Server {
	srv := httptest.NewServer((&api.Server{Records: f.bot, Payouts: f.treasury}).Handler())
	f.t.Cleanup(srv.Close)
	return srv
}
