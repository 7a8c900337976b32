package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
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

// memberFirst orders keys by member, then category: the order of a report
// and of the scores table's sums.
func memberFirst(a, b repKey) int {
	return cmp.Or(cmp.Compare(a.member, b.member), strings.Compare(a.category, b.category))
}

// categoryFirst orders keys by category, then member: the totals table's key.
func categoryFirst(a, b repKey) int {
	return cmp.Or(strings.Compare(a.category, b.category), cmp.Compare(a.member, b.member))
}

// chainKeys returns the chain's reputation keys in order, the members'
// totals (category "") included or not.
func (s *chainState) chainKeys(withTotals bool, order func(a, b repKey) int) []repKey {
	keys := make([]repKey, 0, len(s.rep))
	for k := range s.rep {
		if withTotals || k.category != "" {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, order)
	return keys
}

// keyMerge walks the chain's keys beside a table's rows read in the same
// order, so that a check compares them row by row instead of holding a
// copy of the table: ledgers of a million entries have tens of thousands
// of rows per derived table.
type keyMerge struct {
	keys  []repKey
	order func(a, b repKey) int
	only  func(k repKey) error // a key the chain has and the table lacks
	last  repKey               // the table's previous row, once read is true
	read  bool
}

// next passes the chain's keys before k to only, then says whether the
// chain has k itself. A table read out of order would make the merge
// report rows missing that are not: it is refused.
func (m *keyMerge) next(k repKey) (bool, error) {
	if m.read && m.order(m.last, k) >= 0 {
		return false, fmt.Errorf("rows out of key order: member %d category %q after member %d category %q",
			k.member, k.category, m.last.member, m.last.category)
	}
	m.last, m.read = k, true
	for len(m.keys) > 0 && m.order(m.keys[0], k) < 0 {
		if err := m.only(m.keys[0]); err != nil {
			return false, err
		}
		m.keys = m.keys[1:]
	}
	if len(m.keys) > 0 && m.order(m.keys[0], k) == 0 {
		m.keys = m.keys[1:]
		return true, nil
	}
	return false, nil
}

// rest passes the chain's keys after the table's last row to only.
func (m *keyMerge) rest() error {
	for _, k := range m.keys {
		if err := m.only(k); err != nil {
			return err
		}
	}
	return nil
}

// readErr names the table a read failed on, and passes a difference found
// while reading as it is.
func readErr(table string, err error) error {
	var d *DerivedError
	if err == nil || errors.As(err, &d) {
		return err
	}
	return fmt.Errorf("verify %s: %w", table, err)
}

func checkScores(ctx context.Context, q queryer, s *chainState) error {
	m := keyMerge{keys: s.chainKeys(false, memberFirst), order: memberFirst}
	m.only = func(k repKey) error { return compareScore(k, repSum{}, s.rep[k]) }
	err := eachScoreSum(ctx, q, s, func(k repKey, t repSum) error {
		found, err := m.next(k)
		if err != nil || !found {
			return cmp.Or(err, compareScore(k, t, &repSum{}))
		}
		return compareScore(k, t, s.rep[k])
	})
	if err != nil {
		return readErr("scores", err)
	}
	return m.rest()
}

// compareScore compares the scores of one member and category with the
// chain's.
func compareScore(k repKey, t repSum, c *repSum) error {
	if t.entries != c.entries || t.points != c.points {
		return derivedf("scores", "member %d category %s: table says %d entries (%d points), chain says %d (%d points)",
			k.member, k.category, t.entries, t.points, c.entries, c.points)
	}
	if t.at != c.at {
		return derivedf("scores", "member %d category %s: the table's dates differ from the chain's", k.member, k.category)
	}
	return nil
}

// eachScoreSum reads the scores table's sums by member and category, in
// that order, a range of members at a time. No index starts with both, so
// one GROUP BY over the table sorts all its rows, on disk; a range of the
// member index sorts a few thousand rows in memory. The ranges cover every
// member id, the chain's and any other.
func eachScoreSum(ctx context.Context, q queryer, s *chainState, fn func(k repKey, t repSum) error) error {
	const query = "SELECT member_id, category, count(*), sum(points), sum(occurred_at) FROM scores WHERE "
	bounds := memberBounds(s, 64)
	read := func(row scanner) error {
		var k repKey
		var t repSum
		if err := row.Scan(&k.member, &k.category, &t.entries, &t.points, &t.at); err != nil {
			return err
		}
		return fn(k, t)
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
		if err := eachRowOf(ctx, q, read, query+where+" GROUP BY member_id, category ORDER BY member_id, category", args...); err != nil {
			return err
		}
	}
	return nil
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
	m := keyMerge{keys: s.chainKeys(true, categoryFirst), order: categoryFirst}
	m.only = func(k repKey) error { return compareTotal(k, totalRow{}, s.rep[k]) }
	err := eachRowOf(ctx, q, func(row scanner) error {
		var k repKey
		var t totalRow
		if err := row.Scan(&k.member, &k.category, &t.points, &t.weight); err != nil {
			return err
		}
		found, err := m.next(k)
		if err != nil || !found {
			return cmp.Or(err, compareTotal(k, t, nil))
		}
		return compareTotal(k, t, s.rep[k])
	}, "SELECT member_id, category, points, weight FROM totals ORDER BY category, member_id")
	if err != nil {
		return readErr("totals", err)
	}
	return m.rest()
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
