package ledger_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

// BenchmarkLeaderboardWindows measures the all-time board, the 30d and 7d
// boards, and the same windows computed as before day_points (one query
// over every score of the window), interleaved in one loop so that the
// shared machine's load weighs on each alike. It reports each board's
// time and its ratio to the all-time board's: the goal is 30d/all and
// 7d/all at most 2.
func BenchmarkLeaderboardWindows(b *testing.B) {
	l := benchLedger(b)
	ctx := context.Background()
	for _, category := range []string{"", "doc"} {
		b.Run(fmt.Sprintf("category=%s", category), func(b *testing.B) {
			boards := windowBoards(l)
			for _, w := range []ledger.Window{ledger.Window30d, ledger.Window7d} {
				q := ledger.LeaderboardQuery{Window: w, Category: category, At: t0, Limit: 10}
				got, err1 := l.Leaderboard(ctx, q)
				want, err2 := l.ReferenceLeaderboard(ctx, q)
				if err1 != nil || err2 != nil || len(got) != 10 || !reflect.DeepEqual(got, want) {
					b.Fatalf("%s: %v %v\n%v\nwant %v", w, err1, err2, got, want)
				}
			}
			took := make([]time.Duration, len(boards))
			for b.Loop() {
				for i, board := range boards {
					start := time.Now()
					if _, err := board.run(ctx, ledger.LeaderboardQuery{Window: board.window, Category: category, At: t0, Limit: 10}); err != nil {
						b.Fatal(err)
					}
					took[i] += time.Since(start)
				}
			}
			for i, board := range boards {
				b.ReportMetric(float64(took[i])/float64(b.N)/1e6, board.name+"-ms")
				if i > 0 {
					b.ReportMetric(float64(took[i])/float64(took[0]), board.name+"/all")
				}
			}
		})
	}
}

type windowBoard struct {
	name   string
	window ledger.Window
	run    func(context.Context, ledger.LeaderboardQuery) ([]ledger.Standing, error)
}

// windowBoards lists the boards BenchmarkLeaderboardWindows compares, the
// all-time board first: the baseline.
func windowBoards(l *ledger.Ledger) []windowBoard {
	return []windowBoard{
		{"all", ledger.WindowAll, l.Leaderboard},
		{"30d", ledger.Window30d, l.Leaderboard},
		{"7d", ledger.Window7d, l.Leaderboard},
		{"30d-before", ledger.Window30d, l.ReferenceLeaderboard},
		{"7d-before", ledger.Window7d, l.ReferenceLeaderboard},
	}
}
