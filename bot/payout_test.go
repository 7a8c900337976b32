package bot_test

import (
	"context"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
	"github.com/google/go-cmp/cmp"
)

var paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// treasuryFixture is a ledger with a settable clock and a treasury on it.
type treasuryFixture struct {
	t        *testing.T
	clock    time.Time
	ledger   *ledger.Ledger
	treasury *bot.Treasury
	members  map[string]int64
}

func newTreasury(t *testing.T, policy bot.Policy, halfLife time.Duration) *treasuryFixture {
	t.Helper()
	f := &treasuryFixture{t: t, clock: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC), members: map[string]int64{}}
	now := func() time.Time { return f.clock }
	l := ledgertest.OpenOptions(t, ledger.Options{Now: now, HalfLife: halfLife})
	f.ledger = l
	f.treasury = &bot.Treasury{Ledger: l, Now: now, Rules: bot.PayoutRules{
		Currency: "EUR", Decimals: 2, Period: bot.Monthly, Budget: big.NewInt(10000), Policy: policy, Location: paris,
	}}
	return f
}

// credit gives login points at a time given in Paris wall-clock.
func (f *treasuryFixture) credit(login string, points int64, at string) {
	f.t.Helper()
	ctx := context.Background()
	id, ok := f.members[login]
	if !ok {
		m, _, err := f.ledger.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformGitHub, Login: login}, "")
		if err != nil {
			f.t.Fatal(err)
		}
		id, f.members[login] = m.ID, m.ID
	}
	when, err := time.ParseInLocation("2006-01-02 15:04", at, paris)
	if err != nil {
		f.t.Fatal(err)
	}
	// Work dated after the clock is recorded when it happens.
	stopped := f.clock
	defer func() { f.clock = stopped }()
	f.clock = later(f.clock, when)
	_, _, err = f.ledger.Append(ctx, ledger.NewEntry{Kind: ledger.KindCredit, Member: id, Category: "code", Points: points,
		OccurredAt: when, Source: ledger.SourceCLI, SourceRef: fmt.Sprintf("t:%s:%s:%d", login, at, points), Actor: "cli:t"})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *treasuryFixture) close(period string) bot.Run {
	f.t.Helper()
	run, err := f.treasury.Close(context.Background(), period, "cli:treasurer", ledger.SourceCLI)
	if err != nil {
		f.t.Fatalf("close %s: %v", period, err)
	}
	return run
}

// paid maps logins to amounts.
func paid(run bot.Run) map[string]string {
	out := map[string]string{}
	for _, a := range run.Allocations {
		out[a.GitHub] = a.Amount
	}
	return out
}

func TestProportionalCountsThePeriodInItsTimeZone(t *testing.T) {
	f := newTreasury(t, bot.Proportional, 0)
	f.credit("alice", 3, "2026-11-01 00:30") // 2026-10-31 23:30 UTC: November in Paris
	f.credit("bob", 1, "2026-11-30 23:59")
	f.credit("carol", 50, "2026-10-31 23:59") // October
	f.credit("dave", 50, "2026-12-01 00:00")  // December
	run, err := f.treasury.Preview(context.Background(), "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	// 100.00 split 3:1.
	if diff := cmp.Diff(map[string]string{"alice": "75.00", "bob": "25.00"}, paid(run)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if run.Closed || run.Budget != "100.00" || run.Period.Start.In(paris).Format(time.RFC3339) != "2026-11-01T00:00:00+01:00" {
		t.Errorf("run = %+v", run)
	}
}

func TestReputationPolicyDecays(t *testing.T) {
	f := newTreasury(t, bot.ByReputation, 30*24*time.Hour)
	// At the end of November (2026-12-01 00:00 Paris), alice's 20 points
	// are one half-life old, worth 10; bob's 10 are new, worth 10.
	f.credit("alice", 20, "2026-11-01 00:00")
	f.credit("bob", 10, "2026-12-01 00:00")
	run, err := f.treasury.Preview(context.Background(), "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	// bob's 10 points at 00:00 on the 1st are outside November but not
	// after its end, so the reputation counts them: 50/50.
	if diff := cmp.Diff(map[string]string{"alice": "50.00", "bob": "50.00"}, paid(run)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestBalancedCatchesUpAnUnderpaidContributor follows three monthly runs
// of 100.00 worked out by hand.
func TestBalancedCatchesUpAnUnderpaidContributor(t *testing.T) {
	f := newTreasury(t, bot.Balanced, 0)
	// September: only bob's work is on record when the month is closed.
	f.credit("bob", 10, "2026-09-10 10:00")
	f.clock = time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC)
	if diff := cmp.Diff(map[string]string{"bob": "100.00"}, paid(f.close("2026-09"))); diff != "" {
		t.Errorf("September (-want +got):\n%s", diff)
	}
	// alice's September work is credited late; both earn 10 in October.
	// Lifetime: alice 40, bob 20 of 60; pot = paid 100 + budget 100 = 200.
	// Targets 133.33 and 66.67; bob was paid 100 already: alice takes all.
	f.credit("alice", 30, "2026-09-20 10:00")
	f.credit("alice", 10, "2026-10-10 10:00")
	f.credit("bob", 10, "2026-10-10 10:00")
	f.clock = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	if diff := cmp.Diff(map[string]string{"alice": "100.00"}, paid(f.close("2026-10"))); diff != "" {
		t.Errorf("October (-want +got):\n%s", diff)
	}
	// November: both earn 10. Lifetime 50 and 30 of 80; pot 300.
	// Targets 187.50 and 112.50, paid 100 each: underpay 87.50 and 12.50.
	f.credit("alice", 10, "2026-11-10 10:00")
	f.credit("bob", 10, "2026-11-10 10:00")
	f.clock = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	if diff := cmp.Diff(map[string]string{"alice": "87.50", "bob": "12.50"}, paid(f.close("2026-11"))); diff != "" {
		t.Errorf("November (-want +got):\n%s", diff)
	}
	if _, n, err := f.ledger.Verify(context.Background()); err != nil || n != 10 {
		t.Errorf("verify: %d entries, %v", n, err)
	}
}

func TestExclusionsAndFlaggedAddresses(t *testing.T) {
	f := newTreasury(t, bot.Proportional, 0)
	f.credit("alice", 1, "2026-11-02 10:00")
	f.credit("bob", 1, "2026-11-02 10:00")
	f.credit("carol", 1, "2026-11-02 10:00")
	f.credit("dave", 1, "2026-11-02 10:00")
	ctx := context.Background()
	if _, _, err := f.ledger.SetCollege(ctx, ledger.CollegeRequest{Member: f.members["bob"], College: "partners",
		Source: ledger.SourceCLI, SourceRef: "college:bob", Actor: "cli:t"}); err != nil {
		t.Fatal(err)
	}
	if err := f.ledger.SetPayoutAddress(ctx, f.members["alice"], "FR76 3000 6000 0112 3456 7890 189"); err != nil {
		t.Fatal(err)
	}
	f.treasury.Rules.ExcludeColleges = []string{"partners"}
	f.treasury.Rules.ExcludeMembers = []string{"github:Carol", fmt.Sprint(f.members["dave"] + 100)}
	run, err := f.treasury.Preview(ctx, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"alice": "50.00", "dave": "50.00"}, paid(run)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, a := range run.Allocations {
		if a.HasAddress != (a.GitHub == "alice") {
			t.Errorf("%s: has_address %v", a.GitHub, a.HasAddress)
		}
	}
	if pub := run.Public(); pub.Allocations[0].Address != "" {
		t.Error("public run shows an address")
	}
}

func TestCloseOnceAndPreviewAfterClose(t *testing.T) {
	f := newTreasury(t, bot.Proportional, 0)
	ctx := context.Background()
	if _, err := f.treasury.Close(ctx, "2026-11", "cli:t", ledger.SourceCLI); bot.ErrorCode(err) != bot.CodeInvalid {
		t.Errorf("closing an empty period: %v, want a refusal", err)
	}
	empty, err := f.treasury.Preview(ctx, "2026-11")
	if err != nil || empty.Notice == "" || len(empty.Allocations) != 0 {
		t.Errorf("preview of an empty period = %+v, %v; want a notice", empty, err)
	}
	if _, err := f.treasury.Close(ctx, "2026-12", "cli:t", ledger.SourceCLI); bot.ErrorCode(err) != bot.CodeInvalid {
		t.Errorf("closing a period that has not ended: %v", err)
	}
	f.credit("alice", 1, "2026-11-02 10:00")
	f.credit("bob", 2, "2026-11-02 10:00")

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.treasury.Close(ctx, "2026-11", "cli:t", ledger.SourceCLI)
		}()
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("concurrent closes: %v and %v; want exactly one to succeed", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil && bot.ErrorMessage(err) != "period 2026-11 is already closed: see docracy payout export --period 2026-11" {
			t.Errorf("second close: %q", bot.ErrorMessage(err))
		}
	}
	f.credit("carol", 100, "2026-11-03 10:00") // after the close: does not change it
	run, err := f.treasury.Preview(ctx, "2026-11")
	if err != nil || !run.Closed || run.ClosedAt == nil {
		t.Fatalf("preview after close = %+v, %v", run, err)
	}
	if diff := cmp.Diff(map[string]string{"alice": "33.33", "bob": "66.67"}, paid(run)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	history, _ := f.ledger.History(ctx, f.members["bob"], 1)
	if len(history) != 1 || history[0].Kind != ledger.KindPayout || history[0].Note != "66.67 EUR for 2026-11 (proportional)" {
		t.Errorf("bob's latest entry = %+v, want the payout", history)
	}
	runs, err := f.treasury.Runs(ctx)
	if err != nil || len(runs) != 1 || runs[0].Period.Name != "2026-11" {
		t.Errorf("runs = %+v, %v", runs, err)
	}
}

func TestPeriods(t *testing.T) {
	tests := []struct {
		name  string
		kind  bot.PeriodKind
		start string
		end   string
	}{
		{"2026-11", bot.Monthly, "2026-11-01T00:00:00+01:00", "2026-12-01T00:00:00+01:00"},
		{"2026-03", bot.Monthly, "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00"}, // DST inside
		{"2026-W48", bot.Weekly, "2026-11-23T00:00:00+01:00", "2026-11-30T00:00:00+01:00"},
		{"2026-W01", bot.Weekly, "2025-12-29T00:00:00+01:00", "2026-01-05T00:00:00+01:00"},
		{"2026-W53", bot.Weekly, "2026-12-28T00:00:00+01:00", "2027-01-04T00:00:00+01:00"},
	}
	for _, tt := range tests {
		checkPeriodSpan(t, tt.name, tt.kind, paris, tt.start, tt.end)
	}
	for _, bad := range []string{"2026-13", "2026-W54", "2025-W53", "nov", "2026-11-01"} {

		if _, err := bot.ParsePeriod(bad, bot.Weekly, paris); err == nil {
			if _, err := bot.ParsePeriod(bad, bot.Monthly, paris); err == nil {
				t.Errorf("%s accepted", bad)
			}
		}
	}
	last := bot.PeriodAt(time.Date(2026, 1, 3, 12, 0, 0, 0, time.UTC), bot.Weekly, paris).Previous(bot.Weekly)
	if last.Name != "2025-W52" {
		t.Errorf("week before 2026-01-03 = %s", last.Name)
	}
}

// TestPeriodsWhereMidnightMoves: a period starts at the first instant of
// its first day, even where a clock change skips midnight (daylight saving
// time began at 0:00 in Paraguay on 1 October 2017 and 1 October 1990, and
// in Cuba on 1 April 2012) or where midnight comes twice (in Israel it
// ended at 1:00 on 7 October 2002, turning the clocks back to 0:00).
func TestPeriodsWhereMidnightMoves(t *testing.T) {
	tests := []struct {
		zone, name string
		kind       bot.PeriodKind
		start, end string
	}{
		{"America/Asuncion", "2017-10", bot.Monthly, "2017-10-01T01:00:00-03:00", "2017-11-01T00:00:00-03:00"},
		{"America/Asuncion", "2017-09", bot.Monthly, "2017-09-01T00:00:00-04:00", "2017-10-01T01:00:00-03:00"},
		{"America/Havana", "2012-04", bot.Monthly, "2012-04-01T01:00:00-04:00", "2012-05-01T00:00:00-04:00"},
		{"America/Asuncion", "1990-W40", bot.Weekly, "1990-10-01T01:00:00-03:00", "1990-10-08T00:00:00-03:00"},
		{"Asia/Jerusalem", "2002-W41", bot.Weekly, "2002-10-07T00:00:00+03:00", "2002-10-14T00:00:00+02:00"},
	}
	for _, tt := range tests {
		loc, err := time.LoadLocation(tt.zone)
		if err != nil {
			t.Fatal(err)
		}
		checkPeriodSpan(t, tt.name, tt.kind, loc, tt.start, tt.end)
	}
}

func checkPeriodSpan(t *testing.T, name string, kind bot.PeriodKind, loc *time.Location, start, end string) {
	t.Helper()
	p, err := bot.ParsePeriod(name, kind, loc)
	if err != nil {
		t.Errorf("%s in %s: %v", name, loc, err)
		return
	}
	if p.Name != name || p.Start.Format(time.RFC3339) != start || p.End.Format(time.RFC3339) != end {
		t.Errorf("%s in %s = %s %s .. %s, want %s .. %s", name, loc, p.Name,
			p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339), start, end)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
