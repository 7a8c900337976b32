package ledger_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

// TestAppendBatchDerivesAsAppend appends the same entries to two ledgers,
// one by one and in one batch (with a repeat inside the batch and one of
// an entry stored before), and expects the same chain, derived tables that
// verify against it, and the same standings.
func TestAppendBatchDerivesAsAppend(t *testing.T) {
	ctx := context.Background()
	opts := ledger.Options{HalfLife: 90 * 24 * time.Hour}
	one, batched := openTemp(t, opts), openTemp(t, opts)
	var ns []ledger.NewEntry
	for _, l := range []*ledger.Ledger{one, batched} {
		alice, bob, carol := member(t, l, "alice"), member(t, l, "bob"), member(t, l, "carol")
		mustAppend(t, l, credit(alice, 7, "code", "before", t0.Add(-time.Hour)))
		ns = nil
		for i := range 30 {
			who := []int64{alice, bob, carol}[i%3]
			ns = append(ns, credit(who, int64(1+i%4), []string{"code", "doc"}[i%2], fmt.Sprint("r", i), t0.Add(-time.Duration(30-i)*24*time.Hour)))
			if i == 12 { // an entry that does not count flushes the batch halfway
				college := credit(carol, 0, "workers", "college:carol", t0.Add(-time.Hour))
				college.Kind, college.Data = ledger.KindCollege, json.RawMessage(`{"college":"workers"}`)
				ns = append(ns, college)
			}
		}
		praise := credit(bob, 2, "community", "praise:1", t0.Add(-time.Minute))
		praise.Kind, praise.Actor = ledger.KindPraise, "discord:1"
		ns = append(ns, praise, ns[4], credit(alice, 7, "code", "before", t0))
	}
	for _, n := range ns {
		if _, _, err := one.Append(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	created, err := batched.AppendBatch(ctx, ns)
	if err != nil || created != 32 {
		t.Fatalf("batch created %d, %v; want 32", created, err)
	}
	wantHead, _, _ := one.VerifyAll(ctx, nil)
	gotHead, _, err := batched.VerifyAll(ctx, nil)
	if err != nil || gotHead != wantHead {
		t.Fatalf("batched ledger verifies to %+v, %v; want %+v, nil", gotHead, err, wantHead)
	}
	sameStandings(t, one, batched)
}

// sameStandings compares every member's reputation and the boards of two
// ledgers: points exactly, decayed scores to within rounding.
func sameStandings(t *testing.T, want, got *ledger.Ledger) {
	t.Helper()
	ctx := context.Background()
	for id := int64(1); id <= 3; id++ {
		w, err1 := want.Reputation(ctx, id, t0)
		g, err2 := got.Reputation(ctx, id, t0)
		if err1 != nil || err2 != nil || g.Points != w.Points || g.Rank != w.Rank || !approx(g.Score, w.Score) || len(g.Categories) != len(w.Categories) {
			t.Errorf("member %d: reputation %+v (%v), want %+v (%v)", id, g, err2, w, err1)
		}
	}
	for _, window := range []ledger.Window{ledger.Window7d, ledger.Window30d, ledger.WindowAll} {
		q := ledger.LeaderboardQuery{Window: window, At: t0}
		w, err1 := want.Leaderboard(ctx, q)
		g, err2 := got.Leaderboard(ctx, q)
		if err1 != nil || err2 != nil || len(g) != len(w) {
			t.Fatalf("%s board: %d rows (%v), want %d (%v)", window, len(g), err2, len(w), err1)
		}
		for i := range w {
			if g[i].Member != w[i].Member || g[i].Points != w[i].Points || !approx(g[i].Reputation, w[i].Reputation) {
				t.Errorf("%s board row %d: %+v, want %+v", window, i, g[i], w[i])
			}
		}
	}
}

// TestAppendBatchRebasesHeldWeights appends, in one batch, an entry and
// then one dated so far past the decay anchor that the anchor moves: the
// weight the batch still holds for the first must move with it.
func TestAppendBatchRebasesHeldWeights(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(t0)
	opts := ledger.Options{HalfLife: time.Hour, Now: clock.Now}
	one, batched := openTemp(t, opts), openTemp(t, opts)
	clock.Advance(30 * 24 * time.Hour) // 720 half-lives past the anchor
	var ns []ledger.NewEntry
	for _, l := range []*ledger.Ledger{one, batched} {
		alice := member(t, l, "alice")
		ns = []ledger.NewEntry{
			credit(alice, 3, "code", "early", t0.Add(time.Hour)),
			credit(alice, 5, "code", "late", clock.Now()),
			credit(alice, 4, "code", "later", clock.Now()),
		}
	}
	for _, n := range ns {
		if _, _, err := one.Append(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := batched.AppendBatch(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if _, _, err := batched.VerifyAll(ctx, nil); err != nil {
		t.Fatalf("batched ledger: %v", err)
	}
	w, _ := one.Reputation(ctx, 1, clock.Now())
	g, err := batched.Reputation(ctx, 1, clock.Now())
	if err != nil || g.Points != w.Points || !approx(g.Score, w.Score) {
		t.Errorf("reputation %+v (%v), want %+v", g, err, w)
	}
}

// TestRebuildKeepsTheScoreIndexes checks that the indexes Rebuild drops
// while it refills scores are all there again, as they were defined, and
// that what it rebuilt verifies.
func TestRebuildKeepsTheScoreIndexes(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{HalfLife: 90 * 24 * time.Hour})
	alice := member(t, l, "alice")
	for i := range 5 {
		mustAppend(t, l, credit(alice, int64(i+1), "code", fmt.Sprint("r", i), t0.Add(-time.Duration(i)*time.Hour)))
	}
	before := scoreIndexes(t, l.Path())
	if len(before) < 2 {
		t.Fatalf("scores has indexes %v, want at least scores_time and scores_member", before)
	}
	if _, err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if after := scoreIndexes(t, l.Path()); !maps.Equal(after, before) {
		t.Errorf("indexes after rebuild %v, want %v", after, before)
	}
	if _, _, err := l.VerifyAll(ctx, nil); err != nil {
		t.Errorf("rebuilt ledger: %v", err)
	}
}

// scoreIndexes reads the definitions of the indexes of scores.
func scoreIndexes(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'scores' AND sql IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	indexes := map[string]string{}
	for rows.Next() {
		var name, definition string
		if err := rows.Scan(&name, &definition); err != nil {
			t.Fatal(err)
		}
		indexes[name] = definition
	}
	return indexes
}
