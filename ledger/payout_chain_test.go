package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"math/big"
	"path/filepath"
	"slices"
	"testing"

	"github.com/docracy/docracy/ledger"
	_ "modernc.org/sqlite"
)

// closeRun closes period with the given minor-unit amounts, member by member.
func closeRun(t *testing.T, l *ledger.Ledger, period string, amounts map[int64]int64) ledger.PayoutRun {
	t.Helper()
	run := ledger.PayoutRun{Period: period, Policy: "proportional", Currency: "EUR", Decimals: 2, Budget: new(big.Int), Actor: "cli:t"}
	for _, m := range slices.Sorted(maps.Keys(amounts)) { // entries in member order, as a close writes them
		run.Payouts = append(run.Payouts, ledger.Payout{Member: m, Amount: big.NewInt(amounts[m])})
		run.Budget.Add(run.Budget, big.NewInt(amounts[m]))
	}
	closed, err := l.ClosePayout(context.Background(), run, ledger.SourceCLI)
	if err != nil {
		t.Fatalf("close %s: %v", period, err)
	}
	return closed
}

// rawDB opens the ledger file beside the ledger, as a tamperer would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A payout entry carries its amount, currency, period, policy and run in
// data, so the hash covers the money.
func TestPayoutEntryCarriesTheAmount(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice := member(t, l, "alice")
	run := closeRun(t, l, "2026-10", map[int64]int64{alice: 3334})
	e, err := l.Entry(ctx, run.Payouts[0].Seq)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"amount":"33.34","currency":"EUR","period":"2026-10","policy":"proportional","run":"2026-10"}`
	if string(e.Data) != want || e.Note != "33.34 EUR for 2026-10 (proportional)" {
		t.Errorf("payout entry data %s, note %q; want %s", e.Data, e.Note, want)
	}
}

// Tampering with the payout tables is named by CheckPayouts and repaired
// by RebuildPayouts; the amounts read back are the chain's all along.
func testCheckAndRebuildPayouts(t *testing.T, b backend) {
	ctx := context.Background()
	path := b.newDatabase(t)
	l := openPath(t, path, ledger.Options{})
	for _, login := range []string{"a", "b"} {
		member(t, l, login)
	}
	third := member(t, l, "c")
	closeRun(t, l, "2026-10", map[int64]int64{1: 3333, 2: 3333, third: 3334})
	db := b.rawDB(t, path)
	tampers := []struct{ name, sql, want string }{
		{"amount", "UPDATE payouts SET amount = '999999' WHERE member_id = 3",
			"payouts: run 2026-10 member 3: table says 9999.99, chain says 33.34"},
		{"member", "UPDATE payouts SET member_id = 1 WHERE member_id = 3",
			"payouts: run 2026-10 entry 3: table says member 1, chain says member 3"},
		{"deleted row", "DELETE FROM payouts WHERE member_id = 2",
			"payouts: run 2026-10 member 2: table has no payout, chain says 33.33"},
		{"budget", "UPDATE payout_runs SET budget = '1'",
			"payouts: run 2026-10: table says budget 0.01, chain says 100.00"},
		{"reopened", "UPDATE payout_runs SET reopened_at = 1, reopen_reason = 'x'",
			`payouts: run 2026-10: table says reopened 1970-01-01T00:00:01Z by  ("x"), chain says no`},
		{"forged run", "INSERT INTO payout_runs (run, period, policy, currency, decimals, budget, closed_at, actor) VALUES ('2019-01#2', '2019-01', 'balanced', 'EUR', 2, '100', 0, 'x')",
			"payouts: run 2019-01#2: table has it, chain has no payout entry of it"},
	}
	for _, tt := range tampers {
		if _, err := db.ExecContext(ctx, tt.sql); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if err := l.CheckPayouts(ctx); err == nil || err.Error() != tt.want {
			t.Errorf("%s: check = %v, want %s", tt.name, err, tt.want)
		}
		if err := l.RebuildPayouts(ctx); err != nil {
			t.Fatalf("%s: rebuild: %v", tt.name, err)
		}
		if err := l.CheckPayouts(ctx); err != nil {
			t.Errorf("%s: check after rebuild: %v", tt.name, err)
		}
	}
	paid, err := l.PaidTotals(ctx, "EUR", 2)
	if err != nil || paid[third].Int64() != 3334 {
		t.Errorf("paid to member 3 = %v, %v; want 3334", paid[third], err)
	}
}

// The export and balanced read the chained amount even before anyone
// rebuilds the tampered table.
func TestPayoutReadsIgnoreATamperedTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "docracy.db")
	l := openPath(t, path, ledger.Options{})
	alice := member(t, l, "alice")
	closeRun(t, l, "2026-10", map[int64]int64{alice: 3334})
	if _, err := rawDB(t, path).ExecContext(ctx, "UPDATE payouts SET amount = '999999'"); err != nil {
		t.Fatal(err)
	}
	run, err := l.PayoutRun(ctx, "2026-10")
	if err != nil || len(run.Payouts) != 1 || run.Payouts[0].Amount.Int64() != 3334 {
		t.Fatalf("run = %+v, %v; want 33.34 as chained", run.Payouts, err)
	}
	paid, err := l.PaidTotals(ctx, "EUR", 2)
	if err != nil || paid[alice].Int64() != 3334 {
		t.Errorf("paid = %v, %v; want 3334 as chained", paid[alice], err)
	}
}

// Reopening revokes each payout entry once, in the open; the period then
// closes again under a second run id, and only the standing run counts as
// paid.
func testReopenThenCloseAgain(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	alice, bob := member(t, l, "alice"), member(t, l, "bob")
	first := closeRun(t, l, "2026-10", map[int64]int64{alice: 6000, bob: 4000})
	if _, err := l.ReopenPayout(ctx, ledger.ReopenRequest{Period: "2026-10", Reason: "wrong budget", Actor: "cli:t", Source: ledger.SourceCLI}); err != nil {
		t.Fatal(err)
	}
	for _, p := range first.Payouts {
		e, err := l.Entry(ctx, p.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if revoked, err := l.Revoked(ctx, e); err != nil || !revoked {
			t.Errorf("payout entry %d revoked = %v, %v", p.Seq, revoked, err)
		}
	}
	_, err := l.ReopenPayout(ctx, ledger.ReopenRequest{Period: "2026-10", Reason: "again", Actor: "cli:t", Source: ledger.SourceCLI})
	if !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("second reopen: %v, want ErrNotFound", err)
	}
	second := closeRun(t, l, "2026-10", map[int64]int64{alice: 500})
	if second.ID != "2026-10#2" {
		t.Errorf("second run id %q, want 2026-10#2", second.ID)
	}
	if _, err := l.ClosePayout(ctx, second, ledger.SourceCLI); !errors.Is(err, ledger.ErrPeriodClosed) {
		t.Errorf("third close: %v, want ErrPeriodClosed", err)
	}
	paid, err := l.PaidTotals(ctx, "EUR", 2)
	if err != nil || len(paid) != 1 || paid[alice].Int64() != 500 {
		t.Errorf("paid = %v, %v; want only the 5.00 of the second run", paid, err)
	}
	reopened, err := l.PayoutRun(ctx, "2026-10")
	if err != nil || reopened.ID != "2026-10#2" || reopened.Reopened != nil {
		t.Errorf("latest run of 2026-10 = %+v, %v", reopened, err)
	}
	if old, err := l.PayoutRun(ctx, "2026-10#1"); err != nil || old.Reopened == nil || old.Reopened.Reason != "wrong budget" {
		t.Errorf("first run = %+v, %v; want reopened for wrong budget", old, err)
	}
	if err := l.CheckPayouts(ctx); err != nil {
		t.Errorf("check: %v", err)
	}
	if _, _, err := l.Verify(ctx); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// A ledger closed before payout entries carried data keeps its amounts:
// they come from the chained notes.
func TestVersion5PayoutsReadFromNotes(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	copyFile(t, "testdata/ledger-v5.db", path)
	l := openPath(t, path, ledger.Options{})
	if _, n, err := l.Verify(ctx); err != nil || n != 7 {
		t.Fatalf("verify = %d, %v", n, err)
	}
	if err := l.CheckPayouts(ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
	if _, err := rawDB(t, path).ExecContext(ctx, "UPDATE payouts SET amount = '999999'"); err != nil {
		t.Fatal(err)
	}
	run, err := l.PayoutRun(ctx, "2026-10")
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, p := range run.Payouts {
		got[p.Member] = ledger.FormatAmount(p.Amount, run.Decimals)
	}
	if got[1] != "46.67" || got[3] != "53.33" || len(got) != 2 || run.ID != "2026-10" {
		t.Errorf("v5 run %s pays %v, want 1: 46.67 and 3: 53.33", run.ID, got)
	}
	if err := l.RebuildPayouts(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.CheckPayouts(ctx); err != nil {
		t.Errorf("check after rebuild: %v", err)
	}
}
