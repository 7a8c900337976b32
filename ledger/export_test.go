package ledger

import (
	"context"
	"time"
)

// ReferenceLeaderboard is the leaderboard as it was computed before
// day_points: one query summing every score of the window. Tests hold the
// fast path to it.
func (l *Ledger) ReferenceLeaderboard(ctx context.Context, q LeaderboardQuery) ([]Standing, error) {
	q = q.filled(l.now)
	t := q.At.Unix()
	query := `SELECT member_id, sum(points) AS p FROM scores WHERE occurred_at > ? AND occurred_at <= ?`
	args := []any{t - int64(q.Window.Duration()/time.Second), t}
	if q.Category != "" {
		query += " AND category = ?"
		args = append(args, q.Category)
	}
	query += " GROUP BY member_id HAVING sum(points) > 0 ORDER BY p DESC, member_id LIMIT ?"
	standings, err := l.standings(ctx, query, append(args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	return standings, l.fillStandings(ctx, standings, q.Category, t)
}

// AppendEach is AppendBatch as it was before batches wrote their derived
// rows together: every entry through the single-append path, in one
// transaction. The batch benchmark measures both in the same run.
func (l *Ledger) AppendEach(ctx context.Context, ns []NewEntry) (created int, err error) {
	err = l.write(ctx, func(w *writer) error {
		created = 0
		for _, n := range ns {
			_, ok, err := w.append(ctx, n)
			if err != nil {
				return err
			}
			if ok {
				created++
			}
		}
		return nil
	})
	return created, err
}

// RebuildScores recomputes scores and totals alone, as Rebuild does, or
// with their indexes kept in place as Rebuild did before.
func (l *Ledger) RebuildScores(ctx context.Context, keepIndexes bool) error {
	return l.write(ctx, func(w *writer) error {
		if keepIndexes {
			return w.refill(ctx, l.halfLife.Seconds())
		}
		return w.rebuild(ctx, l.halfLife.Seconds())
	})
}

// ScanChainRows reads every entry as verify does, checking nothing, and
// returns how many it read: what the storage costs a verify.
func ScanChainRows(ctx context.Context, l *Ledger) (int64, error) {
	var n int64
	err := eachChainRow(ctx, l.db, l.engine.separatesChainText(), 0, func(Entry) error {
		n++
		return nil
	})
	return n, err
}

// WriteGitHubTogether commits writes in one group commit, in their order,
// as the first of them to take the writer's lock would: one transaction
// (or, if a write fails, each in a savepoint). It returns each write's
// result and error.
func (l *Ledger) WriteGitHubTogether(ctx context.Context, writes []GitHubWrite) ([]GitHubResult, []error) {
	batch := make([]*pendingGitHub, len(writes))
	for i, g := range writes {
		batch[i] = &pendingGitHub{write: g}
	}
	l.mu.Lock()
	l.commitGitHub(ctx, batch)
	l.mu.Unlock()
	results, errs := make([]GitHubResult, len(batch)), make([]error, len(batch))
	for i, p := range batch {
		results[i], errs[i] = p.res, p.err
	}
	return results, errs
}
