package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed migrations_postgres/*.sql
var postgresMigrationFS embed.FS

// migration is one embedded SQL script; it brings the schema to version.
type migration struct {
	version int
	script  string
}

// migrations are SQLite's, one per version from 1. PostgreSQL's start at
// the version SQLite had when PostgreSQL came (one script creates that
// schema whole) and follow SQLite's numbers from there.
var (
	migrations         = readMigrations(migrationFS, "migrations")
	postgresMigrations = readMigrations(postgresMigrationFS, "migrations_postgres")
)

// readMigrations reads dir's NNNN_name.sql files in version order.
func readMigrations(fsys embed.FS, dir string) []migration {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	out := make([]migration, len(names))
	for i, name := range names {
		b, err := fsys.ReadFile(name)
		if err != nil {
			panic(err)
		}
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			panic(fmt.Sprintf("migration %s: the name must start with its version: %v", name, err))
		}
		out[i] = migration{version: v, script: string(b)}
	}
	return out
}

// latest is the version the last of ms brings the schema to.
func latest(ms []migration) int { return ms[len(ms)-1].version }

// SchemaID fingerprints the embedded migrations, so that caches of built
// databases (benchmark fixtures) are rebuilt when the schema changes.
var SchemaID = func() string {
	h := sha256.New()
	for _, m := range migrations {
		h.Write([]byte(m.script))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// migrate applies each migration the database lacks in its own
// transaction, so a failed one leaves the previous version intact. Each
// transaction holds the write lock and reads the version again, so that
// two processes opening a new database together migrate it once.
func (l *Ledger) migrate(ctx context.Context) error {
	// Most opens find the schema current: they need no write lock.
	version, err := l.engine.schemaVersion(ctx, l.db)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if known := latest(l.engine.migrations()); version >= known {
		return newerSchema(version, known)
	}
	for {
		done, err := l.migrateStep(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next migration the database lacks, or reports
// that there is none.
func (l *Ledger) migrateStep(ctx context.Context) (done bool, err error) {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if err := lockWrites(ctx, l.engine, tx); err != nil {
		return false, err
	}
	version, err := l.engine.schemaVersion(ctx, tx)
	if err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	ms := l.engine.migrations()
	if err := newerSchema(version, latest(ms)); err != nil {
		return false, err
	}
	for _, m := range ms {
		if m.version > version {
			return false, l.applyMigration(ctx, tx, m)
		}
	}
	return true, nil
}

// newerSchema refuses a schema version this binary does not know.
func newerSchema(version, known int) error {
	if version > known {
		return fmt.Errorf("%w: schema version %d, this binary knows up to %d; upgrade docracy",
			ErrNewerSchema, version, known)
	}
	return nil
}

func (l *Ledger) applyMigration(ctx context.Context, tx *sql.Tx, m migration) error {
	if _, err := tx.ExecContext(ctx, m.script); err != nil {
		return fmt.Errorf("migrate to version %d: %w", m.version, err)
	}
	if err := l.engine.setSchemaVersion(ctx, tx, m.version); err != nil {
		return fmt.Errorf("migrate to version %d: %w", m.version, err)
	}
	return tx.Commit()
}

// bumpSchemaVersion makes every connection, this one included, parse the
// schema again: a migration may edit a table's definition in place
// (writable_schema), which SQLite does not notice by itself.
func bumpSchemaVersion(ctx context.Context, tx *sql.Tx) error {
	var v int64
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&v); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA schema_version = %d", v+1))
	return err
}
