package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/docracy/docracy/internal/pgtest"
	"github.com/docracy/docracy/ledger"
)

// BenchmarkAppendEngines appends single credits, each its own transaction,
// from 4 goroutines through one handle, then through two handles on the
// same database, as two processes would append at once, on SQLite and on
// PostgreSQL in the same run. Every write takes the chain's lock, so a
// second handle adds no throughput: it measures what the lock costs when
// it passes between processes rather than within one.
func BenchmarkAppendEngines(b *testing.B) {
	for _, e := range benchEngines() {
		for _, handles := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/handles=%d", e.name, handles), func(b *testing.B) {
				benchmarkAppends(b, e.db(b), handles)
			})
		}
	}
}

// benchEngine is an engine a benchmark runs on, and how to make a new
// database in it.
type benchEngine struct {
	name string
	db   func(b *testing.B) string
}

func benchEngines() []benchEngine {
	return []benchEngine{
		{"sqlite", func(b *testing.B) string { return sqliteBackend().newDatabase(b) }},
		{"postgres", func(b *testing.B) string { return pgtest.DSN(b) }},
	}
}

func benchmarkAppends(b *testing.B, database string, handles int) {
	ctx := context.Background()
	ls := make([]*ledger.Ledger, handles)
	for i := range ls {
		ls[i] = openPath(b, database, ledger.Options{})
	}
	alice := member(b, ls[0], "alice")
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range 4 {
		wg.Go(func() {
			l := ls[w%handles]
			for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
				if _, _, err := l.Append(ctx, credit(alice, 1, "code", fmt.Sprint("r", n), t0)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "appends/s")
	if head, err := ls[handles-1].Head(ctx); err != nil || head.Seq != int64(b.N) {
		b.Fatalf("head %d, %v; want %d", head.Seq, err, b.N)
	}
}
