package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docracy/docracy/internal/pgtest"
)

// A pipeline's statements run in order in the writer's transaction, each
// seeing what those before it wrote, however many there are (more than
// one PostgreSQL batch here); each hears its own rows and changed count;
// and a failing statement fails the pipeline, and its transaction, with
// its own error.
func TestPipeline(t *testing.T) {
	ctx := context.Background()
	for name, database := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "docracy.db") },
		"postgres": func(t *testing.T) string { return pgtest.DSN(t) },
	} {
		t.Run(name, func(t *testing.T) {
			l, err := Open(ctx, database(t), Options{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			var inserted, updated int64
			var values []string
			var steps []step
			for i := range 100 {
				steps = append(steps, step{query: "INSERT INTO meta (key, value) VALUES (?, ?)",
					args: []any{fmt.Sprintf("k%03d", i), fmt.Sprint(i)}, changed: &inserted})
			}
			steps = append(steps,
				step{query: "UPDATE meta SET value = value || '!' WHERE key LIKE 'k%'", changed: &updated},
				step{query: "SELECT value FROM meta WHERE key LIKE 'k%' ORDER BY key", row: func(row scanner) error {
					var v string
					err := row.Scan(&v)
					values = append(values, v)
					return err
				}})
			if err := l.write(ctx, func(w *writer) error { return w.engine.pipeline(ctx, w, steps) }); err != nil {
				t.Fatal(err)
			}
			if inserted != 100 || updated != 100 || len(values) != 100 || values[0] != "0!" || values[99] != "99!" {
				t.Errorf("inserted %d, updated %d, read %d values from %q to %q", inserted, updated, len(values), values[0], values[len(values)-1])
			}
			err = l.write(ctx, func(w *writer) error {
				return w.engine.pipeline(ctx, w, []step{
					{query: "INSERT INTO meta (key, value) VALUES ('z', 'kept?')"},
					{query: "INSERT INTO meta (key, value) VALUES ('k001', 'taken')"},
					{query: "INSERT INTO meta (key, value) VALUES ('y', 'after')"},
				})
			})
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), "unique") {
				t.Errorf("a statement on a taken key: %v, want its unique violation", err)
			}
			var n int
			if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key IN ('z', 'y')").Scan(&n); err != nil || n != 0 {
				t.Errorf("%d rows of the failed pipeline kept, %v", n, err)
			}
		})
	}
}

// Rows go in statements of powers of two rows, at most the engine's
// rowsPerStatement each, in order.
func TestRowSteps(t *testing.T) {
	for _, c := range []struct {
		engine engine
		rows   int
		want   string
	}{
		{postgresEngine{}, 13, "8 4 1"},
		{postgresEngine{}, 600, "256 256 64 16 8"},
		{postgresEngine{}, 256, "256"},
		{sqliteEngine{}, 3, "1 1 1"},
		{postgresEngine{}, 0, ""},
	} {
		rows := make([][]any, c.rows)
		for i := range rows {
			rows[i] = []any{i, -i}
		}
		w := &writer{engine: c.engine}
		var sizes, args []string
		for _, s := range w.rowSteps(func(n int) string { return fmt.Sprint(n) }, rows, nil) {
			sizes = append(sizes, s.query)
			for _, a := range s.args {
				args = append(args, fmt.Sprint(a))
			}
		}
		if got := strings.Join(sizes, " "); got != c.want {
			t.Errorf("%T, %d rows: statements of %q rows, want %q", c.engine, c.rows, got, c.want)
		}
		for i := range rows {
			if len(args) < 2*i+2 || args[2*i] != fmt.Sprint(i) || args[2*i+1] != fmt.Sprint(-i) {
				t.Fatalf("%T, %d rows: row %d is not in its place: %q", c.engine, c.rows, i, args)
			}
		}
	}
}
