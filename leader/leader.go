// Package leader elects the one process, among the docracy serve
// processes sharing a database, that runs the singletons: the Discord
// gateway session, the digest scheduler, reconcile and the closing of
// polls. Every process answers HTTP; only the leader runs those loops, so
// that a digest is posted and a poll closed by one process at a time.
//
// On SQLite one process owns the database file, and it always leads. On
// PostgreSQL the leader is the process that holds a session-level
// advisory lock on a connection of its own: the server releases it when
// that session ends, so a leader that dies, or loses its connection, hands
// over to another within a second or two.
package leader

import (
	"context"
	"sync/atomic"
)

// Elector campaigns for leadership.
type Elector interface {
	// Run campaigns until ctx ends. Each time this process becomes the
	// leader, lead runs with a context that ends when it stops being one;
	// Run waits for lead to return before it campaigns again.
	Run(ctx context.Context, lead func(ctx context.Context))
	// Leader reports whether this process leads now.
	Leader() bool
}

// Role names the part a process plays, for /readyz.
func Role(e Elector) string {
	if e.Leader() {
		return "leader"
	}
	return "follower"
}

// Always is the elector of a process that is alone with its database, as
// with SQLite: it leads from the start, before Run has even begun, until
// Run's ctx ends.
type Always struct {
	ended atomic.Bool
}

// Run runs lead once, for as long as ctx lasts.
func (a *Always) Run(ctx context.Context, lead func(ctx context.Context)) {
	defer a.ended.Store(true)
	lead(ctx)
	<-ctx.Done()
}

// Leader reports whether Run has not ended.
func (a *Always) Leader() bool { return !a.ended.Load() }
