package ledger

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/stdlib"
)

// The ledger's SQL is written once, with SQLite's "?" placeholders.
// PostgreSQL numbers its own ($1, $2, …), so every statement sent to it
// passes through a rebinder at the driver level: code that runs a query,
// whatever package it is in, needs no second spelling.

// rebinder turns "?" placeholders into "$n", once per statement text.
type rebinder struct {
	cache sync.Map // query text → rebound text
}

func (r *rebinder) rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := r.cache.Load(query); ok {
		return q.(string)
	}
	q := numberPlaceholders(query)
	r.cache.Store(query, q)
	return q
}

// numberPlaceholders numbers each "?" that is not inside a string literal,
// a quoted identifier, a dollar-quoted body or a comment.
func numberPlaceholders(query string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		if end := quotedEnd(query, i); end > i {
			b.WriteString(query[i:end])
			i = end - 1
			continue
		}
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// quotedEnd returns the end of the literal, identifier or comment that
// starts at i, or i when none does.
func quotedEnd(q string, i int) int {
	closing := ""
	switch {
	case q[i] == '\'' || q[i] == '"':
		closing = q[i : i+1] // a doubled quote inside reads as two literals back to back
	case strings.HasPrefix(q[i:], "--"):
		closing = "\n"
	case strings.HasPrefix(q[i:], "/*"):
		closing = "*/"
	case strings.HasPrefix(q[i:], "$$"):
		closing = "$$"
	default:
		return i
	}
	start := i + len(closing)
	if closing == "\n" || closing == "*/" {
		start = i + 2
	}
	end := strings.Index(q[start:], closing)
	if end < 0 {
		return len(q)
	}
	return start + end + len(closing)
}

// rebindConnector hands out pgx connections whose statements are rebound.
type rebindConnector struct {
	driver.Connector
	r *rebinder
}

func (c rebindConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &rebindConn{Conn: conn.(*stdlib.Conn), r: c.r}, nil
}

// rebindConn is a pgx connection that rebinds every statement text it is
// given, and sends a transaction's BEGIN with its first statement (see
// BeginTx); everything else is pgx's own.
type rebindConn struct {
	*stdlib.Conn
	r     *rebinder
	begin string // the BEGIN of the open transaction, until a statement carries it
}

// Prepare and PrepareContext leave the BEGIN for the statement's run: a
// prepared statement belongs to the session, not to the transaction.
func (c *rebindConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *rebindConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	stmt, err := c.Conn.PrepareContext(ctx, c.r.rebind(query))
	if err != nil {
		return nil, err
	}
	return rebindStmt{Stmt: stmt.(*stdlib.Stmt), c: c}, nil
}

func (c *rebindConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, c.r.rebind(query), args)
}

func (c *rebindConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.sendBegin(ctx); err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, c.r.rebind(query), args)
}
