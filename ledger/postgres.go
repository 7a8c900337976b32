package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// writeLockKey names the transaction-scoped advisory lock that every write
// transaction takes first: it serialises the chain's writers across all
// the processes that share the database. ("DOCRW" in ASCII.)
const writeLockKey int64 = 0x444f435257

// ErrBackupUnsupported is Backup on a PostgreSQL ledger, which the
// server's own tools back up.
var ErrBackupUnsupported = errors.New("a PostgreSQL ledger is backed up with pg_dump or the server's point-in-time recovery")

// postgresEngine is a PostgreSQL database reached through pgx.
type postgresEngine struct{}

// writeLock is an advisory lock, sent with the transaction's first read,
// which, in READ COMMITTED, takes its snapshot once the lock is held,
// since the server runs a pipeline's statements in order.
func (postgresEngine) writeLock() []step {
	return []step{{query: "SELECT pg_advisory_xact_lock(?)", args: []any{writeLockKey}}}
}

// pipeline sends steps as pgx batches on the transaction's connection, up
// to pipelineLength statements each: a round trip for them all where each
// made its own.
func (postgresEngine) pipeline(ctx context.Context, w *writer, steps []step) error {
	for len(steps) > 0 {
		n := min(len(steps), pipelineLength)
		err := w.conn.Raw(func(driverConn any) error { return sendBatch(ctx, driverConn.(*rebindConn), steps[:n]) })
		if err != nil {
			return err
		}
		steps = steps[n:]
	}
	return nil
}

// sendBatch sends steps in one batch, after the transaction's BEGIN if
// it is still to send, and reads their results in order.
func sendBatch(ctx context.Context, c *rebindConn, steps []step) (err error) {
	b := &pgx.Batch{}
	if begin := c.takeBegin(); begin != "" {
		steps = append([]step{{query: begin}}, steps...)
	}
	for _, s := range steps {
		b.Queue(c.r.rebind(s.query), s.args...)
	}
	results := c.Conn.Conn().SendBatch(ctx, b)
	defer func() {
		if cerr := results.Close(); err == nil {
			err = cerr
		}
	}()
	for _, s := range steps {
		if err := readResult(results, s); err != nil {
			return err
		}
	}
	return nil
}

// readResult reads the result of s, the next statement of results.
func readResult(results pgx.BatchResults, s step) error {
	if s.row == nil {
		tag, err := results.Exec()
		if err == nil && s.changed != nil {
			*s.changed += tag.RowsAffected()
		}
		return err
	}
	rows, err := results.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := s.row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// snapshot is REPEATABLE READ: PostgreSQL's default, READ COMMITTED, takes
// a new snapshot for every statement. (Writers keep READ COMMITTED on
// purpose: their first read comes after the write lock, so it sees every
// append committed before the lock was theirs.)
func (postgresEngine) snapshot() *sql.TxOptions {
	return &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}
}

func (postgresEngine) migrations() []migration { return postgresMigrations }

// schemaVersion reads the docracy_schema table, which marks a database as
// docracy's as PRAGMA application_id marks a SQLite file.
func (postgresEngine) schemaVersion(ctx context.Context, q queryer) (int, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, "SELECT to_regclass('docracy_schema') IS NOT NULL").Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRowContext(ctx, "SELECT version FROM docracy_schema").Scan(&v)
	return v, err
}

func (postgresEngine) setSchemaVersion(ctx context.Context, tx *sql.Tx, version int) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM docracy_schema"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO docracy_schema (version) VALUES (?)", version)
	return err
}

// insertCopies sends entries with COPY, in the write's own transaction: one
// stream instead of a statement and a round trip per entry. COPY has no
// ON CONFLICT: an entry that is not new fails the whole of it.
func (postgresEngine) insertCopies(ctx context.Context, w *writer, entries []Entry) error {
	rows := make([][]any, len(entries))
	for i, e := range entries {
		rows[i] = entryArgs(e)
	}
	columns := []string{"seq", "id", "kind", "member_id", "category", "points", "occurred_at",
		"recorded_at", "source", "source_ref", "actor", "note", "url", "prev_hash", "hash", "data"}
	return w.conn.Raw(func(driverConn any) error {
		conn, err := driverConn.(*rebindConn).pgx(ctx)
		if err != nil {
			return err
		}
		n, err := conn.CopyFrom(ctx, pgx.Identifier{"entries"}, columns, pgx.CopyFromRows(rows))
		if err == nil && n != int64(len(rows)) {
			err = fmt.Errorf("stored %d of %d", n, len(rows))
		}
		return err
	})
}

// indexesOf is none while the table may be read: dropping an index would
// lock the table's readers out until the commit, so a live rebuild keeps
// them, and changes only the rows that differ (see rebuild; building
// scores beside the table and swapping it in deadlocked against a check,
// see VerifyAllWhileRebuilding). Otherwise it is every index of table
// but its primary key's, and its UNIQUE and foreign key constraints: a
// unique index built once the rows are in sorts them once, where keeping
// it up to date inserts each at a random place, and a foreign key added
// then checks every row in one join, where it checked them one by one (a
// copy's million entries took 7.9 s with them, 4.5 s without and made
// after). The primary key stays: other tables' keys refer to it.
func (postgresEngine) indexesOf(ctx context.Context, tx *sql.Tx, table string, unread bool) (map[string]droppable, error) {
	if !unread {
		return nil, nil
	}
	return scanDroppable(tx.QueryContext(ctx, `SELECT indexname, format('DROP INDEX %I', indexname), indexdef
		FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?::text
		AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(?::text))
		UNION ALL
		SELECT conname, format('ALTER TABLE %I DROP CONSTRAINT %I', ?::text, conname),
			format('ALTER TABLE %I ADD CONSTRAINT %I %s', ?::text, conname, pg_get_constraintdef(oid))
		FROM pg_constraint WHERE conrelid = to_regclass(?::text) AND contype IN ('u', 'f')`, table, table, table, table, table))
}

// smallCache is nothing: PostgreSQL's buffers are the server's, shared by
// every connection, and a sequential scan already uses a small ring of them.
func (postgresEngine) smallCache(context.Context, *sql.Conn) (func() error, error) {
	return func() error { return nil }, nil
}

// separatesChainText is false: PostgreSQL's SQL is UTF-8 text, in which
// chainSeparator cannot be spelled.
func (postgresEngine) separatesChainText() bool { return false }

// rowsPerStatement spares a round trip per row: 256 rows of four
// parameters, well within PostgreSQL's 65,535.
func (postgresEngine) rowsPerStatement() int { return 256 }

func (postgresEngine) backup(context.Context, *sql.DB, string) error { return ErrBackupUnsupported }

// openPostgres opens the PostgreSQL database dsn names. The URL may carry
// a password: no error quotes it, and the ledger names the database by
// host and name only.
func openPostgres(ctx context.Context, dsn string, opts Options) (*Ledger, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message quotes the URL; its password masked, but not its user or query.
		return nil, errors.New("open ledger: the database URL is not a valid PostgreSQL URL (postgres://user:password@host:port/database)")
	}
	return openPostgresConfig(ctx, cfg, opts)
}

// openPostgresConfig opens the PostgreSQL database cfg names.
func openPostgresConfig(ctx context.Context, cfg *pgx.ConnConfig, opts Options) (*Ledger, error) {
	name := postgresName(cfg)
	db := sql.OpenDB(rebindConnector{Connector: stdlib.GetConnector(*cfg), r: &rebinder{}})
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	l := newLedger(db, "", postgresEngine{}, opts)
	if err := l.start(ctx, inspectPostgres); err != nil {
		db.Close()
		return nil, scrub(fmt.Errorf("open ledger %s: %w", name, err), cfg)
	}
	l.name = name
	return l, nil
}

// postgresName names a database without its credentials.
func postgresName(cfg *pgx.ConnConfig) string {
	return "postgres://" + net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))) + "/" + cfg.Database
}

// inspectPostgres refuses, before anything is written, a database that
// holds tables but no docracy schema, and one from a newer docracy.
func inspectPostgres(ctx context.Context, l *Ledger) error {
	version, err := l.engine.schemaVersion(ctx, l.db)
	if err != nil {
		return err
	}
	var tables int
	err = l.db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema()`).Scan(&tables)
	if err != nil {
		return err
	}
	if version == 0 && tables > 0 {
		return ErrNotLedger
	}
	return newerSchema(version, latest(postgresMigrations))
}

// scrub takes the credentials of cfg out of err's message, keeping err
// for errors.Is: the password wherever it is, the user where pgx and the
// server quote it (user=name, "name").
func scrub(err error, cfg *pgx.ConnConfig) error {
	var pairs []string
	if cfg.Password != "" {
		pairs = append(pairs, cfg.Password, "***")
	}
	if cfg.User != "" {
		pairs = append(pairs, "user="+cfg.User, "user=***", `"`+cfg.User+`"`, `"***"`)
	}
	msg := strings.NewReplacer(pairs...).Replace(err.Error())
	if msg == err.Error() {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}

// ScrubURL is scrub for a caller that holds the database URL rather than
// its parsed config, such as the leader election's own connection.
func ScrubURL(err error, database string) error {
	cfg, perr := pgx.ParseConfig(database)
	if perr != nil {
		return errors.New("the database URL is not a valid PostgreSQL URL")
	}
	return scrub(err, cfg)
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// Describe names database for messages and logs: a SQLite path as it is,
// a PostgreSQL URL by host, port and database only, for it may carry a
// password.
func Describe(database string) string {
	if !IsPostgres(database) {
		return database
	}
	cfg, err := pgx.ParseConfig(database)
	if err != nil {
		return "postgres://(a URL that does not parse)"
	}
	return postgresName(cfg)
}

// analyze gathers the statistics of every table. Without them, the
// planner guesses from a freshly filled table's size alone: it looked up
// the accounts a page of a backfill credits through an index of their
// platform, reading all of them, 11 ms a page where the key's index takes
// under one, until the autovacuum came by.
func (postgresEngine) analyze(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// afterCopy moves the identity sequences past the ids copied in, which
// were given explicitly: the next member created must not take one.
func (postgresEngine) afterCopy(ctx context.Context, tx *sql.Tx) error {
	for _, t := range []struct{ table, column string }{{"members", "id"}, {"accounts", "rowid"}} {
		_, err := tx.ExecContext(ctx, fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1, false) FROM %s",
			t.table, t.column, t.column, t.table))
		if err != nil {
			return fmt.Errorf("%s identity: %w", t.table, err)
		}
	}
	return nil
}
