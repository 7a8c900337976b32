package ledger

import (
	"context"
	"database/sql"
	"fmt"
)

// DerivedError names the first difference between a table derived from
// the chain and what the chain says it must hold.
type DerivedError struct {
	Table  string // the table at fault, e.g. "totals" or "payouts"
	Detail string // where and how it differs, e.g. "member 3 category code: table says 12 points, chain says 7"
}

func (e *DerivedError) Error() string { return e.Table + ": " + e.Detail }

func derivedf(table, format string, args ...any) error {
	return &DerivedError{Table: table, Detail: fmt.Sprintf(format, args...)}
}

// derived is one family of tables that follow from the chain: check names
// its first difference with the chain state s (reading through q, the
// snapshot the chain was read in), rebuild makes it agree within the
// rebuild's transaction. Verify and Rebuild walk the list, so a family
// plugs in as one entry.
type derived struct {
	name    string
	check   func(ctx context.Context, q queryer, s *chainState) error
	rebuild func(ctx context.Context, w *writer, s *chainState) error
	// fromEntries marks a family rebuilt from the entries table in SQL,
	// which needs no chain state (its rebuild gets nil): Rebuild runs it
	// while the chain is still being read.
	fromEntries bool
}

// derivedTables lists every derived family, in the order Verify reports them.
func (l *Ledger) derivedTables() []derived {
	return []derived{
		{"reputation", l.checkReputation, l.rebuildReputation, true},
		{"day_points", checkDayPoints, rebuildDayPoints, true}, // after reputation: it is rebuilt from scores
		{"accounts", checkAccounts, rebuildAccounts, false},
		{"colleges", checkCollegeColumn, rebuildCollegeColumn, false},
		{"payouts", func(ctx context.Context, q queryer, _ *chainState) error { return checkPayouts(ctx, q) },
			func(ctx context.Context, w *writer, _ *chainState) error { return w.rebuildPayouts(ctx) }, false},
		{"polls", func(ctx context.Context, _ queryer, s *chainState) error {
			return l.checkPolls(ctx, s.polls, s.head.Seq)
		},
			func(ctx context.Context, w *writer, s *chainState) error {
				return w.rebuildPolls(ctx, s.polls, s.head.Seq)
			}, false},
	}
}

// VerifyAll checks the hash chain and then every derived table against
// it, all in one read snapshot, so that appends running meanwhile cannot
// show as differences. It returns the head, the number of entries, and a
// *ChainError or a *DerivedError for the first problem. progress, when not
// nil, is told how many entries have been verified so far.
func (l *Ledger) VerifyAll(ctx context.Context, progress func(done int64)) (Head, int64, error) {
	s := &chainState{}
	err := l.inSnapshot(ctx, func(tx *sql.Tx) (err error) {
		if s, err = l.readChain(ctx, tx, false, progress); err != nil {
			return err
		}
		for _, d := range l.derivedTables() {
			if err := d.check(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	return s.head, s.entries, err
}

// inSnapshot runs fn in a read-only transaction that sees one state
// throughout, on a connection set up to read the whole ledger.
func (l *Ledger) inSnapshot(ctx context.Context, fn func(tx *sql.Tx) error) error {
	conn, err := l.scanConn(ctx)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, l.engine.snapshot())
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// readChain verifies the chain read through q and gathers, in the same
// pass, the state the derived tables must agree with; unscored leaves out
// the sums of scores, which only a check reads.
func (l *Ledger) readChain(ctx context.Context, q queryer, unscored bool, progress func(int64)) (*chainState, error) {
	s, err := newChainState(ctx, q, l.halfLife)
	if err != nil {
		return &chainState{head: Head{Hash: ZeroHash}}, fmt.Errorf("verify: %w", err)
	}
	s.unscored = unscored
	s.head, s.entries, err = l.verifyChain(ctx, q, s.add, progress)
	s.finish()
	return s, err
}

// Rebuild recomputes every table derived from the chain in one
// transaction, after checking that the chain itself is intact: a broken
// chain is refused, and nothing is changed. It returns how many entries
// the chain holds.
func (l *Ledger) Rebuild(ctx context.Context) (int64, error) {
	return l.RebuildAll(ctx, nil)
}

// rebuildFrom makes every derived table agree with s within w.
func (l *Ledger) rebuildFrom(ctx context.Context, w *writer, s *chainState) error {
	return l.rebuildWhere(ctx, w, s, func(derived) bool { return true })
}

// rebuildWhere rebuilds the derived families that which picks, in order.
func (l *Ledger) rebuildWhere(ctx context.Context, w *writer, s *chainState, which func(derived) bool) error {
	for _, d := range l.derivedTables() {
		if !which(d) {
			continue
		}
		if err := d.rebuild(ctx, w, s); err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
	}
	return nil
}

// RebuildAll is Rebuild telling progress how many entries it has read.
//
// The chain is read and checked on a connection of its own while the
// writing transaction rebuilds, from the entries table in SQL, the
// families that need no chain state (scores, totals, day_points): the
// two share the cores. The read begins once the write transaction holds
// the write lock, which keeps every append out until the rebuild ends, so
// both see the same entries. A broken chain rolls everything back.
func (l *Ledger) RebuildAll(ctx context.Context, progress func(done int64)) (entries int64, err error) {
	err = l.write(ctx, func(w *writer) error {
		wait := l.readChainAside(ctx, progress)
		sqlErr := l.rebuildWhere(ctx, w, nil, func(d derived) bool { return d.fromEntries })
		s, err := wait(sqlErr != nil)
		entries = s.entries
		if sqlErr != nil {
			return sqlErr
		} else if err != nil {
			return err
		}
		return l.rebuildWhere(ctx, w, s, func(d derived) bool { return !d.fromEntries })
	})
	if err != nil {
		return entries, fmt.Errorf("rebuild: %w", err)
	}
	return entries, nil
}

// readChainAside runs readChain in a snapshot of its own, in a goroutine,
// leaving out the sums of scores (Rebuild computes them in SQL). wait
// returns its result; with stop set, it first asks the read to stop.
func (l *Ledger) readChainAside(ctx context.Context, progress func(int64)) (wait func(stop bool) (*chainState, error)) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	s := &chainState{head: Head{Hash: ZeroHash}}
	var err error
	go func() {
		defer close(done)
		err = l.inSnapshot(ctx, func(tx *sql.Tx) (err error) {
			s, err = l.readChain(ctx, tx, true, progress)
			return err
		})
	}()
	return func(stop bool) (*chainState, error) {
		if stop {
			cancel()
		}
		<-done
		cancel()
		return s, err
	}
}
