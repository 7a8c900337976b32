package ledger

import (
	"context"
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
