package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

// derivedLedger is a small ledger that fills every derived table: GitHub
// credits under numeric ids, a revoke, praise, a Discord member paid and
// then merged into a GitHub member by a link, colleges, two payout runs.
type derivedLedger struct {
	l                 *ledger.Ledger
	path              string // the database string
	alice, bob, carol int64
	payout            int64 // seq of alice's 2026-10 payout entry
}

func newDerivedLedger(t *testing.T, b backend) derivedLedger {
	ctx := context.Background()
	d := derivedLedger{path: b.newDatabase(t)}
	d.l = openPath(t, d.path, ledger.Options{HalfLife: ledgerHalfLife})
	d.alice = ensure(t, d.l, ghAccount("101", "alice"), "")
	d.bob = ensure(t, d.l, ghAccount("202", "bob"), "")
	discord := ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: "80351110224678912"}
	dana := ensure(t, d.l, discord, "Dana on Discord")
	d.carol = member(t, d.l, "carol")
	for i, c := range []struct {
		member int64
		points int64
		ref    string
	}{{d.alice, 5, "github:github.com:pr:1:1:author:101"}, {d.alice, 2, "github:github.com:pr:1:2:author:101"},
		{d.bob, 5, "github:github.com:pr:1:3:author:202"}, {dana, 3, "meetup"}, {d.alice, 4, "github:github.com:pr:1:4:author:101"}} {
		mustAppend(t, d.l, credit(c.member, c.points, []string{"code", "code", "code", "community", "doc"}[i], c.ref, t0.Add(-48*3600e9)))
	}
	if _, _, err := d.l.Revoke(ctx, ledger.RevokeRequest{Seq: 5, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "not a PR"}); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, d.l, praise(d.bob, "discord:1", "thanks", t0))
	place(t, d.l, d.alice, "workers", "c1")
	place(t, d.l, d.bob, "users", "c2")
	d.payout = closeRunSeqs(t, d.l, "2026-10", map[int64]int64{d.alice: 3334, d.bob: 3333, dana: 3333})[0]
	_, err := d.l.Link(ctx, ledger.LinkRequest{Discord: discord, GitHub: ledger.Account{Platform: ledger.PlatformGitHub, Login: "carol"},
		Source: ledger.SourceCLI, Actor: "cli:t"})
	if err != nil {
		t.Fatal(err)
	}
	closeRunSeqs(t, d.l, "2026-11", map[int64]int64{d.alice: 500, d.carol: 500})
	return d
}

// ledgerHalfLife is a decay, so that weights are checked as well as points.
const ledgerHalfLife = 90 * 24 * 3600e9

// closeRun closes a run paying amounts (minor units, EUR) and returns the
// payout entries' seqs in member order.
func closeRunSeqs(t *testing.T, l *ledger.Ledger, period string, amounts map[int64]int64) []int64 {
	t.Helper()
	run := ledger.PayoutRun{Period: period, Policy: "proportional", Currency: "EUR", Decimals: 2, Budget: new(big.Int), Actor: "cli:t"}
	for m := int64(1); m <= 10; m++ {
		if a, ok := amounts[m]; ok {
			run.Payouts = append(run.Payouts, ledger.Payout{Member: m, Amount: big.NewInt(a)})
			run.Budget.Add(run.Budget, big.NewInt(a))
		}
	}
	closed, err := l.ClosePayout(context.Background(), run, ledger.SourceCLI)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for _, p := range closed.Payouts {
		seqs = append(seqs, p.Seq)
	}
	return seqs
}

// Every derived table edited behind the ledger's back is named by
// VerifyAll with the first difference, and Rebuild puts the chain's
// figures back.
func testVerifyAllNamesTamperedTablesAndRebuildRepairs(t *testing.T, b backend) {
	ctx := context.Background()
	d := newDerivedLedger(t, b)
	head, n, err := d.l.VerifyAll(ctx, nil)
	if err != nil || n != head.Seq || n < 15 {
		t.Fatalf("untouched ledger: %d entries, head %d, %v", n, head.Seq, err)
	}
	for _, tt := range []struct{ name, table, script, want string }{
		{"score points", "scores", "UPDATE scores SET points = 50 WHERE seq = 1",
			fmt.Sprintf("scores: member %d category code: table says 2 entries (52 points), chain says 2 (7 points)", d.alice)},
		{"score deleted", "scores", "DELETE FROM scores WHERE seq = 3",
			fmt.Sprintf("scores: member %d category code: table says 0 entries (0 points), chain says 1 (5 points)", d.bob)},
		{"score date", "scores", "UPDATE scores SET occurred_at = occurred_at + 86400 WHERE seq = 2",
			fmt.Sprintf("scores: member %d category code: the table's dates differ from the chain's", d.alice)},
		{"revoked score back", "scores", fmt.Sprintf("INSERT INTO scores VALUES (5, %d, 'doc', 4, %d)", d.alice, t0.Unix()-48*3600),
			fmt.Sprintf("scores: member %d category doc: table says 1 entries (4 points), chain says 0 (0 points)", d.alice)},
		{"total points", "totals", fmt.Sprintf("UPDATE totals SET points = 12 WHERE member_id = %d AND category = 'code'", d.alice),
			fmt.Sprintf("totals: member %d category code: table says 12 points, chain says 7", d.alice)},
		{"total of all", "totals", fmt.Sprintf("UPDATE totals SET points = 1000 WHERE member_id = %d AND category = ''", d.bob),
			fmt.Sprintf("totals: member %d category all: table says 1000 points, chain says 6", d.bob)},
		{"total deleted", "totals", fmt.Sprintf("DELETE FROM totals WHERE member_id = %d AND category = 'code'", d.alice),
			fmt.Sprintf("totals: member %d category code: table says 0 points, chain says 7", d.alice)},
		{"stray total", "totals", "INSERT INTO totals (category, member_id, points, weight) VALUES ('code', 999999, 3, 0)",
			"totals: member 999999 category code: table says 3 points, chain says 0"},
		{"stray score", "scores", fmt.Sprintf("INSERT INTO scores VALUES (999999, 999999, 'code', 4, %d)", t0.Unix()-48*3600),
			"scores: member 999999 category code: table says 1 entries (4 points), chain says 0 (0 points)"},
		{"decay half-life", "meta", "UPDATE meta SET value = '0 1' WHERE key = 'decay'",
			"meta: decay half-life: table says 1s, configuration says 7.776e+06s"},
		{"account moved", "accounts", fmt.Sprintf("UPDATE accounts SET member_id = %d WHERE external_id = '101'", d.bob),
			fmt.Sprintf("accounts: github account 101: table says member %d, chain says member %d", d.bob, d.alice)},
		{"linked account deleted", "accounts", "DELETE FROM accounts WHERE platform = 'discord'",
			fmt.Sprintf("accounts: discord account 80351110224678912: table has none, chain says member %d", d.carol)},
		{"college", "members", fmt.Sprintf("UPDATE members SET college = 'partners' WHERE id = %d", d.carol),
			fmt.Sprintf("members: member %d: table says college partners, chain says none", d.carol)},
		{"payout amount", "payouts", fmt.Sprintf("UPDATE payouts SET amount = '999999' WHERE seq = %d", d.payout),
			fmt.Sprintf("payouts: run 2026-10 member %d: table says 9999.99, chain says 33.34", d.alice)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b.tamper(t, d.path, tt.table, tt.script)
			_, _, err := d.l.VerifyAll(ctx, nil)
			var de *ledger.DerivedError
			if !errors.As(err, &de) || err.Error() != tt.want {
				t.Fatalf("verify after tampering = %v\nwant %s", err, tt.want)
			}
			if _, err := d.l.Rebuild(ctx); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			if _, m, err := d.l.VerifyAll(ctx, nil); err != nil || m != n {
				t.Fatalf("verify after rebuild: %d entries, %v", m, err)
			}
		})
	}
}

// A rebuild of an intact ledger changes no figure a member sees.
func testRebuildKeepsWhatTheChainSays(t *testing.T, b backend) {
	ctx := context.Background()
	d := newDerivedLedger(t, b)
	before := snapshot(t, d)
	if _, err := d.l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, d); after != before {
		t.Errorf("after rebuild:\n%s\nbefore:\n%s", after, before)
	}
}

// snapshot prints what members see: points, colleges, accounts, payouts.
func snapshot(t *testing.T, d derivedLedger) string {
	ctx := context.Background()
	var s string
	for _, m := range []int64{d.alice, d.bob, d.carol} {
		mem, err := d.l.Member(ctx, m)
		rep, err2 := d.l.Reputation(ctx, m, t0)
		if err != nil || err2 != nil {
			t.Fatal(err, err2)
		}
		s += fmt.Sprintf("%d %s %v %d %.6f\n", m, mem.College, mem.Accounts, rep.Points, rep.Score)
	}
	for _, p := range []string{"2026-10", "2026-11"} {
		run, err := d.l.PayoutRun(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf("%s %s %s %v\n", run.Period, run.Budget, run.Actor, run.Payouts)
	}
	return s
}

// A broken chain is reported as such by VerifyAll, before any table.
func testVerifyAllReportsTheChainFirst(t *testing.T, b backend) {
	d := newDerivedLedger(t, b)
	b.tamper(t, d.path, "totals", "UPDATE totals SET points = 1 WHERE category = ''")
	b.tamper(t, d.path, "entries", "UPDATE entries SET points = 6 WHERE seq = 2")
	var chainErr *ledger.ChainError
	if _, _, err := d.l.VerifyAll(context.Background(), nil); !errors.As(err, &chainErr) || chainErr.Seq != 2 {
		t.Fatalf("verify = %v, want the chain broken at seq 2", err)
	}
	if _, err := d.l.Rebuild(context.Background()); !errors.As(err, &chainErr) {
		t.Fatalf("rebuild of a broken chain = %v, want a ChainError", err)
	}
}

// A ledger written by an older docracy verifies, derived tables
// included; one whose scores a far-future entry spoiled before that was
// refused is named, and rebuild repairs it.
func TestVerifyAllOnOlderLedgers(t *testing.T) {
	ctx := context.Background()
	old := filepath.Join(t.TempDir(), "v5.db")
	copyFile(t, filepath.Join("testdata", "ledger-v5.db"), old)
	if _, n, err := openPath(t, old, ledger.Options{HalfLife: ledgerHalfLife}).VerifyAll(ctx, nil); err != nil || n != 7 {
		t.Errorf("ledger v5: %d entries, %v", n, err)
	}
	l := openPath(t, poisonedCopy(t), ledger.Options{HalfLife: poisonedHalfLife, Now: testkit.NewClock(poisonedAt).Now})
	var de *ledger.DerivedError
	if _, _, err := l.VerifyAll(ctx, nil); !errors.As(err, &de) || de.Table != "scores" {
		t.Fatalf("poisoned ledger: %v, want its scores named", err)
	}
	if _, err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.VerifyAll(ctx, nil); err != nil {
		t.Errorf("after rebuild: %v", err)
	}
}

// Appends that land while VerifyAll runs are not differences: the chain
// and every derived table are read in one snapshot, and the poll check,
// which writes to roll back, takes the entries the snapshot missed.
func testVerifyAllWhileAppending(t *testing.T, b backend) {
	d := newDerivedLedger(t, b)
	ctx := context.Background()
	appendWhile(t, d, d.l, 0, func(func() int64) {
		for i := range 40 {
			if _, _, err := d.l.VerifyAll(ctx, nil); err != nil {
				t.Errorf("verify %d while appending: %v", i, err)
			}
		}
	})
}

// A rebuild reads the chain beside its writing transaction, on a
// connection of its own: appends from another process (here another
// handle) wait for it and land whole, and what it rebuilt agrees with the
// chain it read, as a check right after it finds. Readers (a third
// handle) read on throughout, the tables it rebuilt included.
func testRebuildWhileAppending(t *testing.T, b backend) {
	d := newDerivedLedger(t, b)
	ctx := context.Background()
	other := openPath(t, d.path, ledger.Options{HalfLife: ledgerHalfLife})
	before, err := d.l.Reputation(ctx, d.bob, t0)
	if err != nil {
		t.Fatal(err)
	}
	// Two processes wait for SQLite's lock by sleeping and trying again:
	// one writing back to back would seldom let the other in.
	reads := readWhile(t, openPath(t, d.path, ledger.Options{HalfLife: ledgerHalfLife}))
	credits := appendWhile(t, d, other, 2*time.Millisecond, func(appended func() int64) {
		deadline := time.Now().Add(30 * time.Second)
		for i := 0; i < 10 || appended() < 30 && time.Now().Before(deadline); i++ {
			if _, err := d.l.Rebuild(ctx); err != nil {
				t.Errorf("rebuild %d while appending: %v", i, err)
			}
			if _, _, err := d.l.VerifyAll(ctx, nil); err != nil {
				t.Errorf("after rebuild %d: %v", i, err)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	if n := reads(); n < 10 {
		t.Errorf("only %d reads ran during the rebuilds", n)
	}
	if _, _, err := d.l.VerifyAll(ctx, nil); err != nil {
		t.Errorf("after rebuilding while appending: %v", err)
	}
	rep, err := d.l.Reputation(ctx, d.bob, t0)
	if err != nil || rep.Points != before.Points+int64(credits) {
		t.Errorf("bob has %d points, %v; want %d, one more per credit appended", rep.Points, err, before.Points+int64(credits))
	}
}

// readWhile reads windowed leaderboards, which read scores, from l in a
// goroutine until stop is called, which returns how many it read. A read
// that fails fails t: the tables a rebuild puts in place must read as the
// ones they replace, through statements prepared before.
func readWhile(t *testing.T, l *ledger.Ledger) (stop func() int) {
	return loop(t, func(n int) error {
		q := ledger.LeaderboardQuery{Window: []ledger.Window{ledger.Window7d, ledger.Window30d}[n%2], At: t0.Add(time.Duration(n) * time.Hour)}
		_, err := l.Leaderboard(context.Background(), q)
		return err
	})
}

// appendWhile appends to l, in a goroutine, votes, credits to bob, new
// polls and moves of carol between colleges in turn, pause apart, until
// during returns, then returns how many credits it appended. during can
// ask how many appends have landed so far. It fails t unless at least ten
// appends ran.
func appendWhile(t *testing.T, d derivedLedger, l *ledger.Ledger, pause time.Duration, during func(appended func() int64)) (credits int) {
	ctx := context.Background()
	poll := openPollEntry(t, l, ledger.PollByMember, "poll:during").Seq
	var landed atomic.Int64
	stop := loop(t, func(n int) (err error) {
		switch n % 4 {
		case 0:
			_, err = vote(l, poll, []int64{d.alice, d.bob}[n/4%2], []string{"yes", "no"}[n/8%2])
		case 1:
			_, _, err = l.Append(ctx, credit(d.bob, 1, "code", fmt.Sprint("during:", n), t0))
		case 2:
			_, _, err = l.OpenPoll(ctx, ledger.NewEntry{OccurredAt: t0, Source: ledger.SourceCLI, Actor: "cli:test",
				SourceRef: fmt.Sprint("poll:during:", n), Data: pollData(t)}, ledger.PollByMember)
		case 3:
			_, _, err = l.SetCollege(ctx, ledger.CollegeRequest{Member: d.carol, College: []string{"workers", "users"}[n/4%2],
				Source: ledger.SourceCLI, SourceRef: fmt.Sprint("college:during:", n), Actor: "cli:test"})
		}
		if err == nil {
			landed.Add(1)
			time.Sleep(pause)
		}
		return err
	})
	during(landed.Load)
	n := stop()
	if n < 10 {
		t.Fatalf("only %d appends ran meanwhile", n)
	}
	return (n + 2) / 4
}

// loop runs step with 0, 1, 2… in a goroutine until stop is called or a
// step fails, which fails t. stop returns how many steps succeeded.
func loop(t *testing.T, step func(n int) error) (stop func() int) {
	done, result := make(chan struct{}), make(chan int)
	go func() {
		n := 0
		defer func() { result <- n }()
		for ; ; n++ {
			select {
			case <-done:
				return
			default:
			}
			if err := step(n); err != nil {
				t.Errorf("step %d: %v", n, err)
				return
			}
		}
	}()
	return func() int {
		close(done)
		return <-result
	}
}

func pollData(t *testing.T) []byte {
	data, err := ledger.NewData(map[string]any{"question": "Q?", "options": []string{"yes", "no"}, "mode": ledger.PollByMember})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// The scores are read a range of members at a time: a difference is found
// in any range, and so is a row of a member the chain never credited, below
// or above every member it did.
func testVerifyAllFindsScoresInEveryRange(t *testing.T, b backend) {
	ctx := context.Background()
	path := b.newDatabase(t)
	l := openPath(t, path, ledger.Options{HalfLife: ledgerHalfLife})
	var batch []ledger.NewEntry
	for i := range 200 {
		m := member(t, l, fmt.Sprint("member", i))
		batch = append(batch, credit(m, 3, "code", fmt.Sprint("range:", i), t0))
	}
	if _, err := l.AppendBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ script, want string }{
		{"UPDATE scores SET points = 7 WHERE member_id = 150",
			"scores: member 150 category code: table says 1 entries (7 points), chain says 1 (3 points)"},
		{"INSERT INTO scores (seq, member_id, category, points, occurred_at) VALUES (9001, 100000, 'code', 1, 0)",
			"scores: member 100000 category code: table says 1 entries (1 points), chain says 0 (0 points)"},
		{"INSERT INTO scores (seq, member_id, category, points, occurred_at) VALUES (9002, -5, 'doc', 1, 0)",
			"scores: member -5 category doc: table says 1 entries (1 points), chain says 0 (0 points)"},
	} {
		b.tamper(t, path, "scores", c.script)
		if _, _, err := l.VerifyAll(ctx, nil); err == nil || err.Error() != c.want {
			t.Errorf("after %s: verify says %v, want %s", c.script, err, c.want)
		}
		if _, err := l.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// A rebuild may build tables and indexes anew, but leaves the schema as a
// migration left it: the same tables, columns, keys and indexes, under
// the same names, with the same definitions.
func testRebuildLeavesTheSchemaAsItWas(t *testing.T, b backend) {
	d := newDerivedLedger(t, b)
	before := schemaOf(t, b, d.path)
	if _, err := d.l.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := schemaOf(t, b, d.path); after != before {
		t.Errorf("schema after rebuild:\n%s\nbefore:\n%s", after, before)
	}
	if _, _, err := d.l.VerifyAll(context.Background(), nil); err != nil {
		t.Errorf("after rebuild: %v", err)
	}
}

// schemaOf prints database's schema, one line per table, column, key,
// index and trigger.
func schemaOf(t *testing.T, b backend, database string) string {
	t.Helper()
	queries := map[string][]string{
		"sqlite": {"SELECT type || ' ' || name || ' ' || tbl_name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY type, name"},
		"pgx": {
			`SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || coalesce(collation_name, '') || ' ' ||
				is_nullable || ' ' || coalesce(column_default, '') FROM information_schema.columns
				WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
			`SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
				JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema() ORDER BY 1`,
			"SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
			`SELECT tgrelid::regclass::text || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1`,
		},
	}[b.driver]
	db := b.rawDB(t, database)
	var lines []string
	for _, q := range queries {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			t.Fatal(err)
		}
	}
	if len(lines) < 20 {
		t.Fatalf("schema of %d lines: %q", len(lines), lines)
	}
	return strings.Join(lines, "\n")
}

// Checks run while another process rebuilds, over and over: each reads
// one state throughout and finds nothing wrong, and neither waits on the
// other for good (a check's poll recount writes, so it takes the write
// lock a rebuild holds, while a rebuild that locked scores' readers out
// would wait for the check's snapshot to end).
func testVerifyAllWhileRebuilding(t *testing.T, b backend) {
	d := newDerivedLedger(t, b)
	ctx := context.Background()
	rebuilder := openPath(t, d.path, ledger.Options{HalfLife: ledgerHalfLife})
	stop := loop(t, func(int) error {
		_, err := rebuilder.Rebuild(ctx)
		time.Sleep(5 * time.Millisecond) // lets the checks' own writes take SQLite's lock
		return err
	})
	for i := range 30 {
		// A check and a rebuild that wait on each other end here, not in
		// the test's timeout.
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		if _, _, err := d.l.VerifyAll(ctx, nil); err != nil {
			t.Errorf("verify %d while rebuilding: %v", i, err)
		}
		cancel()
	}
	if n := stop(); n < 3 {
		t.Errorf("only %d rebuilds ran during the checks", n)
	}
}
