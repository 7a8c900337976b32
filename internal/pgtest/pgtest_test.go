package pgtest_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/docracy/docracy/internal/pgtest"
)

// Two databases of one server are separate, and each answers.
func TestNewDatabaseIsFreshAndSeparate(t *testing.T) {
	s := pgtest.Start(t)
	a, b := s.NewDatabase(t), s.NewDatabase(t)
	if a == b {
		t.Fatalf("two databases share the URL %s", a)
	}
	ctx := context.Background()
	for i, dsn := range []string{a, b} {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var tables int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables != 0 {
			t.Errorf("database %d has %d tables, want a fresh one", i, tables)
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE t (x int)"); err != nil {
			t.Fatal(err)
		}
	}
}
