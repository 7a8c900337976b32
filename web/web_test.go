package web_test

import (
	"context"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
	"github.com/docracy/docracy/web"
)

// now is the fixed time every test runs at.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func clock() time.Time { return now }

// evilName is a member name that must come out as text, never as markup.
const evilName = "<script>alert(1)</script>"

// fixture is a dashboard over a seeded ledger:
//
//	member 1 github:alice  5 code (1h ago, with a PR link), 2 review (40 days ago)
//	member 2 github:bob    4 code (2h ago), 20 doc (20 days ago); a payout address
//	member 3 discord:…678  3 doc (10 days ago)
//	member 4 evilName      1 bug (3 days ago), a javascript: URL and markup in the note
//	payout run 2026-02 closed: bob 83.33, carol 12.50, evilName 4.17 EUR
//	then 50 code to bob (1 day ago), revoked
type fixture struct {
	ledger    *ledger.Ledger
	bot       *bot.Bot
	treasury  *bot.Treasury
	assembly  *bot.Assembly
	checker   *web.Checker
	dashboard *web.Dashboard
	srv       *httptest.Server
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	l := ledgertest.Open(t, clock)
	f := &fixture{ledger: l, bot: bot.New(l, []string{"code", "review", "doc", "bug"})}
	f.bot.Now = clock
	f.treasury = &bot.Treasury{Ledger: l, Now: clock, Rules: bot.PayoutRules{
		Currency: "EUR", Decimals: 2, Period: bot.Monthly, Budget: big.NewInt(10000),
		Policy: bot.Proportional, Location: time.UTC,
	}}
	f.assembly = &bot.Assembly{Ledger: l, Bot: f.bot, Colleges: colleges, Now: clock}
	f.checker = &web.Checker{Ledger: l, Now: clock, Logger: slog.New(slog.DiscardHandler)}
	f.dashboard = &web.Dashboard{
		Records: f.bot, Payouts: f.treasury, Polls: f.assembly, Checker: f.checker,
		Categories: f.bot.Categories, Now: clock,
	}
	f.seed(t)
	f.srv = httptest.NewServer(web.SecureHeaders(f.dashboard.Handler()))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	f.credit(t, "github:alice", 5, "code", time.Hour, "make the leaderboard faster", "https://github.com/coop/repo/pull/7")
	f.credit(t, "github:bob", 4, "code", 2*time.Hour, "", "")
	f.credit(t, "discord:123456789012345678", 3, "doc", 10*day, "wrote the <install> guide & FAQ", "")
	f.credit(t, "github:alice", 2, "review", 40*day, "", "")
	f.credit(t, "github:bob", 20, "doc", 20*day, "translated the handbook", "")
	if err := f.ledger.SetPayoutAddress(ctx, 2, "FR76-SECRET-IBAN"); err != nil {
		t.Fatal(err)
	}
	evil, err := f.ledger.CreateMember(ctx, evilName, "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.ledger.Append(ctx, ledger.NewEntry{
		Kind: ledger.KindCredit, Member: evil.ID, Category: "bug", Points: 1, OccurredAt: now.Add(-3 * day),
		Source: ledger.SourceCLI, SourceRef: "cli:evil", Actor: "cli:test",
		Note: `<img src=x onerror="alert(2)">`, URL: "javascript:alert(3)",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.treasury.Close(ctx, "2026-02", "cli:treasurer", ledger.SourceCLI); err != nil {
		t.Fatal(err)
	}
	f.credit(t, "github:bob", 50, "code", day, "credited twice", "")
	_, _, err = f.bot.Revoke(ctx, bot.RevokeRequest{Entry: itoa(f.head(t).Seq), Reason: "credited twice", Actor: "cli:test", Source: ledger.SourceCLI})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) head(t testing.TB) ledger.Head {
	t.Helper()
	h, err := f.ledger.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (f *fixture) credit(t testing.TB, member string, points int64, category string, ago time.Duration, note, url string) {
	t.Helper()
	_, _, err := f.bot.Credit(context.Background(), bot.CreditRequest{
		Member: member, Points: points, Category: category, At: now.Add(-ago), Note: note, URL: url,
		Actor: "cli:test", Source: ledger.SourceCLI,
	})
	if err != nil {
		t.Fatalf("credit %s: %v", member, err)
	}
}

// get sends a request to the fixture's server and returns the response
// with its body read.
func (f *fixture) get(t *testing.T, method, path string) (*http.Response, string) {
	t.Helper()
	return do(t, f.srv, method, path, nil)
}

func do(t *testing.T, srv *httptest.Server, method, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	resp, body := testkit.Do(t, srv.Client(), method, srv.URL+path, header, nil)
	return resp, string(body)
}

// section returns the part of an HTML page from the element with the
// given id to the end of its section, to keep assertions to one part.
func section(t *testing.T, body, id string) string {
	t.Helper()
	start := strings.Index(body, `id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no element with id %q in:\n%s", id, body)
	}
	rest := body[start:]
	if end := strings.Index(rest, "</section>"); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
