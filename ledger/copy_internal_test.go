package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// derivedTableNames are the tables that Rebuild recomputes from the chain.
var derivedTableNames = []string{"scores", "totals", "day_points", "payout_runs", "payouts", "polls", "poll_electors", "poll_votes"}

// Copy must know every table: one it neither copies nor rebuilds would be
// lost in a copy. A new table is added to workingState or to the derived.
func TestCopyKnowsEveryTable(t *testing.T) {
	ctx := context.Background()
	l, err := Open(ctx, filepath.Join(t.TempDir(), "l.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	known := append([]string{"entries"}, derivedTableNames...)
	for _, s := range workingState {
		known = append(known, s.table)
	}
	rows, err := l.db.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		rows.Scan(&name)
		if !slices.Contains(known, name) {
			t.Errorf("table %s is neither copied nor derived: add it to workingState (ledger/copy.go) or to derivedTableNames", name)
		}
	}
}

// A copy into PostgreSQL leaves the planner statistics of the tables it
// filled: without them, the first lookups after it read whole tables (a
// backfill page took 11 ms more, until the autovacuum came by).
func TestCopyIntoPostgresGathersStatistics(t *testing.T) {
	ctx := context.Background()
	src := creditedLedger(t, 3)
	dst := openPostgresTraced(t, &statementLog{})
	if _, err := Copy(ctx, dst, src, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := dst.db.QueryContext(ctx, `SELECT t FROM unnest(ARRAY['members', 'entries', 'scores', 'totals', 'day_points']) AS t
		WHERE NOT EXISTS (SELECT 1 FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = t)`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			t.Fatal(err)
		}
		t.Errorf("no statistics of %s after the copy", table)
	}

	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// A copy drops the indexes and constraints it may while it fills the
// target, and leaves the target with the very schema of a ledger just
// opened: every index, key and constraint, spelt the same.
func TestCopyLeavesTheSchemaOfAFreshLedger(t *testing.T) {
	ctx := context.Background()
	src := creditedLedger(t, 1)
	for name, open := range map[string]func() *Ledger{
		"sqlite":   func() *Ledger { return openAt(t, testNow()) },
		"postgres": func() *Ledger { return openPostgresTraced(t, &statementLog{}) },
	} {
		fresh, dst := open(), open()
		if _, err := Copy(ctx, dst, src, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got, want := schemaOf(t, dst), schemaOf(t, fresh); !slices.Equal(got, want) {
			t.Errorf("%s: the copy's schema is\n%s\na fresh ledger's\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// schemaOf lists l's indexes and constraints with their definitions.
func schemaOf(t *testing.T, l *Ledger) []string {
	t.Helper()
	query := "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY 1"
	if _, ok := l.engine.(postgresEngine); ok {
		query = `SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
			UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
			WHERE connamespace = current_schema()::regnamespace ORDER BY 1`
	}
	var schema []string
	err := eachRowOf(context.Background(), l.db, func(row scanner) error {
		var s string
		err := row.Scan(&s)
		schema = append(schema, s)
		return err
	}, query)
	if err != nil {
		t.Fatal(err)
	}
	return schema
}

// creditedLedger is a new SQLite ledger of one member credited n times.
func creditedLedger(t *testing.T, n int) *Ledger {
	t.Helper()
	ctx := context.Background()
	l := openAt(t, testNow())
	m, err := l.CreateMember(ctx, "ada", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		credit := NewEntry{Kind: KindCredit, Member: m.ID, Category: "code", Points: 2, OccurredAt: testNow(),
			Source: SourceCLI, SourceRef: fmt.Sprintf("cli:%d", i), Actor: "test"}
		if _, _, err := l.Append(ctx, credit); err != nil {
			t.Fatal(err)
		}
	}
	return l
}
