package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
)

// engine is what differs between the databases a ledger can live in. The
// SQL itself is shared: placeholders are rebound at the driver, and the
// few constructs the two spell differently are avoided or live here.
type engine interface {
	// writeLock is the statement, if any, that runs first in every write
	// transaction and makes it the chain's only writer, whichever process
	// it is in, until it ends: a writer's first pipeline starts with it.
	writeLock() []step
	// pipeline runs steps in order in w's transaction; on PostgreSQL, many
	// in one round trip.
	pipeline(ctx context.Context, w *writer, steps []step) error
	// snapshot is a read-only transaction that sees one state throughout.
	snapshot() *sql.TxOptions
	migrations() []migration
	// schemaVersion is 0 for a database with no docracy schema yet.
	schemaVersion(ctx context.Context, q queryer) (int, error)
	setSchemaVersion(ctx context.Context, tx *sql.Tx, version int) error
	backup(ctx context.Context, db *sql.DB, path string) error
	// afterCopy runs once Copy has inserted the working state.
	afterCopy(ctx context.Context, tx *sql.Tx) error
	// analyze gathers, within tx, the statistics the query planner needs
	// once a copy has filled the database.
	analyze(ctx context.Context, tx *sql.Tx) error
	// insertCopies stores entries, already chained, within w, and fails
	// unless every one of them is new.
	insertCopies(ctx context.Context, w *writer, entries []Entry) error
	// indexesOf names the indexes (and constraints) of table a bulk
	// refill may drop and make again; unread says that no one reads the
	// table until the transaction ends (a copy's target).
	indexesOf(ctx context.Context, tx *sql.Tx, table string, unread bool) (map[string]droppable, error)
	// smallCache gives conn a page cache of scanCacheKiB for a pass over
	// the whole ledger; restore gives it its usual one back.
	smallCache(ctx context.Context, conn *sql.Conn) (restore func() error, err error)
	// rowsPerStatement is how many rows a statement that writes many
	// gives at a time.
	rowsPerStatement() int
	// separatesChainText reports whether a scan of the chain may pack each
	// row's columns with chainSeparator, which is cheaper to build than
	// columns prefixed with their lengths.
	separatesChainText() bool
}

// lockWrites runs e's writeLock in tx, a transaction that is not a
// writer's (a migration's).
func lockWrites(ctx context.Context, e engine, tx *sql.Tx) error {
	for _, s := range e.writeLock() {
		if _, err := tx.ExecContext(ctx, s.query, s.args...); err != nil {
			return fmt.Errorf("take the write lock: %w", err)
		}
	}
	return nil
}

// IsPostgres reports whether database names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// sqliteEngine is a SQLite file: one process writes at a time because
// every write transaction begins IMMEDIATE, which the connection's
// _txlock setting makes the default.
type sqliteEngine struct{}

// writeLock is none: the transaction began IMMEDIATE.
func (sqliteEngine) writeLock() []step { return nil }

func (sqliteEngine) pipeline(ctx context.Context, w *writer, steps []step) error {
	return w.runSteps(ctx, steps)
}

// snapshot needs nothing more than a transaction: SQLite reads in one
// snapshot from a transaction's first read to its end.
func (sqliteEngine) snapshot() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }

func (sqliteEngine) migrations() []migration { return migrations }

func (sqliteEngine) schemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

func (sqliteEngine) setSchemaVersion(ctx context.Context, tx *sql.Tx, version int) error {
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		return err
	}
	return bumpSchemaVersion(ctx, tx)
}

// backup writes a consistent copy with VACUUM INTO, while the ledger
// stays open for reads and writes.
func (sqliteEngine) backup(ctx context.Context, db *sql.DB, path string) error {
	// SQLite reads a name that starts with "file:" as a URI: an absolute
	// path never does, so the copy lands in exactly the file named.
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, "VACUUM INTO ?", abs)
	return err
}

// afterCopy is nothing on SQLite, whose next rowid follows the largest.
func (sqliteEngine) afterCopy(context.Context, *sql.Tx) error { return nil }

// analyze is nothing on SQLite: the ledger's queries were written for its
// planner without statistics, and a sqlite_stat1 table would change their
// plans.
func (sqliteEngine) analyze(context.Context, *sql.Tx) error { return nil }

// insertCopies inserts one row per statement: a statement of many rows
// would make SQLite keep a statement journal, copying every page the
// statement changes before it does (a copy's entries on the 1M-entry
// ledger then took 34.6 s instead of 29.5 s).
func (sqliteEngine) insertCopies(ctx context.Context, w *writer, entries []Entry) error {
	return w.insertEach(ctx, entries)
}

// droppable is an index or a constraint that a bulk refill drops, then
// makes again: the statements that do each.
type droppable struct{ drop, create string }

// indexesOf maps the names of the indexes created on table to their
// CREATE INDEX statements; those SQLite makes for a key have no statement
// and are left alone. A reader keeps its snapshot, indexes included, so
// whether one reads does not matter.
func (sqliteEngine) indexesOf(ctx context.Context, tx *sql.Tx, table string, _ bool) (map[string]droppable, error) {
	return scanDroppable(tx.QueryContext(ctx, `SELECT name, 'DROP INDEX "' || name || '"', sql
		FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL`, table))
}

// scanDroppable reads rows of a name, its drop and its create statement
// into a map.
func scanDroppable(rows *sql.Rows, err error) (map[string]droppable, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	found := map[string]droppable{}
	for rows.Next() {
		var name string
		var d droppable
		if err := rows.Scan(&name, &d.drop, &d.create); err != nil {
			return nil, err
		}
		found[name] = d
	}
	return found, rows.Err()
}

func (sqliteEngine) separatesChainText() bool { return true }

// rowsPerStatement is one: SQLite's statements cost no round trip, and
// one of many rows makes it keep a statement journal, a copy of every
// page the statement changes.
func (sqliteEngine) rowsPerStatement() int { return 1 }

func (sqliteEngine) smallCache(ctx context.Context, conn *sql.Conn) (func() error, error) {
	var usual int64
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&usual); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", scanCacheKiB)); err != nil {
		return nil, err
	}
	return func() error {
		_, err := conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA cache_size = %d", usual))
		return err
	}, nil
}
