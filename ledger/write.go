package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// writer is one write transaction. It tracks the chain head so that a batch
// of appends is chained without re-reading it.
type writer struct {
	conn   *sql.Conn // the connection tx runs on, for what only its driver does
	tx     *sql.Tx
	shared *stmtCache
	parsed []string // queries this transaction parsed for itself
	head   Head
	now    time.Time
	decay  decay
	stmts  map[string]*sql.Stmt
	engine engine
	batch  *scoreBatch // set by AppendBatch and a GitHub group commit: derived rows wait for the batch's end
	ahead  *lookahead  // set by a GitHub group commit and an append: what they look up, read at once
	held   []Entry     // entries chained but not yet inserted (see store)
	unread bool        // set by Copy: no one reads what this transaction writes before it ends
}

// write runs fn in one write transaction, serialised with the other
// writers of this process; other processes wait on SQLite's busy timeout
// or PostgreSQL's write lock.
func (l *Ledger) write(ctx context.Context, fn func(w *writer) error) error {
	return l.writeReading(ctx, nil, fn)
}

// writeReading is write with reads sent with the write lock (see
// writeLockedReading).
func (l *Ledger) writeReading(ctx context.Context, reads func(w *writer) []step, fn func(w *writer) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.writeLockedReading(ctx, reads, fn)
}

// writeLocked is write for a caller that holds l.mu.
func (l *Ledger) writeLocked(ctx context.Context, fn func(w *writer) error) error {
	return l.writeLockedReading(ctx, nil, fn)
}

// writeLockedReading is writeLocked for a transaction that knows before it
// starts what it will look up: the steps reads returns (given the writer,
// its clock set) are sent with the write lock and the head, in one
// pipeline, so that on PostgreSQL they cost no round trip of their own.
func (l *Ledger) writeLockedReading(ctx context.Context, reads func(w *writer) []step, fn func(w *writer) error) error {
	w := &writer{shared: &l.stmts, stmts: map[string]*sql.Stmt{}, engine: l.engine}
	err := w.run(ctx, l.db, l.now, reads, fn)
	// The transaction has ended and its connection is back in the pool.
	l.stmts.add(ctx, l.db, w.parsed)
	return err
}

// run runs fn in a new transaction and commits it; reads, if not nil, are
// sent with the write lock (see writeLockedReading).
func (w *writer) run(ctx context.Context, db *sql.DB, now func() time.Time, reads func(w *writer) []step, fn func(w *writer) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	w.conn, w.tx = conn, tx
	defer w.close()
	w.now = now().UTC().Truncate(time.Second)
	var first []step
	if reads != nil {
		first = reads(w)
	}
	if err := w.start(ctx, first); err != nil {
		return err
	}
	if err := fn(w); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// start makes the transaction the chain's only writer, then reads the
// chain's head and the decay settings it writes from, in one statement,
// and runs reads after them.
func (w *writer) start(ctx context.Context, reads []step) (err error) {
	var seq sql.NullInt64
	var hash, decay sql.NullString
	head := step{query: selectStart, row: func(row scanner) error { return row.Scan(&seq, &hash, &decay) }}
	if err := w.engine.pipeline(ctx, w, slices.Concat(w.engine.writeLock(), []step{head}, reads)); err != nil {
		return fmt.Errorf("take the write lock and read the head: %w", err)
	}
	w.head = Head{Seq: seq.Int64, Hash: ZeroHash}
	if hash.Valid {
		w.head.Hash = hash.String
	}
	if decay.Valid {
		w.decay, err = parseDecay(decay.String)
	}
	return err
}

// selectStart is the head (none in an empty ledger) and the decay meta
// (none before the ledger's first open).
const selectStart = `SELECT h.seq, h.hash, d.value FROM (SELECT 1) AS one
	LEFT JOIN (` + selectHead + `) AS h ON true
	LEFT JOIN (` + selectDecay + `) AS d ON true`

// prepare returns a statement for the transaction: the ledger's cached
// one, which its connection has likely parsed already, or else one parsed
// for this transaction alone and then cached (see stmtCache).
func (w *writer) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if stmt, ok := w.stmts[query]; ok {
		return stmt, nil
	}
	if shared := w.shared.get(query); shared != nil {
		stmt := w.tx.StmtContext(ctx, shared)
		w.stmts[query] = stmt
		return stmt, nil
	}
	stmt, err := w.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = stmt
	w.parsed = append(w.parsed, query)
	return stmt, nil
}

func (w *writer) exec(ctx context.Context, query string, args ...any) error {
	stmt, err := w.prepare(ctx, query)
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(ctx, args...)
	return err
}

// scan runs a query of one row through the statement cache and reads the
// row into dest; no row is sql.ErrNoRows.
func (w *writer) scan(ctx context.Context, query string, args []any, dest ...any) error {
	stmt, err := w.prepare(ctx, query)
	if err != nil {
		return err
	}
	return stmt.QueryRowContext(ctx, args...).Scan(dest...)
}

// entryByRef looks an idempotency key up; it runs before every append.
func (w *writer) entryByRef(ctx context.Context, ref string) (Entry, error) {
	if err := w.insertHeld(ctx); err != nil {
		return Entry{}, err
	}
	stmt, err := w.prepare(ctx, "SELECT "+entryColumns+" FROM entries WHERE source_ref = ?")
	if err != nil {
		return Entry{}, err
	}
	e, err := scanEntry(stmt.QueryRowContext(ctx, ref))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, ErrNotFound
	} else if err != nil {
		return Entry{}, fmt.Errorf("read entry: %w", err)
	}
	return e, nil
}

func (w *writer) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

// queryer is what reads need: a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const selectHead = "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1"

func readHead(ctx context.Context, q queryer) (Head, error) {
	return scanHead(q.QueryRowContext(ctx, selectHead))
}

func scanHead(row *sql.Row) (Head, error) {
	h := Head{Hash: ZeroHash}
	err := row.Scan(&h.Seq, &h.Hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("read head: %w", err)
	}
	return h, nil
}

// append chains and stores one entry, or returns the entry already stored
// under the same source_ref (created is then false). The insert itself
// detects a repeated key, so a new entry costs no lookup.
func (w *writer) append(ctx context.Context, n NewEntry) (e Entry, created bool, err error) {
	if err := n.validate(); err != nil {
		return Entry{}, false, fmt.Errorf("append: %w", err)
	}
	if err := checkOccurred(n.OccurredAt, w.now); err != nil {
		return Entry{}, false, fmt.Errorf("append: %w", err)
	}
	data, err := CanonicalData(n.Data)
	if err != nil {
		return Entry{}, false, fmt.Errorf("append: %w", err)
	}
	e = Entry{
		Seq: w.head.Seq + 1, ID: EntryID(w.head.Seq + 1), Kind: n.Kind, Member: n.Member,
		Category: n.Category, Points: n.Points, OccurredAt: n.OccurredAt.UTC().Truncate(time.Second),
		RecordedAt: w.now, Source: n.Source, SourceRef: n.SourceRef, Actor: n.Actor,
		Note: n.Note, URL: n.URL, PrevHash: w.head.Hash, Data: data,
	}
	e.Hash = ChainHash(e.PrevHash, e.CanonicalJSON())
	inserted, err := w.store(ctx, e)
	if err != nil {
		return Entry{}, false, fmt.Errorf("append: %w", err)
	}
	if !inserted {
		existing, err := w.entryByRef(ctx, n.SourceRef)
		return existing, false, err
	}
	if err := w.derive(ctx, e); err != nil {
		return Entry{}, false, fmt.Errorf("append: %w", err)
	}
	w.head = Head{Seq: e.Seq, Hash: e.Hash}
	return e, true, nil
}

// derive updates the tables that follow from a new entry, in its
// transaction. Within a batch, the rows credits and praise add wait for
// its end, or for an entry of another kind, whose own derived tables may
// read them.
func (w *writer) derive(ctx context.Context, e Entry) error {
	if w.batch != nil && !e.Kind.counts() {
		if err := w.flush(ctx); err != nil {
			return err
		}
	}
	switch {
	case e.Kind.counts():
		return w.addScore(ctx, e)
	case e.Kind == KindCollege:
		return w.placeMember(ctx, e)
	case e.Kind == KindPoll || e.Kind == KindVote || e.Kind == KindTally:
		return w.derivePoll(ctx, e)
	}
	return nil
}

const (
	insertEntryColumns = `INSERT INTO entries (seq, id, kind, member_id, category, points, occurred_at,
	recorded_at, source, source_ref, actor, note, url, prev_hash, hash, data)
	VALUES `
	entryValues   = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	skipTakenRefs = "\n\tON CONFLICT (source_ref) DO NOTHING"
	insertEntry   = insertEntryColumns + entryValues + skipTakenRefs
)

// insertEntries is insertEntry for n entries.
func insertEntries(n int) string {
	return insertEntryColumns + entryValues + strings.Repeat(", "+entryValues, n-1) + skipTakenRefs
}

// entryArgs are e's values in insertEntry's order.
func entryArgs(e Entry) []any {
	return []any{e.Seq, e.ID, e.Kind, nullMember(e.Member), e.Category, e.Points,
		e.OccurredAt.Unix(), e.RecordedAt.Unix(), e.Source, e.SourceRef, e.Actor, e.Note, e.URL,
		e.PrevHash, e.Hash, string(e.Data)}
}

// store stores e unless its source_ref is taken, and says which happened.
// Within a group commit, an entry whose source_ref the lookahead knows to
// be new waits to be inserted with the others of the batch (see
// insertHeld); anything else first inserts those waiting, so that the
// entries table holds every entry before it is read or written again.
func (w *writer) store(ctx context.Context, e Entry) (bool, error) {
	if w.ahead.fresh(e.SourceRef) {
		w.held = append(w.held, e)
		return true, nil
	}
	if err := w.insertHeld(ctx); err != nil {
		return false, err
	}
	return w.insert(ctx, e)
}

// insert stores e unless its source_ref is taken, and says which happened.
func (w *writer) insert(ctx context.Context, e Entry) (bool, error) {
	stmt, err := w.prepare(ctx, insertEntry)
	if err != nil {
		return false, err
	}
	res, err := stmt.ExecContext(ctx, entryArgs(e)...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// errHeldRefTaken is an entry held for a batch whose source_ref was taken
// after all: the batch fails, and is written again write by write.
var errHeldRefTaken = errors.New("a source_ref held as new was taken")

// insertHeld inserts the entries held for the batch, in seq order, in as
// few statements as the engine allows: on PostgreSQL a round trip for
// many webhooks' entries rather than one each.
func (w *writer) insertHeld(ctx context.Context) error {
	steps, check := w.heldSteps()
	if err := w.engine.pipeline(ctx, w, steps); err != nil {
		return fmt.Errorf("insert entries: %w", err)
	}
	return check()
}

// heldSteps are the statements that insert the held entries, and a check
// that, once they ran, every one was stored.
func (w *writer) heldSteps() ([]step, func() error) {
	rows := make([][]any, len(w.held))
	for i, e := range w.held {
		rows[i] = entryArgs(e)
	}
	w.held = w.held[:0]
	changed := new(int64)
	return w.rowSteps(insertEntries, rows, changed), func() error {
		if *changed != int64(len(rows)) {
			return fmt.Errorf("insert entries: %d of %d stored: %w", *changed, len(rows), errHeldRefTaken)
		}
		return nil
	}
}

// Append adds one entry in its own transaction. Appending a source_ref that
// is already in the ledger writes nothing and returns the stored entry with
// created false.
//
// What it looks up (whether its source_ref is stored, the day sum it adds
// to) is read with the write lock, and its entry and derived rows are
// written together, as a batch's are (see lookahead and flush): on
// PostgreSQL an append is three round trips, that read, those writes and
// the COMMIT.
func (l *Ledger) Append(ctx context.Context, n NewEntry) (e Entry, created bool, err error) {
	read := func(w *writer) (steps []step) {
		w.ahead, steps = w.readAheadOne(n)
		return steps
	}
	err = l.writeReading(ctx, read, func(w *writer) error {
		w.batch = newScoreBatch()
		if e, created, err = w.append(ctx, n); err != nil {
			return err
		}
		return w.flush(ctx)
	})
	return e, created, err
}

// RevokeRequest asks to cancel an earlier credit or praise.
type RevokeRequest struct {
	Seq    int64  // the entry to revoke
	Source Source // where the request came from
	Actor  string // who revoked it
	Reason string // why, kept as the revoke entry's note
}

// Revoke appends a revoke entry for an earlier credit or praise; from then
// on queries leave that entry out. Its source_ref is "revoke:<entry id>",
// so an entry can be revoked once and a repeated request returns the first
// revoke with created false.
func (l *Ledger) Revoke(ctx context.Context, r RevokeRequest) (e Entry, created bool, err error) {
	err = l.write(ctx, func(w *writer) error {
		target, err := entryWhere(ctx, w.tx, "seq = ?", r.Seq)
		if err != nil {
			return fmt.Errorf("revoke seq %d: %w", r.Seq, err)
		}
		if !target.Kind.counts() {
			return fmt.Errorf("revoke seq %d: %w: it is a %s entry", r.Seq, ErrNotRevocable, target.Kind)
		}
		e, created, err = w.append(ctx, NewEntry{
			Kind: KindRevoke, Member: target.Member, Category: target.Category, Points: -target.Points,
			OccurredAt: w.now, Source: r.Source, SourceRef: "revoke:" + target.ID,
			Actor: r.Actor, Note: r.Reason,
		})
		if err != nil || !created {
			return err
		}
		if err := w.removeScore(ctx, target); err != nil {
			return err
		}
		return w.repair(ctx)
	})
	return e, created, err
}

// nullMember stores "no member" (0, a poll or a tally) as NULL, which the
// members foreign key lets through.
func nullMember(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
