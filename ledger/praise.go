package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PraiseLimits bound the praise one giver may hand out. The giver is the
// entry's actor, so the limits hold per account that praises.
type PraiseLimits struct {
	Cap    int           // praise entries per Window; 0 means praise is off
	Window time.Duration // the span Cap counts over, e.g. 24 hours
	Repeat time.Duration // the least time between two praises of the same member
}

// PraiseLimit says which limit refused a praise.
type PraiseLimit string

// The limits a praise can hit.
const (
	PraiseCapReached PraiseLimit = "cap"
	PraiseTooSoon    PraiseLimit = "repeat"
)

// PraiseLimitError is returned by AppendPraise when a limit refuses the
// entry. Until is when the giver may try again.
type PraiseLimitError struct {
	Limit PraiseLimit
	Given int       // counted praise in the window (for the cap)
	Until time.Time // when the limit lifts
}

func (e *PraiseLimitError) Error() string {
	return fmt.Sprintf("praise refused (%s) until %s", e.Limit, formatTime(e.Until))
}

// AppendPraise appends a praise entry unless the giver (n.Actor) has given
// lim.Cap praise in the lim.Window before n.OccurredAt, or praised the same
// member within lim.Repeat. The check and the append share one transaction,
// so two praises sent at once cannot both slip under the cap. Revoked
// praise does not count. A source_ref already in the ledger returns the
// stored entry, as Append does, before any limit is checked: a retry of an
// accepted praise is not refused.
func (l *Ledger) AppendPraise(ctx context.Context, n NewEntry, lim PraiseLimits) (e Entry, created bool, err error) {
	if n.Kind != KindPraise {
		return Entry{}, false, fmt.Errorf("append praise: kind is %q", n.Kind)
	}
	err = l.write(ctx, func(w *writer) error {
		if e, err = w.entryByRef(ctx, n.SourceRef); err == nil {
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("append praise: %w", err)
		}
		if err := w.checkPraise(ctx, n, lim); err != nil {
			return err
		}
		e, created, err = w.append(ctx, n)
		return err
	})
	return e, created, err
}

func (w *writer) checkPraise(ctx context.Context, n NewEntry, lim PraiseLimits) error {
	at := n.OccurredAt.UTC().Truncate(time.Second)
	since := at.Add(-max(lim.Window, lim.Repeat))
	given, err := praiseGiven(ctx, w.tx, n.Actor, since)
	if err != nil {
		return fmt.Errorf("append praise: %w", err)
	}
	var inWindow []Entry
	for _, g := range given {
		if g.OccurredAt.After(at.Add(-lim.Window)) {
			inWindow = append(inWindow, g)
		}
		if g.Member == n.Member && g.OccurredAt.After(at.Add(-lim.Repeat)) {
			return &PraiseLimitError{Limit: PraiseTooSoon, Until: g.OccurredAt.Add(lim.Repeat)}
		}
	}
	if len(inWindow) >= lim.Cap {
		until := at
		if lim.Cap > 0 {
			// The oldest praise that keeps the count at the cap frees a slot when it leaves the window.
			until = inWindow[len(inWindow)-lim.Cap].OccurredAt.Add(lim.Window)
		}
		return &PraiseLimitError{Limit: PraiseCapReached, Given: len(inWindow), Until: until}
	}
	return nil
}

// praiseGiven returns the actor's counted praise since a time, oldest first.
func praiseGiven(ctx context.Context, q queryer, actor string, since time.Time) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+entryColumns+` FROM entries
		WHERE kind = 'praise' AND actor = ? AND occurred_at > ?
		AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.source_ref = 'revoke:' || entries.id)
		ORDER BY occurred_at, seq`, actor, since.Unix())
	if err != nil {
		return nil, err
	}
	return scanEntries(rows)
}

// PraiseGiven returns the praise an actor gave since a time that still
// counts (not revoked), oldest first.
func (l *Ledger) PraiseGiven(ctx context.Context, actor string, since time.Time) ([]Entry, error) {
	given, err := praiseGiven(ctx, l.db, actor, since)
	if err != nil {
		return nil, fmt.Errorf("praise given by %s: %w", actor, err)
	}
	return given, nil
}
