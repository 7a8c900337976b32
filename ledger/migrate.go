package ledger

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations are the embedded SQL files in order; migration i (from 0)
// brings the schema to user_version i+1.
var migrations = func() []string {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, name := range names {
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		out[i] = string(b)
	}
	return out
}()

// SchemaID fingerprints the embedded migrations, so that caches of built
// databases (benchmark fixtures) are rebuilt when the schema changes.
var SchemaID = func() string {
	h := sha256.New()
	for _, m := range migrations {
		h.Write([]byte(m))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}()

// migrate applies each migration the database lacks in its own
// transaction, so a failed one leaves the previous version intact.
func (l *Ledger) migrate(ctx context.Context) error {
	var version int
	if err := l.db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if version > len(migrations) {
		return fmt.Errorf("%w: schema version %d, this binary knows up to %d; upgrade docracy",
			ErrNewerSchema, version, len(migrations))
	}
	for v := version; v < len(migrations); v++ {
		if err := l.applyMigration(ctx, v+1, migrations[v]); err != nil {
			return fmt.Errorf("migrate to version %d: %w", v+1, err)
		}
	}
	return nil
}

func (l *Ledger) applyMigration(ctx context.Context, version int, script string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, script); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return err
	}
	if err := bumpSchemaVersion(ctx, tx); err != nil {
		return err
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
