package ledger

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// chainState is what the chain says the derived tables must hold,
// gathered entry by entry while the chain is verified: one pass over the
// ledger serves both checks. It holds aggregates and the few entries that
// are not credits, never the whole ledger.
type chainState struct {
	head    Head
	entries int64

	revoked  map[string]bool         // ids of entries named by a revoke entry
	decay    decay                   // the stored anchor and half-life weights are computed with
	halfLife float64                 // the configured half-life, seconds
	rep      map[repKey]*repSum      // filled from scores by finish
	scores   map[int64]*memberReps   // the same sums during the pass, by member
	days     map[dayKey]*daySum      // day_points: filled from dayIndex by finish
	dayIndex map[int64][]categoryDay // the scores of each day and category during the pass, by day

	github  map[string]int64 // GitHub user id → member first credited under it
	discord map[string]int64 // Discord user id → member a link entry attached it to
	merged  map[int64]int64  // member → member a link merged it into
	college map[int64]string // member → category of their latest college entry
	polls   []Entry          // poll, vote and tally entries, in seq order

	categories map[string]string // one copy of each category name, for the keys of rep
	unscored   bool              // leaves rep and days empty: a rebuild computes scores in SQL
}

// repKey is a totals row: category "" is the member's total.
type repKey struct {
	member   int64
	category string
}

// memberReps are one member's sums during the pass: the total first, then
// one per category in the order they came. A member works in a handful of
// categories, so finding one in them costs less than a lookup among every
// member's and category's sums, which were the pass's largest cost.
type memberReps []categoryRep

type categoryRep struct {
	category string
	sum      repSum
}

// of returns the member's sum for category, added if it is new; name makes
// the key's copy of a new category's name.
func (m *memberReps) of(category string, name func(string) string) *repSum {
	for i := range *m {
		if (*m)[i].category == category {
			return &(*m)[i].sum
		}
	}
	*m = append(*m, categoryRep{category: name(category)})
	return &(*m)[len(*m)-1].sum
}

// repSum is what the counted entries of one member and category add up to.
type repSum struct {
	entries int64
	points  int64
	at      int64   // sum of the times decay counts them from
	weight  float64 // sum of their weights under decay
	scale   float64 // sum of the weights' magnitudes: the bound on rounding
}

// newChainState starts a pass with what must be known before the first
// entry: which entries are revoked (a revoke comes after its entry) and
// the decay anchor. The revokes are read through the source_ref index.
func newChainState(ctx context.Context, q queryer, halfLife time.Duration) (*chainState, error) {
	s := emptyChainState(halfLife)
	rows, err := q.QueryContext(ctx, "SELECT substr(source_ref, 8) FROM entries WHERE source_ref >= 'revoke:' AND source_ref < 'revoke;'")
	if err != nil {
		return nil, fmt.Errorf("read revokes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read revokes: %w", err)
		}
		s.revoked[id] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read revokes: %w", err)
	}
	s.decay, err = readDecay(ctx, q)
	return s, err
}

// emptyChainState is the state before the first entry, with nothing read.
func emptyChainState(halfLife time.Duration) *chainState {
	return &chainState{
		head: Head{Hash: ZeroHash}, revoked: map[string]bool{}, halfLife: halfLife.Seconds(),
		rep: map[repKey]*repSum{}, scores: map[int64]*memberReps{},
		days: map[dayKey]*daySum{}, dayIndex: map[int64][]categoryDay{}, categories: map[string]string{},
		github: map[string]int64{}, discord: map[string]int64{}, merged: map[int64]int64{}, college: map[int64]string{},
	}
}

// add takes one verified entry into account.
func (s *chainState) add(e Entry) {
	switch e.Kind {
	case KindCredit, KindPraise:
		if !s.unscored {
			s.addScore(e)
		}
		s.addGitHubAccount(e)
	case KindLink:
		s.addLink(e)
	case KindCollege:
		s.college[e.Member] = strings.Clone(e.Category)
	case KindPoll, KindVote, KindTally:
		s.polls = append(s.polls, e)
	}
}

func (s *chainState) addScore(e Entry) {
	if s.revoked[e.ID] {
		return
	}
	at := e.scoredAt()
	w := s.decay.weight(e.Points, at)
	reps := s.scores[e.Member]
	if reps == nil {
		reps = &memberReps{{category: ""}}
		s.scores[e.Member] = reps
	}
	(*reps)[0].sum.add(e.Points, at, w)
	reps.of(e.Category, s.category).add(e.Points, at, w)
	s.addDay(e.Member, e.Category, at, e.Points)
}

func (r *repSum) add(points, at int64, w float64) {
	r.entries++
	r.points += points
	r.at += at
	r.weight += w
	r.scale += max(w, -w)
}

// finish keys the sums of the pass by member and category, and by day and
// category, as the checks and the rebuild look them up.
func (s *chainState) finish() {
	for member, reps := range s.scores {
		for i := range *reps {
			s.rep[repKey{member, (*reps)[i].category}] = &(*reps)[i].sum
		}
	}
	for day, sums := range s.dayIndex {
		for _, c := range sums {
			s.days[dayKey{day, c.category}] = c.sum
		}
	}
	s.scores, s.dayIndex = nil, nil
}

// category returns the state's copy of the name c: an entry's strings
// share its row's memory, so a key keeps a copy, and ten thousand members
// share a handful of names.
func (s *chainState) category(c string) string {
	if name, ok := s.categories[c]; ok {
		return name
	}
	name := strings.Clone(c)
	s.categories[name] = name
	return name
}

// addGitHubAccount notes the GitHub account a pull request credit names
// (github:<host>:pr:<repo>:<number>:author:<user id>): the member credited
// held it then. Keys by login or by member name no numeric id.
func (s *chainState) addGitHubAccount(e Entry) {
	if !strings.HasPrefix(e.SourceRef, "github:") {
		return
	}
	_, id, ok := strings.Cut(e.SourceRef, ":author:")
	if !ok {
		return
	}
	if _, err := strconv.ParseUint(id, 10, 63); err != nil {
		return
	}
	if _, seen := s.github[id]; !seen {
		s.github[strings.Clone(id)] = e.Member
	}
}

// addLink notes the Discord account a link entry attached
// (link:discord:<id>:github:<login>), and the member it merged, if any.
func (s *chainState) addLink(e Entry) {
	rest, ok := strings.CutPrefix(e.SourceRef, "link:discord:")
	if !ok {
		return
	}
	if id, _, ok := strings.Cut(rest, ":github:"); ok && id != "" {
		s.discord[strings.Clone(id)] = e.Member
	}
	if m := mergeNote.FindAllStringSubmatch(e.Note, -1); len(m) > 0 {
		last := m[len(m)-1]
		from, _ := strconv.ParseInt(last[1], 10, 64)
		to, _ := strconv.ParseInt(last[2], 10, 64)
		if to == e.Member {
			s.merged[from] = to
		}
	}
}

// member is who m is now: the member it was merged into, if it was.
func (s *chainState) member(m int64) int64 {
	for range len(s.merged) + 1 { // merges never loop; the bound guards a forged chain
		to, ok := s.merged[m]
		if !ok {
			return m
		}
		m = to
	}
	return m
}
