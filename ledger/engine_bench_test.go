package ledger_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/pgtest"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
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

// BenchmarkBackfill writes a repository's history as docracy github
// backfill does, through the path webhooks take too: pages of 100 merged
// pull requests, each crediting its author (one of 50 contributors) and a
// reviewer, one WriteGitHub per page with the reconcile state, oldest
// first, on a copy of the 1M-entry ledger in each engine. entries/s
// counts the credits written.
func BenchmarkBackfill(b *testing.B) {
	for _, target := range benchEngines() {
		b.Run(target.name, func(b *testing.B) {
			var l *ledger.Ledger
			if target.name == "sqlite" {
				l = ledgertest.Copy(b, ledgertest.Large)
			} else {
				l = ledgertest.CopyInto(b, ledgertest.Large, target.db(b))
			}
			const perPage = 100
			b.ReportAllocs()
			b.ResetTimer()
			for page := range b.N {
				if _, err := l.WriteGitHub(context.Background(), backfillPage(page, b.N, perPage)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(2*perPage*b.N)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// backfillPage is page number page of pages, of perPage pull requests.
func backfillPage(page, pages, perPage int) ledger.GitHubWrite {
	w := ledger.GitHubWrite{State: &ledger.ReconcileState{Repo: "octo/history", NextPage: page + 2, Since: t0.Add(-time.Hour)}}
	for i := range perPage {
		pr := page*perPage + i
		prefix := fmt.Sprintf("github:github.com:pr:4242:%d:", pr)
		at := t0.Add(-time.Duration(pages*perPage-pr) * time.Minute)
		credit := func(who int, role, category string, points int64) ledger.AccountCredit {
			a := ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: fmt.Sprint(9_000_000 + who), Login: fmt.Sprintf("dev%d", who)}
			return ledger.AccountCredit{Account: a, Entry: ledger.NewEntry{Kind: ledger.KindCredit, Category: category,
				Points: points, OccurredAt: at, Source: ledger.SourceGitHub, SourceRef: prefix + role + ":" + a.ExternalID,
				Actor: "github:backfill", Note: fmt.Sprintf("octo/history#%d", pr)}}
		}
		w.Contributions = append(w.Contributions, ledger.Contribution{Prefix: prefix, Credits: []ledger.AccountCredit{
			credit(pr%50, "author", "code", 5), credit((pr+7)%50, "review", "review", 2),
		}})
	}
	return w
}
