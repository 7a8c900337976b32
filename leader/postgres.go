package leader

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/docracy/docracy/ledger"
)

// LockKey names the session-level advisory lock the leader holds ("DOCRL"
// in ASCII; the ledger's write lock is another key).
const LockKey int64 = 0x444f43524c

// Postgres elects the leader with a session-level advisory lock held on a
// dedicated connection.
type Postgres struct {
	// DSN is the database's URL; it may hold a password, and is never logged.
	DSN string
	// Interval is how often a follower tries the lock and a leader checks
	// its connection: the longest a takeover waits once the lock is free.
	Interval time.Duration
	Logger   *slog.Logger

	leading atomic.Bool
}

// Leader reports whether this process holds the lock.
func (p *Postgres) Leader() bool { return p.leading.Load() }

// Run connects, tries the lock every Interval, and leads while it holds
// it. A failed connection is retried after Interval.
func (p *Postgres) Run(ctx context.Context, lead func(ctx context.Context)) {
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, p.DSN)
		if err != nil {
			p.Logger.Warn("leader election: cannot connect", "err", ledger.ScrubURL(err, p.DSN), "retry_in", p.Interval)
			sleep(ctx, p.Interval)
			continue
		}
		p.campaign(ctx, conn, lead)
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.Interval)
		conn.Close(closeCtx) // ends the session, and with it the lock
		cancel()
	}
}

// campaign tries the lock until it is ours, then leads until the
// connection fails or ctx ends.
func (p *Postgres) campaign(ctx context.Context, conn *pgx.Conn, lead func(ctx context.Context)) {
	for {
		var got bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", LockKey).Scan(&got); err != nil {
			if ctx.Err() == nil {
				p.Logger.Warn("leader election: connection lost", "err", ledger.ScrubURL(err, p.DSN))
			}
			return
		}
		if got {
			p.hold(ctx, conn, lead)
			return
		}
		if !sleep(ctx, p.Interval) {
			return
		}
	}
}

// hold leads while the connection that holds the lock answers.
func (p *Postgres) hold(ctx context.Context, conn *pgx.Conn, lead func(ctx context.Context)) {
	leadCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	p.leading.Store(true)
	p.Logger.Info("leader election: leading")
	go func() {
		defer close(done)
		lead(leadCtx)
	}()
	for p.alive(leadCtx, conn) {
		// still the leader
	}
	stop()
	<-done
	p.leading.Store(false)
	if ctx.Err() == nil {
		p.Logger.Warn("leader election: lost the lock's connection, singletons stopped")
	}
}

// alive waits Interval and reports whether ctx lasts and the connection
// still answers.
func (p *Postgres) alive(ctx context.Context, conn *pgx.Conn) bool {
	if !sleep(ctx, p.Interval) {
		return false
	}
	ping, cancel := context.WithTimeout(ctx, p.Interval)
	defer cancel()
	return conn.Ping(ping) == nil
}

// sleep waits d, or less if ctx ends first; it reports whether ctx lasts.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
