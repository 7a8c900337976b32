package ledger

import (
	"strings"
	"testing"
)

// Placeholders become $1, $2… in order, except where a "?" is text: in a
// string literal, a quoted identifier, a comment or a dollar-quoted body.
func TestNumberPlaceholders(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?', ? FROM t", "SELECT '?', $1 FROM t"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{`SELECT "odd?name", ?`, `SELECT "odd?name", $1`},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"SELECT /* ? */ ?", "SELECT /* ? */ $1"},
		{"DO $$ BEGIN PERFORM '?'; END $$; SELECT ?", "DO $$ BEGIN PERFORM '?'; END $$; SELECT $1"},
		{"SELECT 'unterminated ?", "SELECT 'unterminated ?"},
	} {
		if got := numberPlaceholders(tt.in); got != tt.want {
			t.Errorf("numberPlaceholders(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A statement text is rebound once and then served from the cache.
func TestRebindCaches(t *testing.T) {
	var r rebinder
	q := "SELECT ? + ?"
	if got := r.rebind(q); got != "SELECT $1 + $2" {
		t.Fatalf("rebind = %q", got)
	}
	if _, ok := r.cache.Load(q); !ok {
		t.Error("the rebound text was not cached")
	}
	if got := r.rebind("SELECT 1"); got != "SELECT 1" {
		t.Errorf("a statement without placeholders changed: %q", got)
	}
}

// A statement of one total is the single-row statement itself, so both
// paths share one parsed statement; one of n totals has n rows.
func TestUpsertTotalsHasOneRowPerTotal(t *testing.T) {
	if got := upsertTotals(1); got != upsertTotal {
		t.Errorf("upsertTotals(1) = %q, want upsertTotal", got)
	}
	for _, n := range []int{2, 256} {
		if got := strings.Count(numberPlaceholders(upsertTotals(n)), "$"); got != 4*n {
			t.Errorf("upsertTotals(%d) has %d placeholders, want %d", n, got, 4*n)
		}
	}
}
