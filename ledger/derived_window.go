package ledger

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// daySeconds is the length of a day_points day: UTC days, so that the
// table does not depend on the cooperative's time zone.
const daySeconds = 86400

// dayOf is the day of unix time t, rounded down before 1970 too.
func dayOf(t int64) int64 {
	d := t / daySeconds
	if t%daySeconds < 0 {
		d--
	}
	return d
}

// memberPoints is one pair of a day_points row.
type memberPoints struct{ member, points int64 }

// parseDayPoints calls fn with each "member:points" pair of a day_points
// row. It reads the bytes directly: a 30-day leaderboard reads 40,000
// pairs, and strconv would want a string of each.
func parseDayPoints(s []byte, fn func(member, points int64)) error {
	for len(s) > 0 {
		member, rest, ok := cutInt(s, ':')
		if !ok || len(rest) == 0 {
			return fmt.Errorf("bad member in %q", s)
		}
		points, rest, ok := cutInt(rest, ',')
		if !ok {
			return fmt.Errorf("bad points in %q", s)
		}
		fn(member, points)
		s = rest
	}
	return nil
}

// cutInt reads the non-negative decimal number that starts s, up to sep
// or the end, and returns what follows sep.
func cutInt(s []byte, sep byte) (n int64, rest []byte, ok bool) {
	i := 0
	for ; i < len(s) && s[i] != sep; i++ {
		c := s[i]
		if c < '0' || c > '9' || n > (math.MaxInt64-int64(c-'0'))/10 {
			return 0, nil, false
		}
		n = n*10 + int64(c-'0')
	}
	if i == 0 {
		return 0, nil, false
	}
	return n, s[min(i+1, len(s)):], true
}

// formatDayPoints writes pairs, sorted by member, leaving out sums of
// zero: a row says who earned something that day.
func formatDayPoints(pairs []memberPoints) string {
	var b []byte
	for _, p := range pairs {
		if p.points <= 0 {
			continue
		}
		if len(b) > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, p.member, 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, p.points, 10)
	}
	return string(b)
}

// addDayPoints adds points (negative to take a revoked score back) to
// member's sum in category on the day of at, in the append's transaction.
func (w *writer) addDayPoints(ctx context.Context, member int64, category string, at, points int64) error {
	return w.addDays(ctx, map[dayKey]map[int64]int64{{day: dayOf(at), category: category}: {member: points}})
}

// addDays adds each member's points to the day_points rows of add: their
// reads in one pipeline, then their writes in another.
func (w *writer) addDays(ctx context.Context, add map[dayKey]map[int64]int64) error {
	reads, stored := dayReads(sortedDays(add))
	if err := w.engine.pipeline(ctx, w, reads); err != nil {
		return fmt.Errorf("read day_points: %w", err)
	}
	return w.writeDays(ctx, add, stored)
}

// dayReads are the statements that read the day_points rows of keys into
// stored, which holds nil for a row that does not exist.
func dayReads(keys []dayKey) ([]step, map[dayKey][]byte) {
	stored := map[dayKey][]byte{}
	var steps []step
	for _, k := range keys {
		stored[k] = nil
		steps = append(steps, step{query: "SELECT points FROM day_points WHERE day = ? AND category = ?",
			args: []any{k.day, k.category}, row: func(row scanner) error {
				var s []byte
				err := row.Scan(&s)
				stored[k] = s
				return err
			}})
	}
	return steps, stored
}

// writeDays writes the rows of add as dayWrites does, in one pipeline.
func (w *writer) writeDays(ctx context.Context, add map[dayKey]map[int64]int64, stored map[dayKey][]byte) error {
	steps, err := dayWrites(add, stored)
	if err == nil {
		err = w.engine.pipeline(ctx, w, steps)
	}
	if err != nil {
		return fmt.Errorf("write day_points: %w", err)
	}
	return nil
}

// dayWrites are the statements that write the rows of add, each its
// stored pairs (as dayReads read them) plus what add gives its members;
// stored then holds the rows as written.
func dayWrites(add map[dayKey]map[int64]int64, stored map[dayKey][]byte) ([]step, error) {
	var steps []step
	for _, k := range sortedDays(add) {
		pairs, err := dayPairs(k, stored[k])
		if err != nil {
			return nil, err
		}
		s := formatDayPoints(mergeDay(pairs, add[k]))
		stored[k] = nil
		if s != "" {
			stored[k] = []byte(s)
		}
		steps = append(steps, dayWrite(k, s))
	}
	return steps, nil
}

// mergeDay adds each member's points of add to pairs, sorted by member.
func mergeDay(pairs []memberPoints, add map[int64]int64) []memberPoints {
	for member, points := range add {
		i, found := slices.BinarySearchFunc(pairs, member, func(p memberPoints, m int64) int { return cmp.Compare(p.member, m) })
		if found {
			pairs[i].points += points
		} else {
			pairs = slices.Insert(pairs, i, memberPoints{member, points})
		}
	}
	return pairs
}

// dayWrite is the statement that stores s, a row's formatted pairs, as
// the row of k, or removes the row when no one earned anything in it.
func dayWrite(k dayKey, s string) step {
	if s != "" {
		return step{query: `INSERT INTO day_points (day, category, points) VALUES (?, ?, ?)
			ON CONFLICT (day, category) DO UPDATE SET points = excluded.points`, args: []any{k.day, k.category, s}}
	}
	return step{query: "DELETE FROM day_points WHERE day = ? AND category = ?", args: []any{k.day, k.category}}
}

// dayPairs reads a stored row's pairs, sorted by member (the migration's
// rows may not be).
func dayPairs(k dayKey, s []byte) ([]memberPoints, error) {
	var pairs []memberPoints
	err := parseDayPoints(s, func(m, p int64) { pairs = append(pairs, memberPoints{m, p}) })
	if err != nil {
		return nil, fmt.Errorf("day_points %s category %q: %w", dayName(k.day), k.category, err)
	}
	slices.SortFunc(pairs, func(a, b memberPoints) int { return cmp.Compare(a.member, b.member) })
	return pairs, nil
}

// sortedDays orders the keys of days by day, then category.
func sortedDays(days map[dayKey]map[int64]int64) []dayKey {
	return slices.SortedFunc(maps.Keys(days), func(a, b dayKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), strings.Compare(a.category, b.category))
	})
}

// dayName shows a day as its date.
func dayName(day int64) string {
	return time.Unix(day*daySeconds, 0).UTC().Format(time.DateOnly)
}

// windowPoints sums each member's scores in (lo, hi], in category or in
// every category when it is empty: the whole days from day_points, the
// two partial days at the edges from scores. One read transaction keeps
// both parts to the same snapshot.
func (l *Ledger) windowPoints(ctx context.Context, category string, lo, hi int64) (*memberSums, error) {
	tx, err := l.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	sums := &memberSums{}
	first, last := dayOf(lo)+1, dayOf(hi)-1 // the days wholly inside (lo, hi]
	if first > last {
		return sums, addScores(ctx, tx, sums, category, lo, hi)
	}
	if err := addDays(ctx, tx, sums, category, first, last); err != nil {
		return nil, err
	}
	if err := addScores(ctx, tx, sums, category, lo, first*daySeconds-1); err != nil {
		return nil, err
	}
	return sums, addScores(ctx, tx, sums, category, (last+1)*daySeconds-1, hi)
}

// addDays adds the day_points rows of days first to last.
func addDays(ctx context.Context, q queryer, sums *memberSums, category string, first, last int64) error {
	rows, err := queryCategory(ctx, q, "SELECT points FROM day_points WHERE day >= ? AND day <= ?", category, first, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	var s sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if err := parseDayPoints(s, sums.add); err != nil {
			return fmt.Errorf("day_points: %w", err)
		}
	}
	return rows.Err()
}

// queryCategory runs query, narrowed to category unless it is empty (all
// categories).
func queryCategory(ctx context.Context, q queryer, query, category string, args ...any) (*sql.Rows, error) {
	if category != "" {
		query, args = query+" AND category = ?", append(args, category)
	}
	return q.QueryContext(ctx, query, args...)
}

// addScores adds the scores dated in (lo, hi].
func addScores(ctx context.Context, q queryer, sums *memberSums, category string, lo, hi int64) error {
	rows, err := queryCategory(ctx, q, "SELECT member_id, points FROM scores WHERE occurred_at > ? AND occurred_at <= ?", category, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var member, points int64
		if err := rows.Scan(&member, &points); err != nil {
			return err
		}
		sums.add(member, points)
	}
	return rows.Err()
}

// denseMembers bounds the ids memberSums keeps in a slice: SQLite gives
// members the ids 1, 2, 3…, so a slice indexed by id is the cheapest sum
// (a map costs most of a 30-day board); an id beyond goes to a map, so
// no id can make a board allocate more than this many sums.
const denseMembers = 1 << 18

// memberSums adds up points per member.
type memberSums struct {
	dense  []int64
	sparse map[int64]int64
}

func (s *memberSums) add(member, points int64) {
	switch {
	case uint64(member) < uint64(len(s.dense)):
		s.dense[member] += points
	case member >= 0 && member < denseMembers:
		s.dense = append(s.dense, make([]int64, max(int(member)+1, 2*len(s.dense), 1024)-len(s.dense))...)
		s.dense[member] += points
	default:
		if s.sparse == nil {
			s.sparse = map[int64]int64{}
		}
		s.sparse[member] += points
	}
}

// each calls fn with every member's sum, some zero.
func (s *memberSums) each(fn func(member, points int64)) {
	for m, p := range s.dense {
		fn(int64(m), p)
	}
	for m, p := range s.sparse {
		fn(m, p)
	}
}

// topStandings ranks the limit members with the most points above zero,
// ties going to the lower member id, without sorting every member: the
// board shows a few rows of thousands.
func topStandings(sums *memberSums, limit int) []Standing {
	top := make([]Standing, 0, min(limit, 64)+1)
	order := func(a, b Standing) int {
		return cmp.Or(cmp.Compare(b.Points, a.Points), cmp.Compare(a.Member, b.Member))
	}
	sums.each(func(m, p int64) {
		s := Standing{Member: m, Points: p}
		if p <= 0 || len(top) == limit && order(s, top[limit-1]) >= 0 {
			return
		}
		i, _ := slices.BinarySearchFunc(top, s, order)
		top = slices.Insert(top, i, s)
		top = top[:min(len(top), limit)]
	})
	for i := range top {
		top[i].Rank = i + 1
	}
	return top
}

// dayKey is a day_points row.
type dayKey struct {
	day      int64
	category string
}

// daySum is what one day_points row must add up to: the points, and a
// fingerprint of how they share out among members (the sum of points
// times a hash of the member), so that the chain pass keeps one small
// figure per day and category instead of every member's sum.
type daySum struct {
	points int64
	print  uint64
}

func (d *daySum) add(member, points int64) {
	d.points += points
	d.print += uint64(points) * memberPrint(member)
}

// memberPrint spreads member ids over 64 bits (splitmix64's finaliser),
// so that moving points between members changes the fingerprint.
func memberPrint(m int64) uint64 {
	z := uint64(m) + 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// addDay takes a counted score into the chain's day sums. A day's sums
// are found by the day, then among its few categories: a map keyed by an
// integer is cheaper to look up than one keyed by a string.
func (s *chainState) addDay(member int64, category string, at, points int64) {
	day := dayOf(at)
	sums := s.dayIndex[day]
	for _, c := range sums {
		if c.category == category {
			c.sum.add(member, points)
			return
		}
	}
	sum := &daySum{}
	s.dayIndex[day] = append(sums, categoryDay{s.category(category), sum})
	sum.add(member, points)
}

// categoryDay is one day_points row of the day that indexes it.
type categoryDay struct {
	category string
	sum      *daySum
}

// checkDayPoints compares every day_points row with the chain's sums of
// its day and category, and names the first that differs.
func checkDayPoints(ctx context.Context, q queryer, s *chainState) error {
	table, err := readDaySums(ctx, q)
	if err != nil {
		return err
	}
	keys := make([]dayKey, 0, len(s.days)+len(table))
	for k := range s.days {
		keys = append(keys, k)
	}
	for k := range table {
		if s.days[k] == nil {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b dayKey) int { return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.category, b.category)) })
	for _, k := range keys {
		if err := compareDay(k, table[k], s.days[k]); err != nil {
			return err
		}
	}
	return nil
}

func compareDay(k dayKey, t, c *daySum) error {
	t, c = cmp.Or(t, &daySum{}), cmp.Or(c, &daySum{})
	if t.points != c.points {
		return derivedf("day_points", "%s category %s: table says %d points, chain says %d",
			dayName(k.day), k.category, t.points, c.points)
	}
	if t.print != c.print {
		return derivedf("day_points", "%s category %s: the table gives the points to other members than the chain",
			dayName(k.day), k.category)
	}
	return nil
}

// readDaySums sums every day_points row as addDay sums the chain.
func readDaySums(ctx context.Context, q queryer) (map[dayKey]*daySum, error) {
	table := map[dayKey]*daySum{}
	var s sql.RawBytes
	err := eachRowOf(ctx, q, func(row scanner) error {
		var k dayKey
		if err := row.Scan(&k.day, &k.category, &s); err != nil {
			return err
		}
		sum := &daySum{}
		table[k] = sum
		if err := parseDayPoints(s, sum.add); err != nil {
			return derivedf("day_points", "%s category %s: unreadable points: %v", dayName(k.day), k.category, err)
		}
		return nil
	}, "SELECT day, category, points FROM day_points")
	if err != nil && !errors.As(err, new(*DerivedError)) {
		return nil, fmt.Errorf("verify day_points: %w", err)
	}
	return table, err
}

// rebuildDayPointsQuery is the migration's backfill: day_points from
// scores, which the rebuild has just recomputed from the chain. (string_agg
// with its ORDER BY, which SQLite reads too since 3.44, and an aliased
// subquery, which PostgreSQL requires.)
const rebuildDayPointsQuery = `INSERT INTO day_points (day, category, points)
	SELECT day, category, string_agg(member_id || ':' || points, ',' ORDER BY member_id) FROM (
		SELECT (occurred_at - ((occurred_at % 86400) + 86400) % 86400) / 86400 AS day,
			category, member_id, sum(points) AS points
		FROM scores GROUP BY 1, 2, 3 HAVING sum(points) > 0
	) AS member_days GROUP BY day, category`

// rebuildDayPoints recomputes day_points; it runs after the scores'
// rebuild in the same transaction.
func rebuildDayPoints(ctx context.Context, w *writer, _ *chainState) error {
	if _, err := w.tx.ExecContext(ctx, "DELETE FROM day_points"); err != nil {
		return err
	}
	_, err := w.tx.ExecContext(ctx, rebuildDayPointsQuery)
	return err
}
