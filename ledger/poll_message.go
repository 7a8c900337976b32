package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
)

// pollMessageKey is the meta key under which a poll's message is kept.
func pollMessageKey(poll int64) string { return "poll_message:" + strconv.FormatInt(poll, 10) }

// SetPollMessage remembers where a poll is shown (for Discord,
// "<channel id>/<message id>") so that its live tally can be edited. This
// is working state beside the chain, like the digest's: it is no fact of
// the cooperative's history, verify ignores it, and losing it only stops
// the message from being updated.
func (l *Ledger) SetPollMessage(ctx context.Context, poll int64, where string) error {
	return l.write(ctx, func(w *writer) error {
		err := w.exec(ctx, "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			pollMessageKey(poll), where)
		if err != nil {
			return fmt.Errorf("poll %s message: %w", EntryID(poll), err)
		}
		return nil
	})
}

// PollMessage returns where a poll is shown, "" when nowhere.
func (l *Ledger) PollMessage(ctx context.Context, poll int64) (string, error) {
	var where string
	err := l.db.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = ?", pollMessageKey(poll)).Scan(&where)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("poll %s message: %w", EntryID(poll), err)
	}
	return where, nil
}
