package ledger

import (
	"context"
	"fmt"
	"sort"
	"time"
)

// Reputation is a member's standing at a moment: the sum of their counted
// points, each decayed by the half-life since it was earned.
type Reputation struct {
	Member     int64           `json:"member"`
	Score      float64         `json:"score"`  // decayed points
	Points     int64           `json:"points"` // lifetime points, undecayed
	Rank       int             `json:"rank"`   // 1 = highest score; 0 when the member has no points
	Categories []CategoryScore `json:"categories"`
}

// CategoryScore is the part of a reputation earned in one category.
type CategoryScore struct {
	Category string  `json:"category"`
	Score    float64 `json:"score"`
	Points   int64   `json:"points"`
}

// Reputation computes a member's reputation at time at from their own
// counted entries (those occurring after at are left out), and their rank
// among all members from the running totals.
func (l *Ledger) Reputation(ctx context.Context, member int64, at time.Time) (Reputation, error) {
	r := Reputation{Member: member, Categories: []CategoryScore{}}
	d, err := readDecay(ctx, l.db)
	if err != nil {
		return r, err
	}
	t := at.Unix()
	rows, err := l.db.QueryContext(ctx, `SELECT category, points, occurred_at FROM scores
		WHERE member_id = ? AND occurred_at <= ?`, member, t)
	if err != nil {
		return r, fmt.Errorf("reputation of member %d: %w", member, err)
	}
	defer rows.Close()
	byCategory := map[string]*CategoryScore{}
	for rows.Next() {
		var category string
		var points, occurred int64
		if err := rows.Scan(&category, &points, &occurred); err != nil {
			return r, fmt.Errorf("reputation of member %d: %w", member, err)
		}
		c := byCategory[category]
		if c == nil {
			c = &CategoryScore{Category: category}
			byCategory[category] = c
		}
		score := halfLifeDecay(points, t-occurred, d.halfLife)
		c.Score += score
		c.Points += points
		r.Score += score
		r.Points += points
	}
	if err := rows.Err(); err != nil {
		return r, fmt.Errorf("reputation of member %d: %w", member, err)
	}
	for _, c := range byCategory {
		r.Categories = append(r.Categories, *c)
	}
	sort.Slice(r.Categories, func(i, j int) bool {
		a, b := r.Categories[i], r.Categories[j]
		return a.Score > b.Score || a.Score == b.Score && a.Category < b.Category
	})
	if r.Points > 0 {
		r.Rank, err = l.rank(ctx, member, d, t)
	}
	return r, err
}

// halfLifeDecay is points·2^(−age/halfLife), computed directly so a single
// member's figure does not carry the rounding of the running weights.
func halfLifeDecay(points, age int64, halfLife float64) float64 {
	return decay{halfLife: halfLife}.value(float64(points), age)
}

// rank counts the members ahead of member by reputation, ties going to the
// lower member id, reading one row per member of the running totals.
func (l *Ledger) rank(ctx context.Context, member int64, d decay, t int64) (int, error) {
	var weight float64
	err := l.db.QueryRowContext(ctx, "SELECT weight FROM totals WHERE category = '' AND member_id = ?", member).Scan(&weight)
	if err != nil {
		return 0, fmt.Errorf("rank of member %d: %w", member, err)
	}
	var ahead int
	// Weights share one anchor, so comparing weights compares reputations.
	err = l.db.QueryRowContext(ctx, `SELECT count(*) FROM totals WHERE category = ''
		AND (weight > ? OR (weight = ? AND member_id < ?))`, weight, weight, member).Scan(&ahead)
	if err != nil {
		return 0, fmt.Errorf("rank of member %d: %w", member, err)
	}
	return ahead + 1, nil
}

// Window is the span of time a leaderboard counts.
type Window string

// The leaderboard windows.
const (
	Window7d  Window = "7d"
	Window30d Window = "30d"
	WindowAll Window = "all"
)

// ParseWindow reads "7d", "30d" or "all"; empty means all.
func ParseWindow(s string) (Window, error) {
	switch w := Window(s); w {
	case Window7d, Window30d, WindowAll:
		return w, nil
	case "":
		return WindowAll, nil
	}
	return "", fmt.Errorf("unknown window %q: use 7d, 30d or all", s)
}

// Name is the window as people say it: "last 7 days", "last 30 days",
// "all time".
func (w Window) Name() string {
	switch w {
	case Window7d:
		return "last 7 days"
	case Window30d:
		return "last 30 days"
	}
	return "all time"
}

// Duration is the window's length; 0 for all.
func (w Window) Duration() time.Duration {
	switch w {
	case Window7d:
		return 7 * 24 * time.Hour
	case Window30d:
		return 30 * 24 * time.Hour
	}
	return 0
}

// LeaderboardQuery selects a leaderboard.
type LeaderboardQuery struct {
	Window   Window    // 7d, 30d or all
	Category string    // empty = every category
	At       time.Time // end of the window; zero = now
	Limit    int       // rows; <= 0 means 10
}

// filled gives q's zero fields their meaning: the window ends now, and
// ten rows.
func (q LeaderboardQuery) filled(now func() time.Time) LeaderboardQuery {
	if q.At.IsZero() {
		q.At = now()
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	return q
}

// Standing is one row of a leaderboard.
type Standing struct {
	Rank       int     `json:"rank"`
	Member     int64   `json:"member"`
	Name       string  `json:"name"`
	Points     int64   `json:"points"`     // points earned in the window
	Reputation float64 `json:"reputation"` // decayed reputation at the window's end
}

// Leaderboard ranks members by the points they earned in the window (in the
// category, if one is given), ties going to the lower member id. Windowed
// boards add up whole days from day_points and the scores of the two
// partial days at the window's edges; the all-time board reads the
// running totals, one row per member.
func (l *Ledger) Leaderboard(ctx context.Context, q LeaderboardQuery) ([]Standing, error) {
	q = q.filled(l.now)
	t := q.At.Unix()
	standings, err := l.ranked(ctx, q, t)
	if err != nil {
		return nil, fmt.Errorf("leaderboard %s: %w", q.Window, err)
	}
	if err := l.fillStandings(ctx, standings, q.Category, t); err != nil {
		return nil, fmt.Errorf("leaderboard %s: %w", q.Window, err)
	}
	return standings, nil
}

// ranked is the leaderboard's rows before names and reputations.
func (l *Ledger) ranked(ctx context.Context, q LeaderboardQuery, t int64) ([]Standing, error) {
	if d := q.Window.Duration(); d > 0 {
		sums, err := l.windowPoints(ctx, q.Category, t-int64(d.Seconds()), t)
		if err != nil {
			return nil, err
		}
		return topStandings(sums, q.Limit), nil
	}
	return l.standings(ctx, "SELECT member_id, points FROM totals WHERE category = ? AND points > 0 ORDER BY points DESC, member_id LIMIT ?",
		q.Category, q.Limit)
}

func (l *Ledger) standings(ctx context.Context, query string, args ...any) ([]Standing, error) {
	rows, err := l.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	standings := []Standing{}
	for rows.Next() {
		s := Standing{Rank: len(standings) + 1}
		if err := rows.Scan(&s.Member, &s.Points); err != nil {
			return nil, err
		}
		standings = append(standings, s)
	}
	return standings, rows.Err()
}

// fillStandings adds names and reputations to the few rows shown.
func (l *Ledger) fillStandings(ctx context.Context, standings []Standing, category string, t int64) error {
	d, err := readDecay(ctx, l.db)
	if err != nil {
		return err
	}
	for i := range standings {
		s := &standings[i]
		var weight float64
		err := l.db.QueryRowContext(ctx, `SELECT m.name, coalesce(t.weight, 0) FROM members m
			LEFT JOIN totals t ON t.member_id = m.id AND t.category = ? WHERE m.id = ?`, category, s.Member).
			Scan(&s.Name, &weight)
		if err != nil {
			return err
		}
		s.Reputation = d.value(weight, t)
	}
	return nil
}
