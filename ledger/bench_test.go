package ledger_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

const benchMembers = 10_000

var benchCategories = ledgertest.Categories

// benchLedger opens the shared 1M-entry ledger of ledgertest.Large.
// Benchmarks that write get their own copy.
func benchLedger(b *testing.B) *ledger.Ledger {
	b.Helper()
	return openPath(b, ledgertest.Path(b, ledgertest.Large), ledger.Options{HalfLife: ledgertest.HalfLife, Now: testkit.NewClock(t0).Now})
}

// benchCopy gives a writing benchmark its own copy of the fixture.
func benchCopy(b *testing.B) *ledger.Ledger {
	b.Helper()
	l := benchLedger(b)
	path := filepath.Join(b.TempDir(), "copy.db")
	if err := l.Backup(context.Background(), path); err != nil {
		b.Fatal(err)
	}
	return openPath(b, path, ledger.Options{HalfLife: 90 * 24 * time.Hour})
}

func BenchmarkAppend(b *testing.B) {
	l := benchCopy(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, _, err := l.Append(ctx, credit(1+int64(i%benchMembers), 5, "code", fmt.Sprint("one:", i), t0)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
}

// BenchmarkAppendBatch appends batches of 1,000 entries to the 1M-entry
// ledger. "spread" gives each entry of a batch another member: every entry
// updates index pages of its own, the worst case. "backfill" is shaped like
// a repository's history: 50 contributors, in the order the work happened.
func BenchmarkAppendBatch(b *testing.B) {
	shapes := []struct {
		name    string
		members int
	}{{"spread", 1000}, {"backfill", 50}}
	for _, shape := range shapes {
		b.Run(shape.name, func(b *testing.B) {
			l := benchCopy(b)
			ctx := context.Background()
			const size = 1000
			batch := make([]ledger.NewEntry, size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				for j := range batch {
					member := 1 + int64(j%shape.members*(benchMembers/shape.members))
					at := t0.Add(time.Duration(i*size+j) * time.Second)
					batch[j] = credit(member, 5, benchCategories[j%len(benchCategories)], fmt.Sprintf("batch:%d:%d", i, j), at)
				}
				if _, err := l.AppendBatch(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

func BenchmarkReputation(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := l.Reputation(ctx, 1+int64(i*7919%benchMembers), t0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLeaderboard(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	for _, w := range []ledger.Window{ledger.Window7d, ledger.Window30d, ledger.WindowAll} {
		for _, category := range []string{"", "doc"} {
			b.Run(fmt.Sprintf("%s/%s", w, category), func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: w, Category: category, At: t0, Limit: 10})
					if err != nil || len(board) != 10 {
						b.Fatalf("%d rows, %v", len(board), err)
					}
				}
			})
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, n, err := l.Verify(ctx); err != nil || n != int64(ledgertest.Large.Entries) {
			b.Fatalf("%d entries, %v", n, err)
		}
	}
}

// BenchmarkVerifyAll is BenchmarkVerify with every derived table checked
// against the chain in the same pass: what docracy verify does.
func BenchmarkVerifyAll(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, n, err := l.VerifyAll(ctx, nil); err != nil || n != int64(ledgertest.Large.Entries) {
			b.Fatalf("%d entries, %v", n, err)
		}
	}
}
