package ledger_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

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
