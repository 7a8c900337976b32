package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
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
	src := openAt(t, testNow())
	m, err := src.CreateMember(ctx, "ada", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		credit := NewEntry{Kind: KindCredit, Member: m.ID, Category: "code", Points: 2, OccurredAt: testNow(),
			Source: SourceCLI, SourceRef: fmt.Sprintf("cli:stats:%d", i), Actor: "test"}
		if _, _, err := src.Append(ctx, credit); err != nil {
			t.Fatal(err)
		}
	}
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
