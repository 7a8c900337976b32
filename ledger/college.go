package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// chainedCollege is, for every member, the college of their latest college
// entry, empty when they have none: what members.college must hold.
const chainedCollege = `coalesce((SELECT category FROM entries
	WHERE kind = 'college' AND member_id = members.id ORDER BY seq DESC LIMIT 1), '')`

// CollegeEntry returns a member's latest college entry, or ErrNotFound
// when they were never placed: a move is keyed on it, so that a retried
// move adds nothing while a later one still can.
func (l *Ledger) CollegeEntry(ctx context.Context, member int64) (Entry, error) {
	e, err := scanEntry(l.db.QueryRowContext(ctx, "SELECT "+entryColumns+
		" FROM entries WHERE kind = 'college' AND member_id = ? ORDER BY seq DESC LIMIT 1", member))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, ErrNotFound
	} else if err != nil {
		return Entry{}, fmt.Errorf("college entry of member %d: %w", member, err)
	}
	return e, nil
}

// RebuildColleges recomputes every member's college from the chain.
func (l *Ledger) RebuildColleges(ctx context.Context) error {
	return l.write(ctx, func(w *writer) error { return w.rebuildColleges(ctx) })
}

// rebuildColleges is RebuildColleges within a write, for a rebuild that
// recomputes every derived table in one transaction.
func (w *writer) rebuildColleges(ctx context.Context) error {
	if _, err := w.tx.ExecContext(ctx, "UPDATE members SET college = "+chainedCollege+
		" WHERE college <> "+chainedCollege); err != nil {
		return fmt.Errorf("rebuild colleges: %w", err)
	}
	return nil
}

// CheckColleges compares members.college with the chain and names the
// first member, by id, whose table college differs from it.
func (l *Ledger) CheckColleges(ctx context.Context) error {
	var member int64
	var table, chain string
	err := l.db.QueryRowContext(ctx, "SELECT id, college, chained FROM (SELECT id, college, "+chainedCollege+
		" AS chained FROM members) m WHERE college <> chained ORDER BY id LIMIT 1").Scan(&member, &table, &chain)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("members: check colleges: %w", err)
	}
	return fmt.Errorf("members: member %d: table says %s, chain says %s", member, collegeName(table), collegeName(chain))
}

func collegeName(c string) string {
	if c == "" {
		return "no college"
	}
	return c
}

// carryCollege gives to the college of from, merged into it by link, when
// to has none: by a college entry, since the chain says who belongs where.
func (w *writer) carryCollege(ctx context.Context, r LinkRequest, link Entry, from, to int64) error {
	var fromCollege, toCollege string
	err := w.tx.QueryRowContext(ctx, "SELECT (SELECT college FROM members WHERE id = ?), (SELECT college FROM members WHERE id = ?)",
		from, to).Scan(&fromCollege, &toCollege)
	if err != nil || fromCollege == "" || toCollege != "" {
		return err
	}
	_, _, err = w.append(ctx, NewEntry{
		Kind: KindCollege, Member: to, Category: fromCollege, OccurredAt: w.now, Source: r.Source,
		SourceRef: "college:" + link.ID, Actor: r.Actor,
		Note: fmt.Sprintf("college of member %d, merged into member %d by link %s", from, to, link.ID),
	})
	return err
}
