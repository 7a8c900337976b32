package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

const day = 24 * time.Hour

// windowLedger is a random ledger for the windowed leaderboards: credits
// and praise by a few members in a few categories, many of them dated on
// a day's first or last second or exactly a window's length before a
// moment the test asks about, some revoked, appended one by one and in
// batches on a clock that moves, under decay.
type windowLedger struct {
	l       *ledger.Ledger
	path    string
	clock   *testkit.Clock
	moments []time.Time // the ends of windows worth asking about
}

// windowCategories are the categories of a windowLedger.
var windowCategories = []string{"code", "doc", "review"}

func newWindowLedger(t *testing.T, b backend, seed uint64) windowLedger {
	rng := rand.New(rand.NewPCG(seed, 14))
	start := t0.Add(-45 * day)
	w := windowLedger{path: b.newDatabase(t), clock: testkit.NewClock(start)}
	w.l = openPath(t, w.path, ledger.Options{HalfLife: ledgerHalfLife, Now: w.clock.Now})
	members := make([]int64, 2+rng.IntN(6))
	for i := range members {
		members[i] = member(t, w.l, fmt.Sprintf("m%d", i))
	}
	midnight := t0.Truncate(day)
	w.moments = []time.Time{t0, midnight, midnight.Add(-time.Second), midnight.Add(-7 * day), t0.Add(-13*day + 17*time.Minute)}
	for range 4 {
		w.moments = append(w.moments, start.Add(time.Duration(rng.Int64N(int64(t0.Sub(start))))).Truncate(time.Second))
	}
	for i := range 60 + rng.IntN(120) {
		w.clock.Set(start.Add(time.Duration(i) * 8 * time.Hour))
		batch := w.randomEntries(rng, members, i)
		if _, err := w.l.AppendBatch(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		w.revokeSome(t, rng)
	}
	w.clock.Set(t0)
	return w
}

// randomEntries are one to three credits or praise dated at or before
// the clock, often on an edge that a window of the moments meets.
func (w *windowLedger) randomEntries(rng *rand.Rand, members []int64, i int) []ledger.NewEntry {
	now := w.clock.Now()
	var out []ledger.NewEntry
	for j := range 1 + rng.IntN(3) {
		at := now.Add(-time.Duration(rng.Int64N(int64(3 * day))))
		switch rng.IntN(4) {
		case 0: // a day's first or last second
			at = at.Truncate(day).Add(-time.Duration(rng.IntN(2)) * time.Second)
		case 1: // exactly a window before a moment, or one second inside it
			m := w.moments[rng.IntN(len(w.moments))]
			at = m.Add(-[]time.Duration{7 * day, 30 * day}[rng.IntN(2)] + time.Duration(rng.IntN(2))*time.Second)
		}
		if at.After(now) {
			at = now
		}
		n := credit(members[rng.IntN(len(members))], rng.Int64N(6), windowCategories[rng.IntN(len(windowCategories))],
			fmt.Sprintf("w:%d:%d", i, j), at)
		if rng.IntN(5) == 0 {
			n.Kind, n.Source, n.Actor = ledger.KindPraise, ledger.SourceDiscord, "discord:1"
		}
		out = append(out, n)
	}
	return out
}

// revokeSome revokes about one counted entry in eight.
func (w *windowLedger) revokeSome(t *testing.T, rng *rand.Rand) {
	head, err := w.l.Head(context.Background())
	if err != nil || rng.IntN(3) != 0 {
		return
	}
	seq := 1 + rng.Int64N(head.Seq)
	_, _, err = w.l.Revoke(context.Background(), ledger.RevokeRequest{Seq: seq, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "test"})
	if err != nil && !errors.Is(err, ledger.ErrNotRevocable) {
		t.Fatal(err)
	}
}

// assertBoardsMatchTheScan compares every windowed board of the moments,
// windows, categories and limits with the sum over every score of the
// window, as the leaderboard was computed before day_points.
func assertBoardsMatchTheScan(t *testing.T, l *ledger.Ledger, moments []time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, at := range moments {
		for _, window := range []ledger.Window{ledger.Window7d, ledger.Window30d} {
			for _, category := range append([]string{""}, windowCategories...) {
				for _, limit := range []int{2, 100} {
					q := ledger.LeaderboardQuery{Window: window, Category: category, At: at, Limit: limit}
					got, err := l.Leaderboard(ctx, q)
					want, err2 := l.ReferenceLeaderboard(ctx, q)
					if err != nil || err2 != nil || !reflect.DeepEqual(got, want) {
						t.Fatalf("%s %q at %s, limit %d: %v %v\ngot  %+v\nwant %+v", window, category, at, limit, err, err2, got, want)
					}
				}
			}
		}
	}
}

// The windowed leaderboards, read from day_points and the edge days'
// scores, equal the sum over every score of the window, on random
// ledgers, clocks, windows and categories, entries on the edges included.
func testWindowedLeaderboardsMatchTheScan(t *testing.T, b backend) {
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			w := newWindowLedger(t, b, seed)
			assertBoardsMatchTheScan(t, w.l, w.moments)
			if _, _, err := w.l.VerifyAll(context.Background(), nil); err != nil {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}

// A ledger of the schema before day_points gets the table, filled, when
// it is opened: its boards match the scan and it verifies.
func TestOpenFillsDayPointsOfAnOlderLedger(t *testing.T) {
	w := newWindowLedger(t, sqliteBackend(), 99)
	w.l.Close()
	execRaw(t, w.path, "DROP TABLE day_points; PRAGMA user_version = 8")
	l := openPath(t, w.path, ledger.Options{HalfLife: ledgerHalfLife, Now: w.clock.Now})
	assertBoardsMatchTheScan(t, l, w.moments)
	if _, _, err := l.VerifyAll(context.Background(), nil); err != nil {
		t.Fatalf("verify: %v", err)
	}
	old := filepath.Join(t.TempDir(), "v5.db")
	copyFile(t, filepath.Join("testdata", "ledger-v5.db"), old)
	v5 := openPath(t, old, ledger.Options{HalfLife: ledgerHalfLife})
	assertBoardsMatchTheScan(t, v5, []time.Time{t0, t0.Add(30 * day)})
	board, err := v5.Leaderboard(context.Background(), ledger.LeaderboardQuery{Window: ledger.Window30d, At: t0.Add(day)})
	if err != nil || len(board) == 0 {
		t.Fatalf("v5 ledger's 30-day board: %v, %v", board, err)
	}
}

// day_points edited behind the ledger's back is named by VerifyAll with
// its first differing day, and Rebuild puts the chain's figures back.
func TestVerifyAllNamesTamperedDayPoints(t *testing.T) {
	ctx := context.Background()
	w := newWindowLedger(t, sqliteBackend(), 7)
	first := func() (day int64, category, points string) {
		db := openRaw(t, w.path)
		defer db.Close()
		err := db.QueryRow("SELECT day, category, points FROM day_points ORDER BY day, category LIMIT 1").Scan(&day, &category, &points)
		if err != nil {
			t.Fatal(err)
		}
		return day, category, points
	}
	d, category, points := first()
	date := time.Unix(d*86400, 0).UTC().Format(time.DateOnly)
	for _, tt := range []struct{ name, script, want string }{
		{"points", fmt.Sprintf("UPDATE day_points SET points = '%s,999999:5' WHERE day = %d AND category = '%s'", points, d, category),
			"day_points: " + date + " category " + category + ": table says"},
		{"member", fmt.Sprintf("UPDATE day_points SET points = '999999:' || substr(points, instr(points, ':') + 1) WHERE day = %d AND category = '%s'", d, category),
			"day_points: " + date + " category " + category + ": the table gives the points to other members than the chain"},
		{"row deleted", fmt.Sprintf("DELETE FROM day_points WHERE day = %d AND category = '%s'", d, category),
			"day_points: " + date + " category " + category + ": table says 0 points"},
		{"garbled", fmt.Sprintf("UPDATE day_points SET points = 'x' WHERE day = %d AND category = '%s'", d, category),
			"day_points: " + date + " category " + category + ": unreadable points"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sqliteBackend().tamper(t, w.path, "day_points", tt.script)
			_, _, err := w.l.VerifyAll(ctx, nil)
			var de *ledger.DerivedError
			if !errors.As(err, &de) || len(err.Error()) < len(tt.want) || err.Error()[:len(tt.want)] != tt.want {
				t.Fatalf("verify after tampering = %v\nwant %s…", err, tt.want)
			}
			if _, err := w.l.Rebuild(ctx); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			if _, _, err := w.l.VerifyAll(ctx, nil); err != nil {
				t.Fatalf("verify after rebuild: %v", err)
			}
			assertBoardsMatchTheScan(t, w.l, w.moments)
		})
	}
}

// openRaw opens the database file behind the ledger's back.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	return db
}
