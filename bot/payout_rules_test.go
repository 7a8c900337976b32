package bot_test

import (
	"context"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
	"github.com/google/go-cmp/cmp"
)

// refused checks that err is the caller's to fix and says why.
func refused(t *testing.T, what string, err error, why string) {
	t.Helper()
	if bot.ErrorCode(err) != bot.CodeInvalid || !strings.Contains(err.Error(), why) {
		t.Errorf("%s: %v, want a refusal saying %q", what, err, why)
	}
}

// TestPeriodsRefusedUnderEveryPolicy: a period of the other kind, one
// before the ledger starts, one overlapping a closed run and one in which
// nobody earned anything are never paid, whatever the policy.
func TestPeriodsRefusedUnderEveryPolicy(t *testing.T) {
	ctx := context.Background()
	for _, policy := range []bot.Policy{bot.Proportional, bot.ByReputation, bot.Balanced} {
		t.Run(string(policy), func(t *testing.T) {
			f := newTreasury(t, policy, 0)
			f.credit("alice", 10, "2026-09-10 10:00")
			f.credit("alice", 10, "2026-11-10 10:00")
			f.close("2026-11")
			for _, try := range []func(string) error{
				func(p string) error { _, err := f.treasury.Preview(ctx, p); return err },
				func(p string) error { _, err := f.treasury.Close(ctx, p, "cli:t", ledger.SourceCLI); return err },
			} {
				refused(t, "2026-W40", try("2026-W40"), "payouts.period is monthly: name a month like 2026-09")
				refused(t, "2019-01", try("2019-01"), "ends before the ledger starts (its first contribution is dated 2026-09-10): pick 2026-09 or a later period")
			}
			_, err := f.treasury.Close(ctx, "2026-10", "cli:t", ledger.SourceCLI)
			refused(t, "empty 2026-10", err, "nobody earned anything in 2026-10")
			run, err := f.treasury.Preview(ctx, "2026-10")
			if err != nil || !strings.Contains(run.Notice, "nobody earned anything in 2026-10") || len(run.Allocations) != 0 {
				t.Errorf("preview of the empty 2026-10 = %+v, %v", run, err)
			}
			f.treasury.Rules.Period = bot.Weekly
			_, err = f.treasury.Close(ctx, "2026-W48", "cli:t", ledger.SourceCLI)
			refused(t, "2026-W48 over 2026-11", err, "period 2026-W48 (2026-11-23 to 2026-11-29) overlaps 2026-11 (2026-11-01 to 2026-11-30)")
			_, err = f.treasury.Preview(ctx, "2026-W45")
			refused(t, "2026-W45 over 2026-11", err, "reopen 2026-11 first")
		})
	}
}

// TestReopenThenCloseAgainAndBalanced: a reopened run stops counting as
// paid, the period closes again, and balanced afterwards sees only the
// standing runs.
func TestReopenThenCloseAgainAndBalanced(t *testing.T) {
	ctx := context.Background()
	f := newTreasury(t, bot.Balanced, 0)
	f.credit("alice", 10, "2026-10-10 10:00")
	f.credit("bob", 10, "2026-10-10 10:00")
	f.clock = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	f.treasury.Rules.Budget = big.NewInt(1_000_000) // a slip: 10,000.00 instead of 100.00
	f.close("2026-10")
	if _, err := f.treasury.Reopen(ctx, "2026-10", "", "cli:t", ledger.SourceCLI); err == nil {
		t.Error("reopen without a reason was accepted")
	}
	reopened, err := f.treasury.Reopen(ctx, "2026-10", "budget typed with two zeros too many", "cli:t", ledger.SourceCLI)
	if err != nil || reopened.Reopened == nil || reopened.Reopened.Reason != "budget typed with two zeros too many" {
		t.Fatalf("reopen = %+v, %v", reopened, err)
	}
	if _, err := f.treasury.Reopen(ctx, "2026-10", "again", "cli:t", ledger.SourceCLI); bot.ErrorCode(err) != bot.CodeNotFound {
		t.Errorf("second reopen: %v, want not found", err)
	}
	f.treasury.Rules.Budget = big.NewInt(10000)
	again := f.close("2026-10")
	if again.ID != "2026-10#2" || again.Reopened != nil {
		t.Errorf("second close: run %q, reopened %v", again.ID, again.Reopened)
	}
	if diff := cmp.Diff(map[string]string{"alice": "50.00", "bob": "50.00"}, paid(again)); diff != "" {
		t.Errorf("2026-10 again (-want +got):\n%s", diff)
	}
	first, err := f.treasury.Export(ctx, "2026-10#1")
	if err != nil || first.ID != "2026-10" || first.Reopened == nil || first.Budget != "10000.00" {
		t.Errorf("export 2026-10#1 = run %q, reopened %v, budget %s, %v; want the first run, reopened", first.ID, first.Reopened, first.Budget, err)
	}
	if standing, err := f.treasury.Export(ctx, "2026-10"); err != nil || standing.ID != "2026-10#2" {
		t.Errorf("export 2026-10 = run %q, %v; want the standing 2026-10#2", standing.ID, err)
	}
	if _, err := f.treasury.Export(ctx, "2026-10#3"); bot.ErrorCode(err) != bot.CodeNotFound {
		t.Errorf("export 2026-10#3: %v, want not found", err)
	}
	// November: alice 30, bob 10. Lifetime 40 and 20 of 60; only the 100.00
	// of the second October run counts: pot 200, targets 133.33 and 66.67,
	// paid 50 each: underpay 83.33 and 16.67.
	f.credit("alice", 30, "2026-11-10 10:00")
	f.credit("bob", 10, "2026-11-10 10:00")
	f.clock = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if diff := cmp.Diff(map[string]string{"alice": "83.33", "bob": "16.67"}, paid(f.close("2026-11"))); diff != "" {
		t.Errorf("November (-want +got):\n%s", diff)
	}
	runs, err := f.treasury.Runs(ctx)
	if err != nil || len(runs) != 3 || runs[2].ID != "2026-10" || runs[2].Reopened == nil {
		t.Errorf("runs = %+v, %v; want the reopened first run of 2026-10 listed as reopened", runs, err)
	}
}

// TestDefaultsPayTheTopOfALargeCooperative: on the 10,000-member ledger,
// the default budget and min_amount pay the top contributors instead of
// nobody, exactly.
func TestDefaultsPayTheTopOfALargeCooperative(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the 1,000,000-entry fixture")
	}
	spec := ledgertest.Large
	now := func() time.Time { return spec.At }
	l, err := ledger.Open(context.Background(), ledgertest.Path(t, spec), ledger.Options{HalfLife: ledgertest.HalfLife, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tr := &bot.Treasury{Ledger: l, Now: now, Rules: bot.PayoutRules{
		Currency: "EUR", Decimals: 2, Period: bot.Monthly, Budget: big.NewInt(1000_00), Policy: bot.Proportional,
		MinAmount: big.NewInt(5_00), MaxSharePercent: 25, Location: time.UTC,
	}}
	run, err := tr.Preview(context.Background(), "2026-10")
	if err != nil {
		t.Fatal(err)
	}
	points, err := l.PointsBetween(context.Background(), run.Period.Start, run.Period.End)
	if err != nil {
		t.Fatal(err)
	}
	total, least, paid := new(big.Int), int64(-1), map[int64]bool{}
	for _, a := range run.Allocations {
		v, _ := ledger.ParseAmount(a.Amount, 2)
		total.Add(total, v)
		paid[a.Member] = true
		if least < 0 || points[a.Member] < least {
			least = points[a.Member]
		}
	}
	if total.Int64() != 1000_00 || len(run.Allocations) == 0 || run.BelowMin == 0 {
		t.Fatalf("%d paid, %s in all, %d below min; want 1000.00 to the top", len(run.Allocations), total, run.BelowMin)
	}
	for m, p := range points {
		if p > least && !paid[m] {
			t.Fatalf("member %d earned %d, more than the least paid (%d), and is not paid", m, p, least)
		}
	}
	t.Logf("%d members paid, %d below min, %s re-split", len(run.Allocations), run.BelowMin, run.Resplit)
}

// closeTogether is a ledger whose closes wait for each other: both closes
// have passed every check made before the write when either writes.
type closeTogether struct {
	*ledger.Ledger
	arrived *sync.WaitGroup
}

func (l closeTogether) ClosePayoutIf(ctx context.Context, run ledger.PayoutRun, source ledger.Source,
	admit func([]ledger.PayoutRun) error) (ledger.PayoutRun, error) {
	l.arrived.Done()
	l.arrived.Wait()
	return l.Ledger.ClosePayoutIf(ctx, run, source, admit)
}

// TestOverlappingClosesAtOnce: a month and a week inside it closed at the
// same time, by two processes with their own ledger handles (payouts.period
// changed between them), pay that week once: one close stands, the other
// is refused for the overlap.
func TestOverlappingClosesAtOnce(t *testing.T) {
	ctx := context.Background()
	f := newTreasury(t, bot.Proportional, 0)
	f.credit("alice", 10, "2026-11-24 10:00")
	var arrived sync.WaitGroup
	arrived.Add(2)
	monthly := *f.treasury
	monthly.Ledger = closeTogether{f.ledger, &arrived}
	weekly := monthly
	weekly.Rules.Period = bot.Weekly
	weekly.Ledger = closeTogether{ledgertest.OpenPath(t, f.ledger.Path(), ledger.Options{Now: f.treasury.Now}), &arrived}
	errs := make(chan error, 2)
	for _, c := range []struct {
		t      *bot.Treasury
		period string
	}{{&monthly, "2026-11"}, {&weekly, "2026-W48"}} {
		go func() {
			_, err := c.t.Close(ctx, c.period, "cli:t", ledger.SourceCLI)
			errs <- err
		}()
	}
	var refusals int
	for range 2 {
		if err := <-errs; err != nil {
			refused(t, "the second close", err, "overlaps")
			refusals++
		}
	}
	runs, err := f.ledger.PayoutRuns(ctx)
	if err != nil || len(runs) != 1 || refusals != 1 {
		t.Fatalf("%d runs (%v) after two overlapping closes at once, %d refused; want one run", len(runs), err, refusals)
	}
}
