package bot_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// BenchmarkBalancedPreview previews a balanced run of October 2026 over
// the 10,000 members of the 1,000,000-entry ledger, with the default cap
// and minimum.
func BenchmarkBalancedPreview(b *testing.B) {
	spec := ledgertest.Large
	now := func() time.Time { return spec.At }
	l, err := ledger.Open(context.Background(), ledgertest.Path(b, spec), ledger.Options{HalfLife: ledgertest.HalfLife, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	t := &bot.Treasury{Ledger: l, Now: now, Rules: bot.PayoutRules{
		Currency: "EUR", Decimals: 2, Period: bot.Monthly, Budget: big.NewInt(100_000_00), Policy: bot.Balanced,
		MinAmount: big.NewInt(5_00), MaxSharePercent: 25, Location: time.UTC,
	}}
	b.ReportAllocs()
	for b.Loop() {
		run, err := t.Preview(context.Background(), "2026-10")
		if err != nil || len(run.Allocations) < 1000 {
			b.Fatalf("%d allocations, %v", len(run.Allocations), err)
		}
	}
}
