package ledger

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
)

// checkReputation compares scores, totals and the decay meta with the
// counted entries: per member and category, the number of scores, their
// points and dates; the totals' points exactly and their weights to within
// rounding, since weights are floats summed in another order.
func (l *Ledger) checkReputation(ctx context.Context, q queryer, s *chainState) error {
	if s.decay.halfLife != s.halfLife {
		return derivedf("meta", "decay half-life: table says %gs, configuration says %gs", s.decay.halfLife, s.halfLife)
	}
	if err := checkScores(ctx, q, s); err != nil {
		return err
	}
	return checkTotals(ctx, q, s)
}

// categoryName names a totals category in a report.
func categoryName(c string) string {
	if c == "" {
		return "all"
	}
	return c
}

// sortedKeys orders a report by member, then category.
func sortedKeys[V any](m map[repKey]V) []repKey {
	keys := make([]repKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b repKey) int {
		return cmp.Or(cmp.Compare(a.member, b.member), cmp.Compare(a.category, b.category))
	})
	return keys
}

func checkScores(ctx context.Context, q queryer, s *chainState) error {
	table, err := scoreSums(ctx, q, s)
	if err != nil {
		return fmt.Errorf("verify scores: %w", err)
	}
	chain := map[repKey]*repSum{}
	for k, v := range s.rep {
		if k.category != "" {
			chain[k] = v
		}
	}
	for k := range table {
		if chain[k] == nil {
			chain[k] = &repSum{}
		}
	}
	for _, k := range sortedKeys(chain) {
		t, c := table[k], chain[k]
		if t == nil {
			t = &repSum{}
		}
		if t.entries != c.entries || t.points != c.points {
			return derivedf("scores", "member %d category %s: table says %d entries (%d points), chain says %d (%d points)",
				k.member, k.category, t.entries, t.points, c.entries, c.points)
		}
		if t.at != c.at {
			return derivedf("scores", "member %d category %s: the table's dates differ from the chain's", k.member, k.category)
		}
	}
	return nil
}

// scoreSums reads the scores table's sums by member and category, a range
// of members at a time. No index starts with both, so one GROUP BY over
// the table sorts all its rows, on disk; a range of the member index
// sorts a few thousand rows in memory. The ranges cover every member id,
// the chain's and any other.
func scoreSums(ctx context.Context, q queryer, s *chainState) (map[repKey]*repSum, error) {
	const query = "SELECT member_id, category, count(*), sum(points), sum(occurred_at) FROM scores WHERE "
	bounds := memberBounds(s, 64)
	table := map[repKey]*repSum{}
	read := func(row scanner) error {
		var k repKey
		sum := &repSum{}
		err := row.Scan(&k.member, &k.category, &sum.entries, &sum.points, &sum.at)
		table[k] = sum
		return err
	}
	for i := 0; i <= len(bounds); i++ {
		where, args := "member_id > ? AND member_id <= ?", []any{}
		switch {
		case len(bounds) == 0:
			where = "1 = 1"
		case i == 0:
			where, args = "member_id <= ?", []any{bounds[0]}
		case i == len(bounds):
			where, args = "member_id > ?", []any{bounds[i-1]}
		default:
			args = []any{bounds[i-1], bounds[i]}
		}
		if err := eachRowOf(ctx, q, read, query+where+" GROUP BY member_id, category", args...); err != nil {
			return nil, err
		}
	}
	return table, nil
}

// memberBounds splits the chain's members, in id order, into ranges of n:
// the last member of each range but the last.
func memberBounds(s *chainState, n int) []int64 {
	var members []int64
	for k := range s.rep {
		if k.category == "" {
			members = append(members, k.member)
		}
	}
	slices.Sort(members)
	var bounds []int64
	for i := n - 1; i < len(members)-1; i += n {
		bounds = append(bounds, members[i])
	}
	return bounds
}

// totalRow is a totals row as stored.
type totalRow struct {
	points int64
	weight float64
}

func checkTotals(ctx context.Context, q queryer, s *chainState) error {
	table := map[repKey]totalRow{}
	err := eachRowOf(ctx, q, func(row scanner) error {
		var k repKey
		var t totalRow
		err := row.Scan(&k.member, &k.category, &t.points, &t.weight)
		table[k] = t
		return err
	}, "SELECT member_id, category, points, weight FROM totals")
	if err != nil {
		return fmt.Errorf("verify totals: %w", err)
	}
	keys := sortedKeys(s.rep)
	for _, k := range sortedKeys(table) {
		if s.rep[k] == nil {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if err := compareTotal(k, table[k], s.rep[k]); err != nil {
			return err
		}
	}
	return nil
}

// compareTotal compares one totals row with the chain's sum. A row whose
// entries were all revoked stays, at zero, as the ledger keeps it.
func compareTotal(k repKey, t totalRow, c *repSum) error {
	if c == nil {
		c = &repSum{}
	}
	if t.points != c.points {
		return derivedf("totals", "member %d category %s: table says %d points, chain says %d",
			k.member, categoryName(k.category), t.points, c.points)
	}
	// Sums of the same terms in another order, with revokes subtracted,
	// differ by far less than a millionth of the terms' magnitude.
	if math.IsNaN(t.weight) || math.Abs(t.weight-c.weight) > 1e-6*c.scale+1e-9 {
		return derivedf("totals", "member %d category %s: table says weight %g, chain says %g",
			k.member, categoryName(k.category), t.weight, c.weight)
	}
	return nil
}

// rebuildReputation recomputes scores, totals and the decay meta.
func (l *Ledger) rebuildReputation(ctx context.Context, w *writer, _ *chainState) error {
	return w.rebuild(ctx, l.halfLife.Seconds())
}
