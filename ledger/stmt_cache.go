package ledger

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache holds statements prepared on the ledger's pool of connections
// (sql.DB.Prepare), one per query. database/sql prepares such a statement
// on a connection the first time a transaction there asks for it
// (sql.Tx.StmtContext) and keeps it, so that a query is parsed once per
// connection rather than once per transaction: parsing every
// transaction's statements again took 5% of a webhook's CPU, inside the
// lock that serialises the writers. The writers' queries are constants,
// or built from a closed set of table and column names, so the cache
// stays small.
type stmtCache struct {
	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	closed bool
}

// get returns the cached statement for query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// add prepares queries on the pool. It runs once the transaction that
// needed them has ended: a pool's Prepare takes a connection of its own,
// and a transaction that waited for one while holding another could wait
// for ever on a full pool. A query that fails to prepare is left out; the
// next transaction parses it for itself.
func (c *stmtCache) add(ctx context.Context, db *sql.DB, queries []string) {
	for _, query := range queries {
		stmt, err := db.PrepareContext(ctx, query)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, ok := c.stmts[query]; ok || c.closed {
			stmt.Close()
		} else {
			if c.stmts == nil {
				c.stmts = map[string]*sql.Stmt{}
			}
			c.stmts[query] = stmt
		}
		c.mu.Unlock()
	}
}

// close releases every statement, before the pool closes.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, stmt := range c.stmts {
		stmt.Close()
	}
	c.stmts, c.closed = nil, true
}
