package ledger_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/docracy/docracy/ledger"
)

// TestLinkCarriesWhatWasPaid: a person paid as their Discord member, then
// linked to their GitHub member, has been paid as one person, or the
// balanced policy would pay them again.
func TestLinkCarriesWhatWasPaid(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	gh := member(t, l, "alice")
	discordAccount := ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: "80351110224678912"}
	d, _, err := l.EnsureAccount(ctx, discordAccount, "Alice on Discord")
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, l, credit(d.ID, 3, "community", "meetup", t0))
	_, err = l.ClosePayout(ctx, ledger.PayoutRun{Period: "2026-10", Policy: "proportional", Currency: "EUR", Decimals: 2,
		Budget: big.NewInt(5000), Actor: "cli:t", Payouts: []ledger.Payout{{Member: d.ID, Amount: big.NewInt(5000)}}}, ledger.SourceCLI)
	if err != nil {
		t.Fatal(err)
	}
	_, err = l.Link(ctx, ledger.LinkRequest{Discord: discordAccount, GitHub: ledger.Account{Platform: ledger.PlatformGitHub, Login: "alice"},
		Source: ledger.SourceCLI, Actor: "cli:t"})
	if err != nil {
		t.Fatal(err)
	}
	paid, err := l.PaidTotals(ctx, "EUR", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(paid) != 1 || paid[gh] == nil || paid[gh].Int64() != 5000 {
		t.Errorf("paid after the link = %v, want 50.00 to member %d", paid, gh)
	}
	if _, _, err := l.Verify(ctx); err != nil {
		t.Errorf("verify: %v", err)
	}
}
