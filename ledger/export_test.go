package ledger

import (
	"context"
	"time"
)

// ReferenceLeaderboard is the leaderboard as it was computed before
// day_points: one query summing every score of the window. Tests hold the
// fast path to it.
func (l *Ledger) ReferenceLeaderboard(ctx context.Context, q LeaderboardQuery) ([]Standing, error) {
	if q.At.IsZero() {
		q.At = l.now()
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	t := q.At.Unix()
	query := `SELECT member_id, sum(points) AS p FROM scores WHERE occurred_at > ? AND occurred_at <= ?`
	args := []any{t - int64(q.Window.Duration()/time.Second), t}
	if q.Category != "" {
		query += " AND category = ?"
		args = append(args, q.Category)
	}
	query += " GROUP BY member_id HAVING p > 0 ORDER BY p DESC, member_id LIMIT ?"
	standings, err := l.standings(ctx, query, append(args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	return standings, l.fillStandings(ctx, standings, q.Category, t)
}
