package leader_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/pgtest"
	"github.com/docracy/docracy/leader"
)

const interval = 100 * time.Millisecond

// campaigner runs an elector and counts the terms it leads.
type campaigner struct {
	e      leader.Elector
	terms  atomic.Int32
	inTerm atomic.Bool
	cancel context.CancelFunc
	done   chan struct{}
}

func campaign(t *testing.T, e leader.Elector) *campaigner {
	ctx, cancel := context.WithCancel(context.Background())
	c := &campaigner{e: e, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		e.Run(ctx, func(ctx context.Context) {
			c.terms.Add(1)
			c.inTerm.Store(true)
			<-ctx.Done()
			c.inTerm.Store(false)
		})
	}()
	t.Cleanup(c.stop)
	return c
}

func (c *campaigner) stop() {
	c.cancel()
	<-c.done
}

func postgres(dsn string) *leader.Postgres {
	return &leader.Postgres{DSN: dsn, Interval: interval, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// waitFor polls cond for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within %s", what, d)
}

// A process alone with its SQLite file leads from the start, before the
// election even runs, until it stops.
func TestAlwaysLeads(t *testing.T) {
	a := &leader.Always{}
	if !a.Leader() {
		t.Fatal("not the leader before Run: /readyz would say follower at start-up")
	}
	c := campaign(t, a)
	waitFor(t, time.Second, "leading", func() bool { return a.Leader() && c.inTerm.Load() })
	if leader.Role(a) != "leader" {
		t.Errorf("role %q", leader.Role(a))
	}
	c.stop()
	if a.Leader() || c.inTerm.Load() {
		t.Error("still leading after Run returned")
	}
}

// Of two processes on one database exactly one leads; when it stops, the
// other takes over within a few intervals, and never do both lead.
func TestOneLeaderThenTakeover(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := campaign(t, postgres(dsn)), campaign(t, postgres(dsn))
	var both atomic.Bool
	watch, stopWatch := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for watch.Err() == nil {
			if a.inTerm.Load() && b.inTerm.Load() {
				both.Store(true)
			}
			time.Sleep(time.Millisecond)
		}
	})
	waitFor(t, 5*time.Second, "a leader", func() bool { return a.e.Leader() || b.e.Leader() })
	time.Sleep(5 * interval)
	first, second := a, b
	if b.e.Leader() {
		first, second = b, a
	}
	if second.e.Leader() || second.terms.Load() != 0 || leader.Role(second.e) != "follower" {
		t.Fatalf("both lead: %d and %d terms", first.terms.Load(), second.terms.Load())
	}
	first.stop()
	waitFor(t, 2*time.Second, "the takeover", func() bool { return second.e.Leader() && second.inTerm.Load() })
	stopWatch()
	wg.Wait()
	if both.Load() {
		t.Error("both processes led at the same instant")
	}
}

// A leader whose connection dies stops its singletons, then leads again
// once it has reconnected and the lock is free.
func TestLostConnectionEndsTheTerm(t *testing.T) {
	dsn := pgtest.DSN(t)
	c := campaign(t, postgres(dsn))
	waitFor(t, 5*time.Second, "leading", func() bool { return c.inTerm.Load() })
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var killed int
	err = db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND (classid::bigint << 32 | objid::bigint) = $1`, leader.LockKey).Scan(&killed)
	if err != nil || killed != 1 {
		t.Fatalf("terminated %d sessions, %v; want the leader's", killed, err)
	}
	waitFor(t, 2*time.Second, "the term's end", func() bool { return !c.inTerm.Load() })
	waitFor(t, 5*time.Second, "a second term", func() bool { return c.terms.Load() == 2 && c.inTerm.Load() })
}
