package ledger

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// A PostgreSQL transaction's BEGIN is a round trip of its own when sent
// alone, and a write holds the chain's lock from its first statement to
// its COMMIT: every round trip in between is one the other writers wait
// for. So a connection keeps the BEGIN until the transaction's first
// statement and sends it with it: in the same batch when that statement
// is a pipeline, as every write's first is (the lock and the head), else
// just before it.

// BeginTx starts a transaction whose BEGIN goes with its first statement.
func (c *rebindConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	begin, err := beginStatement(opts)
	if err != nil {
		return nil, err
	}
	if c.Conn.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	c.begin = begin
	return &lazyTx{c: c, ctx: ctx}, nil
}

// Begin is BeginTx with the default options, for callers of the old API.
func (c *rebindConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// beginStatement is the BEGIN that opens a transaction with opts, as pgx
// spells it.
func beginStatement(opts driver.TxOptions) (string, error) {
	var tx pgx.TxOptions
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadUncommitted:
		tx.IsoLevel = pgx.ReadUncommitted
	case sql.LevelReadCommitted:
		tx.IsoLevel = pgx.ReadCommitted
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		tx.IsoLevel = pgx.RepeatableRead
	case sql.LevelSerializable:
		tx.IsoLevel = pgx.Serializable
	default:
		return "", fmt.Errorf("unsupported isolation: %v", opts.Isolation)
	}
	if opts.ReadOnly {
		tx.AccessMode = pgx.ReadOnly
	}
	return beginSQL(tx), nil
}

// beginSQL renders tx as a BEGIN statement.
func beginSQL(tx pgx.TxOptions) string {
	begin := "begin"
	if tx.IsoLevel != "" {
		begin += " isolation level " + string(tx.IsoLevel)
	}
	if tx.AccessMode != "" {
		begin += " " + string(tx.AccessMode)
	}
	return begin
}

// takeBegin is the BEGIN still to send, if any, now counted as sent.
func (c *rebindConn) takeBegin() string {
	begin := c.begin
	c.begin = ""
	return begin
}

// sendBegin sends the BEGIN still to send, if any, alone.
func (c *rebindConn) sendBegin(ctx context.Context) error {
	if begin := c.takeBegin(); begin != "" {
		if _, err := c.Conn.Conn().Exec(ctx, begin); err != nil {
			return fmt.Errorf("begin: %w", err)
		}
	}
	return nil
}

// pgx is the connection's pgx connection, for a statement run on it
// directly (COPY), once any BEGIN still to send has been.
func (c *rebindConn) pgx(ctx context.Context) (*pgx.Conn, error) {
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.Conn(), nil
}

// lazyTx is a transaction whose BEGIN may not have been sent yet: if no
// statement ran in it, there is nothing to commit or roll back.
type lazyTx struct {
	c   *rebindConn
	ctx context.Context
}

// Commit commits, as pgx does: a COMMIT that PostgreSQL answers with
// ROLLBACK (the transaction had failed) is an error.
func (t *lazyTx) Commit() error {
	if t.c.takeBegin() != "" {
		return nil
	}
	tag, err := t.c.Conn.Conn().Exec(t.ctx, "commit")
	if err != nil {
		t.closeIfInTransaction()
		return err
	}
	if tag.String() == "ROLLBACK" {
		return pgx.ErrTxCommitRollback
	}
	return nil
}

// Rollback rolls back; a rollback that fails leaves the connection in an
// unknown state, so it is closed, as pgx does.
func (t *lazyTx) Rollback() error {
	if t.c.takeBegin() != "" {
		return nil
	}
	if _, err := t.c.Conn.Conn().Exec(t.ctx, "rollback"); err != nil {
		t.c.Conn.Close() // bounded: it waits for the server five seconds at most
		return err
	}
	return nil
}

// closeIfInTransaction closes a connection left inside a transaction by a
// failed COMMIT: the pool must not hand it out again.
func (t *lazyTx) closeIfInTransaction() {
	if t.c.Conn.Conn().PgConn().TxStatus() != 'I' {
		t.c.Conn.Close()
	}
}

// rebindStmt is a prepared statement of a rebindConn: it sends the
// transaction's BEGIN before it runs, if no statement has yet.
type rebindStmt struct {
	*stdlib.Stmt
	c *rebindConn
}

func (s rebindStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.c.sendBegin(ctx); err != nil {
		return nil, err
	}
	return s.Stmt.ExecContext(ctx, args)
}

func (s rebindStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.sendBegin(ctx); err != nil {
		return nil, err
	}
	return s.Stmt.QueryContext(ctx, args)
}
