package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

// TestFutureDateRefusedByLedger: the ledger itself refuses an occurred_at
// beyond the clock skew, naming the field, and stores nothing.
func TestFutureDateRefusedByLedger(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{HalfLife: 90 * 24 * time.Hour})
	alice := member(t, l, "alice")
	mustAppend(t, l, credit(alice, 3, "code", "at-limit", t0.Add(ledger.MaxClockSkew)))
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	for _, at := range []time.Time{t0.Add(ledger.MaxClockSkew + time.Second), far} {
		_, _, err := l.Append(ctx, credit(alice, 5, "code", "future:"+at.String(), at))
		if !errors.Is(err, ledger.ErrFutureDate) || !strings.Contains(err.Error(), "occurred_at") {
			t.Errorf("append at %s: %v, want an error naming occurred_at", at, err)
		}
	}
	if head, _ := l.Head(ctx); head.Seq != 1 {
		t.Errorf("head seq %d after the refusals, want 1", head.Seq)
	}
	board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: ledger.WindowAll, At: t0.Add(ledger.MaxClockSkew)})
	if err != nil || len(board) != 1 || board[0].Points != 3 || !approx(board[0].Reputation, 3) {
		t.Errorf("leaderboard %+v, %v; want alice with 3 points worth 3", board, err)
	}
}

// TestReputationFiniteProperty drives random dates (centuries old up to
// the skew limit), clocks that jump ahead (moving the decay anchor),
// revokes and half-life changes, and checks every figure against
// Σ points × 2^(−(t − occurred_at)/half_life).
func TestReputationFiniteProperty(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		checkReputationFinite(t, rand.New(rand.NewPCG(seed, 7)))
	}
}

type scored struct {
	points int64
	at     time.Time
	seq    int64
}

func randomHalfLife(r *rand.Rand) time.Duration {
	if r.IntN(8) == 0 {
		return 0 // no decay
	}
	return time.Duration(1+r.Int64N(5*365*24)) * time.Hour
}

func checkReputationFinite(t *testing.T, r *rand.Rand) {
	ctx := context.Background()
	c := testkit.NewClock(t0)
	path := filepath.Join(t.TempDir(), "p.db")
	halfLife := randomHalfLife(r)
	l := openPath(t, path, ledger.Options{HalfLife: halfLife, Now: c.Now})
	alice := member(t, l, "alice")
	var kept, all []scored
	for i := range 30 {
		c.Advance(time.Duration(r.Int64N(3*365*24)) * time.Hour)
		back := time.Duration(r.Int64N(250*365*24)) * time.Hour // time.Duration holds 292 years
		if r.IntN(4) == 0 {
			back = -ledger.MaxClockSkew // at the limit
		}
		e := mustAppend(t, l, credit(alice, r.Int64N(10001), "code", "p"+string(rune('a'+i)), c.Now().Add(-back)))
		s := scored{e.Points, e.OccurredAt, e.Seq}
		all = append(all, s)
		if r.IntN(5) == 0 {
			if _, _, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: e.Seq, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "test"}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		kept = append(kept, s)
	}
	if r.IntN(2) == 0 {
		l.Close()
		halfLife = randomHalfLife(r)
		l = openPath(t, path, ledger.Options{HalfLife: halfLife, Now: c.Now})
	}
	at := c.Now().Add(ledger.MaxClockSkew)
	want, scale := formula(kept, at, halfLife), formula(all, at, halfLife)
	board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: ledger.WindowAll, At: at})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Reputation(ctx, alice, at)
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{rep.Score}
	if len(board) == 1 {
		got = append(got, board[0].Reputation)
	}
	for _, g := range got {
		// The running weights add and take away terms: their rounding is
		// relative to every term summed, revoked ones included.
		if math.IsNaN(g) || math.IsInf(g, 0) || g < 0 || math.Abs(g-want) > 1e-9*scale+1e-300 {
			t.Fatalf("half-life %s: reputation %v, want %v (finite, non-negative)", halfLife, g, want)
		}
	}
}

func formula(es []scored, t time.Time, halfLife time.Duration) float64 {
	var sum float64
	for _, e := range es {
		if halfLife == 0 {
			sum += float64(e.points)
			continue
		}
		sum += float64(e.points) * math.Exp2(-t.Sub(e.at).Seconds()/halfLife.Seconds())
	}
	return sum
}

// poisonedCopy copies the ledger written by the old code (see
// ../testdata/ledger/README.md) to a temporary file.
func poisonedCopy(t *testing.T) string {
	t.Helper()
	src, err := os.Open("../testdata/ledger/poisoned-future-date.db")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(t.TempDir(), "poisoned.db")
	dst, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	return path
}

// The poisoned ledger's entries and the clock the tests read it at.
var (
	poisonedAt       = time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	poisonedHalfLife = 90 * 24 * time.Hour
	aliceAt          = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	bobAt            = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	// seq 3 was recorded at 2026-12-02T06:14:05Z: it counts from 10
	// minutes later, not from the year 9999.
	poisonAt = time.Date(2026, 12, 2, 6, 24, 5, 0, time.UTC)
)

func decayed(points int64, at time.Time) float64 {
	return formula([]scored{{points: points, at: at}}, poisonedAt, poisonedHalfLife)
}

// checkBoard asserts the all-time leaderboard's names, points and
// reputations.
func checkBoard(t *testing.T, l *ledger.Ledger, want map[string]float64) {
	t.Helper()
	board, err := l.Leaderboard(context.Background(), ledger.LeaderboardQuery{Window: ledger.WindowAll})
	if err != nil {
		t.Fatal(err)
	}
	if len(board) != len(want) {
		t.Errorf("leaderboard %+v, want %d rows", board, len(want))
	}
	for _, s := range board {
		if w, ok := want[s.Name]; !ok || !(math.Abs(s.Reputation-w) <= 1e-9*w) { // NaN fails too
			t.Errorf("%s: reputation %v, want %v", s.Name, s.Reputation, w)
		}
	}
}

// TestReputationFiniteOnPoisonedLedger: before any repair, a ledger that
// holds an entry dated 9999 still answers finite, non-negative figures.
func TestReputationFiniteOnPoisonedLedger(t *testing.T) {
	ctx := context.Background()
	l := openPath(t, poisonedCopy(t), ledger.Options{HalfLife: poisonedHalfLife, Now: testkit.NewClock(poisonedAt).Now})
	board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: ledger.WindowAll})
	if err != nil || len(board) != 3 {
		t.Fatalf("leaderboard %+v, %v; want 3 rows", board, err)
	}
	for _, s := range board {
		rep, err := l.Reputation(ctx, s.Member, poisonedAt)
		for _, v := range []float64{s.Reputation, rep.Score} {
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Errorf("%s: reputation %v, %v; want a finite, non-negative figure", s.Name, v, err)
			}
		}
	}
}

func TestRebuildRepairsPoisonedLedger(t *testing.T) {
	l := openPath(t, poisonedCopy(t), ledger.Options{HalfLife: poisonedHalfLife, Now: testkit.NewClock(poisonedAt).Now})
	n, err := l.Rebuild(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("rebuild: %d entries, %v; want 3", n, err)
	}
	checkBoard(t, l, map[string]float64{
		"alice": decayed(10, aliceAt), "bob": decayed(5, bobAt), "Codertocat": decayed(5, poisonAt),
	})
}

func TestRevokeRepairsPoisonedLedger(t *testing.T) {
	l := openPath(t, poisonedCopy(t), ledger.Options{HalfLife: poisonedHalfLife, Now: testkit.NewClock(poisonedAt).Now})
	_, _, err := l.Revoke(context.Background(), ledger.RevokeRequest{Seq: 3, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "dated 9999"})
	if err != nil {
		t.Fatal(err)
	}
	checkBoard(t, l, map[string]float64{"alice": decayed(10, aliceAt), "bob": decayed(5, bobAt)})
}

// TestRebuildRefusesBrokenChain: rebuild verifies first, and changes
// nothing when an entry was tampered with.
func TestRebuildRefusesBrokenChain(t *testing.T) {
	path := poisonedCopy(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("DROP TRIGGER entries_append_only_update; UPDATE entries SET points = 99 WHERE seq = 1")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	l := openPath(t, path, ledger.Options{HalfLife: poisonedHalfLife, Now: testkit.NewClock(poisonedAt).Now})
	var chainErr *ledger.ChainError
	if _, err := l.Rebuild(context.Background()); !errors.As(err, &chainErr) || chainErr.Seq != 1 {
		t.Fatalf("rebuild of a broken chain: %v, want a ChainError at seq 1", err)
	}
	board, _ := l.Leaderboard(context.Background(), ledger.LeaderboardQuery{Window: ledger.WindowAll})
	if len(board) != 3 || board[0].Points != 10 {
		t.Errorf("leaderboard after a refused rebuild: %+v, want the old totals", board)
	}
}
