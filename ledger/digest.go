package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// CountedBetween returns the entries that count towards reputation (credit
// and praise, not revoked) that occurred in [start, end), in seq order.
func (l *Ledger) CountedBetween(ctx context.Context, start, end time.Time) ([]Entry, error) {
	entries := []Entry{}
	err := l.eachRow(ctx, func(row scanner) error {
		e, err := scanEntry(row)
		entries = append(entries, e)
		return err
	}, "SELECT "+qualified("e.")+` FROM scores s JOIN entries e ON e.seq = s.seq
		WHERE s.occurred_at >= ? AND s.occurred_at < ? ORDER BY e.seq`, start.Unix(), end.Unix())
	if err != nil {
		return nil, fmt.Errorf("entries between: %w", err)
	}
	return entries, nil
}

// EarnedBefore reports whether a member has counted points that occurred
// before t: a member who has not is a newcomer after t.
func (l *Ledger) EarnedBefore(ctx context.Context, member int64, t time.Time) (bool, error) {
	var one int
	err := l.db.QueryRowContext(ctx, "SELECT 1 FROM scores WHERE member_id = ? AND occurred_at < ? LIMIT 1", member, t.Unix()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// DigestRecord is a digest that was posted.
type DigestRecord struct {
	Slot        time.Time // the schedule slot it was posted for
	PeriodStart time.Time
	PostedAt    time.Time
	MessageID   string
}

// RecordDigest notes that the digest of a period was posted. Recording a
// period twice keeps the first record.
func (l *Ledger) RecordDigest(ctx context.Context, r DigestRecord) error {
	return l.write(ctx, func(w *writer) error {
		return w.exec(ctx, `INSERT INTO digests (period_start, slot, posted_at, message_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (period_start) DO NOTHING`, r.PeriodStart.Unix(), r.Slot.Unix(), w.now.Unix(), r.MessageID)
	})
}

// LastDigest returns the newest posted digest, or ErrNotFound.
func (l *Ledger) LastDigest(ctx context.Context) (DigestRecord, error) {
	var r DigestRecord
	var slot, start, posted int64
	err := l.db.QueryRowContext(ctx, "SELECT slot, period_start, posted_at, message_id FROM digests ORDER BY period_start DESC LIMIT 1").
		Scan(&slot, &start, &posted, &r.MessageID)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("last digest: %w", ErrNotFound)
	} else if err != nil {
		return r, fmt.Errorf("last digest: %w", err)
	}
	r.Slot, r.PeriodStart, r.PostedAt = time.Unix(slot, 0).UTC(), time.Unix(start, 0).UTC(), time.Unix(posted, 0).UTC()
	return r, nil
}

// DigestsSince returns when digests started to be scheduled, setting it to
// now on first call: slots before it were never due, so a new bot does not
// post a digest for a past it never watched.
func (l *Ledger) DigestsSince(ctx context.Context) (time.Time, error) {
	var since time.Time
	err := l.write(ctx, func(w *writer) error {
		if err := w.exec(ctx, "INSERT INTO meta (key, value) VALUES ('digests_since', ?) ON CONFLICT (key) DO NOTHING",
			strconv.FormatInt(w.now.Unix(), 10)); err != nil {
			return err
		}
		var v string
		if err := w.tx.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'digests_since'").Scan(&v); err != nil {
			return err
		}
		unix, err := strconv.ParseInt(v, 10, 64)
		since = time.Unix(unix, 0).UTC()
		return err
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("digests since: %w", err)
	}
	return since, nil
}
