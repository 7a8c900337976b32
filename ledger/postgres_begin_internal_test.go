package ledger

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/docracy/docracy/internal/pgtest"
)

// Whatever a PostgreSQL transaction's first statement is, and however it
// reaches the connection, it runs inside the transaction: a rollback
// undoes it and a commit keeps it, though its BEGIN was sent with it.
func TestPostgresFirstStatementRunsInItsTransaction(t *testing.T) {
	ctx := context.Background()
	l := openPostgresTraced(t, &statementLog{})
	prepared, err := l.db.PrepareContext(ctx, "INSERT INTO meta (key, value) VALUES (?, 'prepared')")
	if err != nil {
		t.Fatal(err)
	}
	defer prepared.Close()
	firsts := map[string]func(conn *sql.Conn, tx *sql.Tx, key string) error{
		"exec": func(_ *sql.Conn, tx *sql.Tx, key string) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES (?, 'exec')", key)
			return err
		},
		"query": func(_ *sql.Conn, tx *sql.Tx, key string) error {
			var got string
			return tx.QueryRowContext(ctx, "INSERT INTO meta (key, value) VALUES (?, 'query') RETURNING key", key).Scan(&got)
		},
		"prepared": func(_ *sql.Conn, tx *sql.Tx, key string) error {
			_, err := tx.StmtContext(ctx, prepared).ExecContext(ctx, key)
			return err
		},
		"pipeline": func(conn *sql.Conn, _ *sql.Tx, key string) error {
			return conn.Raw(func(dc any) error {
				return sendBatch(ctx, dc.(*rebindConn), []step{{query: "INSERT INTO meta (key, value) VALUES (?, 'pipeline')", args: []any{key}}})
			})
		},
	}
	for name, first := range firsts {
		for _, commit := range []bool{false, true} {
			key := name + map[bool]string{false: "-rolled-back", true: "-committed"}[commit]
			for range 2 { // the second time, the statement is prepared on the connection already
				runFirst(t, l, key, commit, first)
			}
			if got := metaRows(t, l, key); got != map[bool]int{false: 0, true: 1}[commit] {
				t.Errorf("%s: %d rows after the %s, want %d", name, got, map[bool]string{false: "rollback", true: "commit"}[commit], map[bool]int{false: 0, true: 1}[commit])
			}
		}
	}
}

// runFirst runs first as the first statement of a transaction on a
// connection of l, then commits it or rolls it back. A key already stored
// by a committed run fails first, and the transaction with it.
func runFirst(t *testing.T, l *Ledger, key string, commit bool, first func(*sql.Conn, *sql.Tx, string) error) {
	t.Helper()
	ctx := context.Background()
	conn, err := l.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = first(conn, tx, key)
	switch {
	case err != nil && !strings.Contains(err.Error(), "duplicate key"):
		t.Fatalf("%s: %v", key, err)
	case err != nil:
		if err = tx.Commit(); errors.Is(err, pgx.ErrTxCommitRollback) {
			err = nil
		}
	case commit:
		err = tx.Commit()
	default:
		err = tx.Rollback()
	}
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
}

func metaRows(t *testing.T, l *Ledger, key string) int {
	t.Helper()
	var n int
	if err := l.db.QueryRow("SELECT count(*) FROM meta WHERE key = ?", key).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A write sends its BEGIN with its first pipeline, never alone (an append
// is three round trips in all), and a transaction in which nothing ran
// commits and rolls back without a round trip, its connection as good as
// before.
func TestPostgresBeginTravelsWithTheFirstStatement(t *testing.T) {
	ctx := context.Background()
	log := &statementLog{}
	l := openPostgresTraced(t, log)
	m, err := l.CreateMember(ctx, "ada", "")
	if err != nil {
		t.Fatal(err)
	}
	log.reset()
	credit := NewEntry{Kind: KindCredit, Member: m.ID, Category: "code", Points: 3, OccurredAt: testNow(), Source: SourceCLI, SourceRef: "cli:begin", Actor: "test"}
	if _, _, err := l.Append(ctx, credit); err != nil {
		t.Fatal(err)
	}
	alone, batches := log.snapshot()
	if len(batches) == 0 || batches[0][0] != "begin" {
		t.Errorf("the write's first batch is %q, want it to open with its BEGIN", batches)
	}
	if trips := len(alone) + len(batches); trips != 3 {
		t.Errorf("an append took %d round trips, want 3 (lookups, writes, COMMIT): %q then %q", trips, batches, alone)
	}
	for _, q := range alone {
		if strings.HasPrefix(q, "begin") {
			t.Errorf("a BEGIN was sent alone: %q", alone)
		}
	}
	for _, end := range []func(*sql.Tx) error{(*sql.Tx).Commit, (*sql.Tx).Rollback} {
		log.reset()
		tx, err := l.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := end(tx); err != nil {
			t.Fatal(err)
		}
		if alone, batches := log.snapshot(); len(alone)+len(batches) != 0 {
			t.Errorf("an empty transaction sent %q and %q", alone, batches)
		}
	}
	if err := l.Ping(ctx); err != nil {
		t.Error(err)
	}
}

// A transaction whose connection the server drops ends with an error,
// commit or rollback, and the connection leaves the pool: the next
// statements run on a sound one.
func TestPostgresTransactionOnALostConnection(t *testing.T) {
	ctx := context.Background()
	l := openPostgresTraced(t, &statementLog{})
	for _, end := range []func(*sql.Tx) error{(*sql.Tx).Commit, (*sql.Tx).Rollback} {
		tx, err := l.db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var pid int
		if err := tx.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := l.db.ExecContext(ctx, "SELECT pg_terminate_backend(?)", pid); err != nil {
			t.Fatal(err)
		}
		if err := end(tx); err == nil {
			t.Error("a transaction on a lost connection ended without an error")
		}
		for range 3 {
			var one int
			if err := l.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
				t.Fatalf("after the lost connection: %v", err)
			}
		}
	}
}

// openPostgresTraced opens a ledger on a new PostgreSQL database whose
// connections record in log what they send.
func openPostgresTraced(t *testing.T, log *statementLog) *Ledger {
	t.Helper()
	cfg, err := pgx.ParseConfig(pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tracer = log
	l, err := openPostgresConfig(context.Background(), cfg, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// statementLog is a pgx tracer that records the statements sent alone and
// those of each batch, lower case.
type statementLog struct {
	mu      sync.Mutex
	alone   []string
	batches [][]string
}

func (s *statementLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alone = append(s.alone, strings.ToLower(data.SQL))
	return ctx
}

func (s *statementLog) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (s *statementLog) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	var batch []string
	for _, q := range data.Batch.QueuedQueries {
		batch = append(batch, strings.ToLower(q.SQL))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches = append(s.batches, batch)
	return ctx
}

func (s *statementLog) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (s *statementLog) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (s *statementLog) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alone, s.batches = nil, nil
}

func (s *statementLog) snapshot() (alone []string, batches [][]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.alone...), append([][]string(nil), s.batches...)
}
