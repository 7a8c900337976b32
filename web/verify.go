package web

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/docracy/docracy/ledger"
)

// ChainVerifier recomputes the hash chain and checks every table derived
// from it; *ledger.Ledger provides it.
type ChainVerifier interface {
	VerifyAll(ctx context.Context, progress func(int64)) (ledger.Head, int64, error)
}

var _ ChainVerifier = (*ledger.Ledger)(nil)

// Verification is the outcome of one check of the whole chain and of the
// tables derived from it.
type Verification struct {
	OK      bool          // every entry up to Head matches its hash, and every derived table agrees with them
	Head    ledger.Head   // the last entry checked
	Entries int64         // entries checked
	Problem string        // why it is not OK, fit to publish
	At      time.Time     // when the check finished
	Took    time.Duration // how long it ran
}

// Checker verifies the chain and the derived tables in the background and keeps the last result,
// so that pages show it without walking a million entries per visit.
type Checker struct {
	Ledger ChainVerifier
	Now    func() time.Time
	Logger *slog.Logger
	// Release, when set, runs after each check: the check's working set
	// of a large ledger is garbage once it ends, and a long-running
	// server hands it back to the system rather than hold it until the
	// next check (serve passes debug.FreeOSMemory).
	Release func()

	mu   sync.Mutex
	last Verification
	done bool // last holds a finished check
}

// NewChecker returns a checker of l on the real clock.
func NewChecker(l ChainVerifier, log *slog.Logger) *Checker {
	return &Checker{Ledger: l, Now: time.Now, Logger: log}
}

// Run checks the chain at once, then every interval, until ctx ends.
func (c *Checker) Run(ctx context.Context, interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		c.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Check verifies the chain once and records the outcome. A check cut short
// by ctx records nothing: it says nothing about the chain.
func (c *Checker) Check(ctx context.Context) (Verification, bool) {
	start := c.Now()
	head, n, err := c.Ledger.VerifyAll(ctx, nil)
	if c.Release != nil {
		c.Release()
	}
	if err != nil && ctx.Err() != nil {
		return Verification{}, false
	}
	v := Verification{OK: err == nil, Head: head, Entries: n, At: c.Now()}
	v.Took = v.At.Sub(start)
	var chainErr *ledger.ChainError
	var derivedErr *ledger.DerivedError
	switch {
	case errors.As(err, &chainErr):
		v.Problem = chainErr.Error()
		c.logger().Error("ledger verification failed", "seq", chainErr.Seq, "reason", chainErr.Reason)
	case errors.As(err, &derivedErr):
		// Members' figures are read from these tables: a difference is as
		// grave as a broken chain, and "docracy rebuild" repairs it.
		v.Problem = "derived table " + derivedErr.Error()
		c.logger().Error("ledger verification failed", "table", derivedErr.Table, "difference", derivedErr.Detail)
	case err != nil:
		// An I/O error says nothing about the chain, and its text is ours.
		v.Problem = "the ledger could not be read to the end"
		c.logger().Error("ledger verification", "err", err)
	default:
		c.logger().Info("ledger verified", "entries", n, "head", head.Hash, "took", v.Took)
	}
	c.mu.Lock()
	c.last, c.done = v, true
	c.mu.Unlock()
	return v, true
}

func (c *Checker) logger() *slog.Logger { return orDiscard(c.Logger) }

// Last returns the latest finished check, and false before the first one.
func (c *Checker) Last() (Verification, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last, c.done
}
