package ledger

import "testing"

// Every SQLite migration has its PostgreSQL counterpart: both engines
// reach the same schema version, and PostgreSQL's later steps follow
// SQLite's numbers one for one.
func TestBothEnginesReachTheSameSchemaVersion(t *testing.T) {
	if s, p := latest(migrations), latest(postgresMigrations); s != p {
		t.Fatalf("SQLite migrates to version %d, PostgreSQL to %d: add ledger/migrations_postgres/%04d_*.sql", s, p, s)
	}
	for i, m := range postgresMigrations[1:] {
		if prev := postgresMigrations[i].version; m.version != prev+1 {
			t.Errorf("PostgreSQL migration %d follows %d: versions must not skip", m.version, prev)
		}
	}
	for i, m := range migrations {
		if m.version != i+1 {
			t.Errorf("SQLite migration %d is number %d in order", m.version, i+1)
		}
	}
}
