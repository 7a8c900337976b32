package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors a caller can test for with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrNotLedger    = errors.New("not a docracy database")
	ErrNewerSchema  = errors.New("database is from a newer docracy")
	ErrNotRevocable = errors.New("entry cannot be revoked")
)

// applicationID marks a SQLite file as a docracy ledger ("DOCR").
const applicationID = 0x444f4352

// Options tune a ledger.
type Options struct {
	// HalfLife is the reputation half-life; 0 means points never decay.
	HalfLife time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Ledger is the append-only record of contributions, stored in SQLite or
// PostgreSQL. It is safe for concurrent use; appends are serialised, in
// this process and, on PostgreSQL, with every other process.
type Ledger struct {
	db       *sql.DB
	engine   engine
	path     string // the SQLite file; "" on PostgreSQL
	name     string // the database in messages: the path, or a URL without credentials
	now      func() time.Time
	halfLife time.Duration

	mu sync.Mutex // serialises writers within this process

	github githubQueue // GitHub writes waiting to be committed together
	stmts  stmtCache   // the writers' statements, parsed once per connection
}

// rwQuery is the URI query of every read-write connection: the settings
// docracy relies on, applied by the driver on each new connection. Each
// connection caches 8 MiB of pages: on the 1M-entry ledger, reads and
// appends ran as fast as with 64 MiB, while a rebuild with 64 MiB held
// 487 MB and took 15 s, against 146 MB and 12.5 s, and eight pooled
// connections could hold 512 MB between them. The write-ahead log is
// copied back into the file (checkpointed) once it holds 4,000 pages
// rather than SQLite's 1,000: a page that every batch changes (an index's
// last leaf, a busy member's totals) is copied once per checkpoint, and
// batched appends ran 3–22% faster for a log of 16 MB at most.
const rwQuery = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
	"&_pragma=synchronous(FULL)&_pragma=cache_size(-8192)&_pragma=wal_autocheckpoint(4000)&_txlock=immediate"

// Open opens the ledger in database, a postgres:// or postgresql:// URL or
// else a SQLite file path, creating its schema if needed and applying
// migrations. A database that is not docracy's, or one from a newer
// version, is refused before anything is written to it.
func Open(ctx context.Context, database string, opts Options) (*Ledger, error) {
	if IsPostgres(database) {
		return openPostgres(ctx, database, opts)
	}
	return openSQLite(ctx, database, opts)
}

func openSQLite(ctx context.Context, path string, opts Options) (*Ledger, error) {
	if err := inspect(ctx, path); err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db, err := openDB(path, rwQuery)
	if err != nil {
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetConnMaxIdleTime(time.Minute)
	l := newLedger(db, path, sqliteEngine{}, opts)
	if err := l.start(ctx, nil); err != nil {
		db.Close()
		return nil, fmt.Errorf("open ledger %s: %w", path, err)
	}
	return l, nil
}

func newLedger(db *sql.DB, path string, e engine, opts Options) *Ledger {
	l := &Ledger{db: db, engine: e, path: path, name: path, now: opts.Now, halfLife: opts.HalfLife}
	if l.now == nil {
		l.now = time.Now
	}
	return l
}

// start checks the database with inspect (when not nil), migrates it and
// reads the decay settings.
func (l *Ledger) start(ctx context.Context, inspect func(context.Context, *Ledger) error) error {
	if inspect != nil {
		if err := inspect(ctx, l); err != nil {
			return err
		}
	}
	if err := l.migrate(ctx); err != nil {
		return err
	}
	return l.loadDecay(ctx)
}

// openDB opens the file named by path with the URI query given. The path
// goes into a file: URI with every special character escaped: spliced in
// raw, a "?" in it would cut the name short and let the rest of the name
// add settings of its own.
func openDB(path, query string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: query}
	return sql.Open("sqlite", u.String())
}

// Close closes the database; a WAL checkpoint leaves a single file behind.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stmts.close()
	return l.db.Close()
}

// Path is the database file; "" on PostgreSQL.
func (l *Ledger) Path() string { return l.path }

// String names the database: the file, or the PostgreSQL URL without its
// credentials.
func (l *Ledger) String() string { return l.name }

// Ping reports whether the database answers.
func (l *Ledger) Ping(ctx context.Context) error {
	_, err := l.engine.schemaVersion(ctx, l.db)
	return err
}

// inspect refuses, without writing, a file that is not SQLite, a SQLite
// database of another application, or a docracy database newer than us.
// It opens the file read-only so that not even the journal mode changes.
func inspect(ctx context.Context, path string) error {
	header, err := readHeader(path)
	if err != nil || header == nil {
		return err
	}
	err = inspectSchema(ctx, path, "mode=ro")
	if !needsRecovery(err) {
		return err
	}
	// A crash mid-transaction left a hot journal (or a WAL without its
	// index) that only a writer can replay, as SQLite does on any
	// read-write open. Let it, but only on a file whose header already
	// says it is docracy's or a new one; reading changes nothing else.
	if err := classify(headerField(header, 60), headerField(header, 68), 0); err != nil {
		return err
	}
	return inspectSchema(ctx, path, "_pragma=busy_timeout(10000)")
}

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// readHeader returns the first 100 bytes of the database file, the SQLite
// header, or nil when there is no database yet: no file, or an empty one.
func readHeader(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	header := make([]byte, 100)
	n, err := io.ReadFull(f, header)
	if n == 0 {
		return nil, nil
	}
	if err != nil || !bytes.HasPrefix(header, []byte(sqliteMagic)) {
		return nil, ErrNotLedger
	}
	return header, nil
}

// headerField reads a big-endian 32-bit field of the SQLite header: 60 is
// user_version, 68 application_id.
func headerField(header []byte, offset int) int {
	return int(binary.BigEndian.Uint32(header[offset:]))
}

// inspectSchema reads the schema version, application id and table count
// through a connection opened with query, and classifies them.
func inspectSchema(ctx context.Context, path, query string) error {
	db, err := openDB(path, query)
	if err != nil {
		return err
	}
	defer db.Close()
	var version, appID, tables int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("%w: %w", ErrNotLedger, err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fmt.Errorf("%w: %w", ErrNotLedger, err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&tables); err != nil {
		return fmt.Errorf("%w: %w", ErrNotLedger, err)
	}
	return classify(version, appID, tables)
}

// classify refuses another application's database, with its own id or
// with tables and no id, and a docracy schema newer than this binary's.
func classify(version, appID, tables int) error {
	if appID != applicationID && (appID != 0 || tables > 0) {
		return ErrNotLedger
	}
	return newerSchema(version, latest(migrations))
}

// needsRecovery tells a read-only connection's refusal to replay a crashed
// writer's journal or WAL from any other failure.
func needsRecovery(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Code() {
	case sqlite3.SQLITE_READONLY_ROLLBACK, sqlite3.SQLITE_READONLY_RECOVERY, sqlite3.SQLITE_READONLY_CANTINIT:
		return true
	}
	return false
}
