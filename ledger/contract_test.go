package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/pgtest"
	"github.com/docracy/docracy/ledger"
)

// The contract: what the ledger promises, whichever engine holds it. Each
// case takes the backend it runs on and nothing else, so that the same
// code checks SQLite and PostgreSQL.

// backend opens fresh ledgers in one engine, and changes a database behind
// its ledger's back as someone with access to it could.
type backend struct {
	name string
	// newDatabase returns the database string of a new, empty ledger.
	newDatabase func(t testing.TB) string
	// driver is the database/sql driver of raw access.
	driver string
	// unguard removes the triggers that refuse edits of table.
	unguard func(t testing.TB, db *sql.DB, table string)
	// futureSchema marks the schema as written by a newer docracy.
	futureSchema string
}

func sqliteBackend() backend {
	return backend{
		name:         "sqlite",
		newDatabase:  func(t testing.TB) string { return filepath.Join(t.TempDir(), "docracy.db") },
		driver:       "sqlite",
		unguard:      dropSQLiteTriggers,
		futureSchema: "PRAGMA user_version = 99",
	}
}

func postgresBackend(t *testing.T) backend {
	server := pgtest.Start(t)
	return backend{
		name:        "postgres",
		newDatabase: server.NewDatabase,
		driver:      "pgx",
		unguard: func(t testing.TB, db *sql.DB, table string) {
			if _, err := db.Exec("ALTER TABLE " + table + " DISABLE TRIGGER USER"); err != nil {
				t.Fatal(err)
			}
		},
		futureSchema: "UPDATE docracy_schema SET version = 99",
	}
}

func TestContractSQLite(t *testing.T)   { runContract(t, sqliteBackend()) }
func TestContractPostgres(t *testing.T) { runContract(t, postgresBackend(t)) }

// runContract runs every case of the contract on b.
func runContract(t *testing.T, b backend) {
	for _, c := range []struct {
		name string
		run  func(*testing.T, backend)
	}{
		{"AppendIsIdempotentOnSourceRef", testAppendIsIdempotentOnSourceRef},
		{"ConcurrentAppendsKeepTheChain", testConcurrentAppendsKeepTheChain},
		{"TwoHandlesAppendingKeepTheChain", testTwoHandlesAppendingKeepTheChain},
		{"VerifyNamesTheFirstTamperedSeq", testVerifyNamesTheFirstTamperedSeq},
		{"EntriesCannotBeUpdatedOrDeleted", testEntriesCannotBeUpdatedOrDeleted},
		{"VerifyAllNamesTamperedTablesAndRebuildRepairs", testVerifyAllNamesTamperedTablesAndRebuildRepairs},
		{"RebuildKeepsWhatTheChainSays", testRebuildKeepsWhatTheChainSays},
		{"VerifyAllReportsTheChainFirst", testVerifyAllReportsTheChainFirst},
		{"CheckAndRebuildPayouts", testCheckAndRebuildPayouts},
		{"ReopenThenCloseAgain", testReopenThenCloseAgain},
		{"PollElectorateAndVotes", testPollElectorateAndVotes},
		{"CheckAndRebuildPolls", testCheckAndRebuildPolls},
		{"WriteGitHubRecordsTheDeliveryWithTheCredits", testWriteGitHubRecordsTheDeliveryWithTheCredits},
		{"WriteGitHubIsAllOrNothing", testWriteGitHubIsAllOrNothing},
		{"GroupCommitLooksUpAsWritesOneByOne", testGroupCommitLooksUpAsWritesOneByOne},
		{"AccountsByLoginThenID", testAccountsByLoginThenID},
		{"DigestRecordedOnceAcrossHandles", testDigestRecordedOnceAcrossHandles},
		{"OpenRefusesNewerSchema", testOpenRefusesNewerSchema},
		{"WindowedLeaderboardsMatchTheScan", testWindowedLeaderboardsMatchTheScan},
		{"VerifyAllWhileAppending", testVerifyAllWhileAppending},
		{"RebuildWhileAppending", testRebuildWhileAppending},
		{"RebuildLeavesTheSchemaAsItWas", testRebuildLeavesTheSchemaAsItWas},
		{"VerifyAllWhileRebuilding", testVerifyAllWhileRebuilding},
		{"VerifyAllFindsScoresInEveryRange", testVerifyAllFindsScoresInEveryRange},
		{"EachReadsWhatEntriesReads", testEachReadsWhatEntriesReads},
		{"TotalsOfManyMembersAtOnce", testTotalsOfManyMembersAtOnce},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, b) })
	}
}

// open opens a new ledger, closed when t ends.
func (b backend) open(t testing.TB, opts ledger.Options) *ledger.Ledger {
	t.Helper()
	return openPath(t, b.newDatabase(t), opts)
}

// rawDB opens database beside its ledger, as a tamperer would.
func (b backend) rawDB(t testing.TB, database string) *sql.DB {
	t.Helper()
	db, err := sql.Open(b.driver, database)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// exec runs script on database behind its ledger's back.
func (b backend) exec(t testing.TB, database, script string) {
	t.Helper()
	if _, err := b.rawDB(t, database).Exec(script); err != nil {
		t.Fatalf("raw sql: %v", err)
	}
}

// tamper changes a table as a deliberate tamperer would: its guard
// triggers removed first. The script must change a row.
func (b backend) tamper(t testing.TB, database, table, script string) {
	t.Helper()
	db := b.rawDB(t, database)
	b.unguard(t, db, table)
	if res, err := db.Exec(script); err != nil {
		t.Fatalf("tamper: %v", err)
	} else if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("tamper: %q changed no row", script)
	}
}

func dropSQLiteTriggers(t testing.TB, db *sql.DB, table string) {
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?", table)
	if err != nil {
		t.Fatal(err)
	}
	var triggers []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		triggers = append(triggers, name)
	}
	rows.Close()
	for _, name := range triggers {
		if _, err := db.Exec(`DROP TRIGGER "` + name + `"`); err != nil {
			t.Fatal(err)
		}
	}
}

// Two ledgers open on one database, as two processes would hold it,
// append at once: seqs stay gapless and the chain valid.
func testTwoHandlesAppendingKeepTheChain(t *testing.T, b backend) {
	ctx := context.Background()
	database := b.newDatabase(t)
	handles := []*ledger.Ledger{openPath(t, database, ledger.Options{}), openPath(t, database, ledger.Options{})}
	alice := member(t, handles[0], "alice")
	const workers, each = 8, 100
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			l := handles[w%2]
			for i := range each {
				if _, _, err := l.Append(ctx, credit(alice, 1, "code", fmt.Sprintf("w%d:%d", w, i), t0)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	assertGapless(t, handles[1], workers*each)
	rep, err := handles[0].Reputation(ctx, alice, t0)
	if err != nil || rep.Points != workers*each {
		t.Errorf("alice has %d points, %v; want %d, one per append", rep.Points, err, workers*each)
	}
	if _, _, err := handles[1].VerifyAll(ctx, nil); err != nil {
		t.Errorf("verify all: %v", err)
	}
}

// assertGapless checks that l holds seqs 1..n in order and a valid chain.
func assertGapless(t *testing.T, l *ledger.Ledger, n int) {
	t.Helper()
	ctx := context.Background()
	var seqs []int64
	if err := l.Each(ctx, 0, func(e ledger.Entry) error { seqs = append(seqs, e.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != n {
		t.Fatalf("%d entries, want %d", len(seqs), n)
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("seq %d at position %d: not gapless", s, i)
		}
	}
	if _, got, err := l.Verify(ctx); err != nil || got != int64(n) {
		t.Errorf("verify: %d entries, %v", got, err)
	}
}

// A digest recorded by two processes for one period keeps the first
// record: the bot that lost the race sees it posted.
func testDigestRecordedOnceAcrossHandles(t *testing.T, b backend) {
	ctx := context.Background()
	database := b.newDatabase(t)
	first, second := openPath(t, database, ledger.Options{}), openPath(t, database, ledger.Options{})
	start := t0.AddDate(0, 0, -7)
	var wg sync.WaitGroup
	for i, l := range []*ledger.Ledger{first, second} {
		wg.Go(func() {
			r := ledger.DigestRecord{Slot: t0, PeriodStart: start, MessageID: fmt.Sprint("message-", i)}
			if err := l.RecordDigest(ctx, r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	a, errA := first.LastDigest(ctx)
	c, errC := second.LastDigest(ctx)
	if errA != nil || errC != nil || a != c || !a.PeriodStart.Equal(start) {
		t.Errorf("the two handles see %+v (%v) and %+v (%v); want one record of %s", a, errA, c, errC, start)
	}
}

// A database from a newer docracy is refused, and left as it was.
func testOpenRefusesNewerSchema(t *testing.T, b backend) {
	ctx := context.Background()
	database := b.newDatabase(t)
	l := openPath(t, database, ledger.Options{})
	mustAppend(t, l, credit(member(t, l, "alice"), 1, "code", "r", t0))
	l.Close()
	b.exec(t, database, b.futureSchema)
	if _, err := ledger.Open(ctx, database, ledger.Options{}); !errors.Is(err, ledger.ErrNewerSchema) {
		t.Fatalf("open a newer schema: %v, want ErrNewerSchema", err)
	}
	if _, err := ledger.Open(ctx, database, ledger.Options{}); !errors.Is(err, ledger.ErrNewerSchema) {
		t.Errorf("open again: %v, want ErrNewerSchema still: the refused open changed the version", err)
	}
}

// Each reads the packed rows of a scan of the chain, Entries the columns
// one by one: both must give every entry alike, whatever its texts hold.
func testEachReadsWhatEntriesReads(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	alice := member(t, l, "alice")
	data, err := ledger.NewData(map[string]any{"a": "x:y", "b": []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	for i, note := range []string{"", ":", "3:abc", "a\x1fb", "élan ✓ 日本", strings.Repeat("long ", 2000)} {
		n := credit(alice, int64(i), "code", fmt.Sprint("each:", i), t0.Add(-time.Duration(i)*time.Hour))
		n.Note, n.URL = note, fmt.Sprint("https://example.org/", i)
		if i == 3 {
			n.Data = data
		}
		mustAppend(t, l, n)
	}
	for _, after := range []int64{0, 2, 6} {
		want, err := l.Entries(ctx, after, 100)
		got := []ledger.Entry{}
		err = errors.Join(err, l.Each(ctx, after, func(e ledger.Entry) error {
			got = append(got, e)
			return nil
		}))
		if err != nil || len(want) != 6-int(after) || !reflect.DeepEqual(got, want) {
			t.Errorf("after %d: Each read\n%+v\nEntries read\n%+v\n(%v)", after, got, want, err)
		}
	}
}

// Totals written many at a time, as a batch and a rebuild write them
// (several statements' worth of rows on PostgreSQL, some keys new and
// some already there), agree with the chain.
func testTotalsOfManyMembersAtOnce(t *testing.T, b backend) {
	ctx := context.Background()
	database := b.newDatabase(t)
	l := openPath(t, database, ledger.Options{})
	members := make([]int64, 300)
	for i := range members {
		members[i] = member(t, l, fmt.Sprint("m", i))
	}
	for round := range 2 {
		var batch []ledger.NewEntry
		for i, m := range members[:150*(round+1)] {
			category := []string{"code", "docs"}[i%2]
			batch = append(batch, credit(m, int64(1+i), category, fmt.Sprintf("many:%d:%d", round, i), t0.Add(-time.Duration(i)*time.Minute)))
		}
		if _, err := l.AppendBatch(ctx, batch); err != nil {
			t.Fatalf("batch %d: %v", round, err)
		}
		if _, _, err := l.VerifyAll(ctx, nil); err != nil {
			t.Fatalf("after batch %d: %v", round, err)
		}
	}
	b.exec(t, database, "UPDATE totals SET points = points + 1")
	if _, _, err := l.VerifyAll(ctx, nil); err == nil {
		t.Fatal("verify passed totals that were each one point off")
	}
	if _, err := l.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.VerifyAll(ctx, nil); err != nil {
		t.Errorf("after the rebuild: %v", err)
	}
}
