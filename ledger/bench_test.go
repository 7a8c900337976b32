package ledger_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

// The benchmark ledger: 1,000,000 entries over 10,000 members, spread over
// two years, as a large cooperative would hold after a few years.
const (
	benchMembers = 10_000
	benchEntries = 1_000_000
	benchSpan    = 730 * 24 * time.Hour
)

var benchCategories = []string{"code", "review", "doc", "design", "translation", "bug", "security", "infra", "community", "research", "ops"}

var (
	fixtureOnce sync.Once
	fixturePath string
	fixtureErr  error
)

// benchLedger opens the shared 1M-entry ledger, building it once per
// machine (it is cached in the temp dir, keyed by the schema it was built
// with). Benchmarks that write get their own copy.
func benchLedger(b *testing.B) *ledger.Ledger {
	b.Helper()
	fixtureOnce.Do(func() {
		fixturePath = filepath.Join(os.TempDir(), "docracy-bench-1m-v1.db")
		fixtureErr = buildFixture(fixturePath)
	})
	if fixtureErr != nil {
		b.Fatal(fixtureErr)
	}
	return openPath(b, fixturePath, ledger.Options{HalfLife: 90 * 24 * time.Hour, Now: (&clock{t0}).Now})
}

func buildFixture(path string) error {
	ctx := context.Background()
	if l, err := ledger.Open(ctx, path, ledger.Options{HalfLife: 90 * 24 * time.Hour}); err == nil {
		head, _ := l.Head(ctx)
		l.Close()
		if head.Seq == benchEntries {
			return nil
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	l, err := ledger.Open(ctx, path, ledger.Options{HalfLife: 90 * 24 * time.Hour, Now: (&clock{t0}).Now})
	if err != nil {
		return err
	}
	defer l.Close()
	if err := insertMembers(path, benchMembers); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	batch := make([]ledger.NewEntry, 0, 10_000)
	for i := range benchEntries {
		batch = append(batch, ledger.NewEntry{
			Kind: ledger.KindCredit, Member: 1 + rng.Int64N(benchMembers),
			Category: benchCategories[rng.IntN(len(benchCategories))], Points: 1 + rng.Int64N(10),
			OccurredAt: t0.Add(-time.Duration(rng.Int64N(int64(benchSpan)))),
			Source:     ledger.SourceGitHub, SourceRef: fmt.Sprintf("bench:%d", i), Actor: "github:1",
			Note: "Merged pull request #1234: make the thing faster", URL: "https://github.com/coop/repo/pull/1234",
		})
		if len(batch) == cap(batch) {
			if _, err := l.AppendBatch(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// insertMembers adds members in one transaction, faster than one account
// at a time for a fixture.
func insertMembers(path string, n int) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for i := 1; i <= n; i++ {
		if _, err := tx.Exec("INSERT INTO members (id, name, created_at) VALUES (?, ?, ?)", i, fmt.Sprint("member", i), t0.Unix()); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
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

func BenchmarkAppendBatch(b *testing.B) {
	l := benchCopy(b)
	ctx := context.Background()
	const size = 1000
	batch := make([]ledger.NewEntry, size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		for j := range batch {
			batch[j] = credit(1+int64(j*7%benchMembers), 5, benchCategories[j%len(benchCategories)], fmt.Sprintf("batch:%d:%d", i, j), t0)
		}
		if _, err := l.AppendBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "entries/s")
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
		if _, n, err := l.Verify(ctx); err != nil || n != benchEntries {
			b.Fatalf("%d entries, %v", n, err)
		}
	}
}
