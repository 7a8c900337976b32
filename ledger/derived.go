package ledger

import (
	"context"
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
}

// derivedTables lists every derived family, in the order Verify reports them.
func (l *Ledger) derivedTables() []derived {
	return []derived{
		{"reputation", l.checkReputation, l.rebuildReputation},
		{"day_points", checkDayPoints, rebuildDayPoints}, // after reputation: it is rebuilt from scores
		{"accounts", checkAccounts, rebuildAccounts},
		{"colleges", checkCollegeColumn, rebuildCollegeColumn},
		{"payouts", func(ctx context.Context, q queryer, _ *chainState) error { return checkPayouts(ctx, q) },
			func(ctx context.Context, w *writer, _ *chainState) error { return w.rebuildPayouts(ctx) }},
		{"polls", func(ctx context.Context, _ queryer, s *chainState) error {
			return l.checkPolls(ctx, s.polls, s.head.Seq)
		},
			func(ctx context.Context, w *writer, s *chainState) error {
				return w.rebuildPolls(ctx, s.polls, s.head.Seq)
			}},
	}
}

// VerifyAll checks the hash chain and then every derived table against
// it, all in one read snapshot, so that appends running meanwhile cannot
// show as differences. It returns the head, the number of entries, and a
// *ChainError or a *DerivedError for the first problem. progress, when not
// nil, is told how many entries have been verified so far.
func (l *Ledger) VerifyAll(ctx context.Context, progress func(done int64)) (Head, int64, error) {
	conn, err := l.scanConn(ctx)
	if err != nil {
		return Head{}, 0, fmt.Errorf("verify: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, l.engine.snapshot())
	if err != nil {
		return Head{}, 0, fmt.Errorf("verify: %w", err)
	}
	defer tx.Rollback()
	s, err := l.readChain(ctx, tx, false, progress)
	if err != nil {
		return s.head, s.entries, err
	}
	for _, d := range l.derivedTables() {
		if err := d.check(ctx, tx, s); err != nil {
			return s.head, s.entries, err
		}
	}
	return s.head, s.entries, nil
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
	for _, d := range l.derivedTables() {
		if err := d.rebuild(ctx, w, s); err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
	}
	return nil
}

// RebuildAll is Rebuild telling progress how many entries it has read.
// The chain is read within the writing transaction, so that no append
// slips in between what was read and what is written.
func (l *Ledger) RebuildAll(ctx context.Context, progress func(done int64)) (entries int64, err error) {
	err = l.write(ctx, func(w *writer) error {
		// The scores are rebuilt in SQL: the pass need not sum them.
		s, err := l.readChain(ctx, w.tx, true, progress)
		entries = s.entries
		if err != nil {
			return err
		}
		return l.rebuildFrom(ctx, w, s)
	})
	if err != nil {
		return entries, fmt.Errorf("rebuild: %w", err)
	}
	return entries, nil
}
