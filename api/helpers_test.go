package api_test

import (
	"context"
	"math/big"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/bot/bottest"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// The bot's test helpers, shared through bottest.
var (
	newBot = bottest.NewBot
	credit = bottest.Credit
	seed   = bottest.Seed
)

// serve serves the API of b alone, closed with the test.
func serve(t *testing.T, b *bot.Bot) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer((&api.Server{Records: b}).Handler())
	t.Cleanup(srv.Close)
	return srv
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
