package ledger

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"time"
)

// lookahead is what a group commit reads, before its writes and in the
// pipeline that takes the write lock, of the rows each write would otherwise look up alone: whether
// its delivery was recorded, whether its contributions and source_refs
// were credited before, which member holds each account it credits, and
// the day sums its credits add to. On PostgreSQL every lookup is a round
// trip made while the chain's lock is held; a batch of n webhooks made 3n
// of them, and now makes none of its own. Knowing a source_ref new also lets its
// entry wait to be inserted with the batch's others (see writer.store).
//
// The batch's own writes keep it true as they go: a delivery recorded, an
// entry appended or an account claimed by one write is what the next one
// finds. A write it knows nothing about (an account found by login, say)
// is looked up as before. A nil lookahead knows nothing.
type lookahead struct {
	recorded map[string]bool          // each delivery id of the batch: recorded or not
	credited map[string]bool          // each contribution prefix of the batch: entries stored under it before the batch or not
	stored   map[string]bool          // each source_ref the batch credits: stored before the batch or not
	refs     []string                 // the source_refs the batch has appended since
	accounts map[string]accountHolder // GitHub account id → who holds it, for the accounts found
	days     map[dayKey][]byte        // the day sums the batch's credits go to, as stored (nil: no row); kept up to date by its flushes

	deliveries [][]any // the rows of the deliveries the batch recorded, written at its end
}

// accountHolder is the member holding an account, and the login stored
// with it.
type accountHolder struct {
	member int64
	login  string
}

// lookaheadChunk bounds the values one lookup statement carries.
const lookaheadChunk = 64

// readAhead is w's lookahead for batch, and the steps that read, in one
// pipeline, what the writes of batch will look up and the day sums their
// credits will add to: the lookahead knows them once the steps have run.
func (w *writer) readAhead(batch []*pendingGitHub) (*lookahead, []step) {
	a := newLookahead()
	accounts, days := map[string]bool{}, map[dayKey]map[int64]int64{}
	for _, p := range batch {
		if d := p.write.Delivery; d != nil {
			a.recorded[d.ID] = false
		}
		for _, c := range p.write.Contributions {
			a.expect(c, w.now, accounts, days)
		}
	}
	reads, stored := dayReads(sortedDays(days))
	a.days = stored
	return a, slices.Concat(a.recordedSteps(), a.creditedSteps(), a.storedSteps(), a.holderSteps(slices.Collect(maps.Keys(accounts))), reads)
}

// readAheadOne is w's lookahead for an append of n alone, and the steps
// that read whether its source_ref is stored and the day sum it adds to.
func (w *writer) readAheadOne(n NewEntry) (*lookahead, []step) {
	a, days := newLookahead(), map[dayKey]map[int64]int64{}
	a.expectEntry(n, w.now, days)
	reads, stored := dayReads(sortedDays(days))
	a.days = stored
	return a, append(a.storedSteps(), reads...)
}

func newLookahead() *lookahead {
	return &lookahead{recorded: map[string]bool{}, credited: map[string]bool{}, stored: map[string]bool{}, accounts: map[string]accountHolder{}}
}

// expect notes what c will look up, the GitHub accounts it credits and
// the day sums its credits, recorded at now, will add to.
func (a *lookahead) expect(c Contribution, now time.Time, accounts map[string]bool, days map[dayKey]map[int64]int64) {
	if _, ok := prefixEnd(c.Prefix); ok {
		a.credited[c.Prefix] = false
	}
	for _, credit := range c.Credits {
		if credit.Member == 0 && credit.Account.ExternalID != "" {
			accounts[credit.Account.ExternalID] = true
		}
		a.expectEntry(credit.Entry, now, days)
	}
}

// expectEntry notes the source_ref of n, and the day sum it adds to if
// it counts, recorded at now.
func (a *lookahead) expectEntry(n NewEntry, now time.Time, days map[dayKey]map[int64]int64) {
	a.stored[n.SourceRef] = false
	if n.Kind.counts() {
		at := Entry{OccurredAt: n.OccurredAt.UTC().Truncate(time.Second), RecordedAt: now}.scoredAt()
		days[dayKey{day: dayOf(at), category: n.Category}] = nil
	}
}

// recordedSteps mark the batch's deliveries recorded before it.
func (a *lookahead) recordedSteps() []step {
	return markSteps("SELECT id FROM github_deliveries WHERE id IN (%s)", "?", a.recorded, one)
}

// creditedSteps mark the batch's prefixes under which entries are stored,
// each a range of the source_ref index, as in entriesWithPrefix.
func (a *lookahead) creditedSteps() []step {
	return markSteps(`WITH p (lo, hi) AS (VALUES %s)
		SELECT lo FROM p WHERE EXISTS (SELECT 1 FROM entries WHERE source_ref >= p.lo AND source_ref < p.hi)`,
		"(?, ?)", a.credited, func(prefix string) []any {
			end, _ := prefixEnd(prefix)
			return []any{prefix, end}
		})
}

// storedSteps mark the batch's source_refs stored before it.
func (a *lookahead) storedSteps() []step {
	return markSteps("SELECT source_ref FROM entries WHERE source_ref IN (%s)", "?", a.stored, one)
}

// markSteps look up the keys of m with query (see readIn), whose rows
// are one key each, and set those found true.
func markSteps(query, placeholder string, m map[string]bool, expand func(string) []any) []step {
	return readIn(query, placeholder, slices.Collect(maps.Keys(m)), expand, func(row scanner) error {
		var key string
		err := row.Scan(&key)
		m[key] = true
		return err
	})
}

// one is a value as the one argument it is.
func one(v string) []any { return []any{v} }

// holderSteps read who holds the GitHub accounts of ids.
func (a *lookahead) holderSteps(ids []string) []step {
	return readIn("SELECT external_id, member_id, login FROM accounts WHERE platform = 'github' AND external_id IN (%s)",
		"?", ids, one, func(row scanner) error {
			var id string
			var h accountHolder
			err := row.Scan(&id, &h.member, &h.login)
			a.accounts[id] = h
			return err
		})
}

// readIn is query, whose %s takes a list of placeholder, once per chunk of
// values, each value expanded to its arguments; fn hears each row. A chunk
// is padded to a power of two by repeating its last value, so that a few
// statement texts serve every batch and stay cached.
func readIn(query, placeholder string, values []string, expand func(string) []any, fn func(scanner) error) []step {
	var steps []step
	for len(values) > 0 {
		n := min(len(values), lookaheadChunk)
		padded := 1 << bits.Len(uint(n-1))
		var args []any
		for i := range padded {
			args = append(args, expand(values[min(i, n-1)])...)
		}
		text := fmt.Sprintf(query, strings.Repeat(placeholder+", ", padded-1)+placeholder)
		steps = append(steps, step{query: text, args: args, row: fn})
		values = values[n:]
	}
	return steps
}

// dayUpdate is how a flush updates the day sums of its batch: steps write
// those the lookahead read and read the others (unread), into stored,
// for a second pipeline to write.
type dayUpdate struct {
	steps  []step
	unread map[dayKey]map[int64]int64
	stored map[dayKey][]byte
}

// updateDays splits add between the day sums a read and the others.
func (a *lookahead) updateDays(add map[dayKey]map[int64]int64) (dayUpdate, error) {
	read, unread := map[dayKey]map[int64]int64{}, map[dayKey]map[int64]int64{}
	for k, v := range add {
		if _, known := a.knownDay(k); known {
			read[k] = v
		} else {
			unread[k] = v
		}
	}
	var u dayUpdate
	if len(read) > 0 {
		var err error
		if u.steps, err = dayWrites(read, a.days); err != nil {
			return u, err
		}
	}
	reads, stored := dayReads(sortedDays(unread))
	u.steps, u.unread, u.stored = append(u.steps, reads...), unread, stored
	return u, nil
}

// knownDay returns the stored row of a day sum a read (nil if there is
// none), and whether a read it.
func (a *lookahead) knownDay(k dayKey) ([]byte, bool) {
	if a == nil {
		return nil, false
	}
	s, known := a.days[k]
	return s, known
}

// delivery says whether the delivery id is recorded, if a knows.
func (a *lookahead) delivery(id string) (recorded, known bool) {
	if a == nil {
		return false, false
	}
	recorded, known = a.recorded[id]
	return recorded, known
}

// record notes a delivery the batch recorded, and keeps its row.
func (a *lookahead) record(id string, row []any) {
	a.recorded[id] = true
	a.deliveries = append(a.deliveries, row)
}

// uncredited says that no entry is stored under prefix, if a knows it:
// none was before the batch, and the batch has appended none since.
func (a *lookahead) uncredited(prefix string) bool {
	if a == nil {
		return false
	}
	if credited, known := a.credited[prefix]; !known || credited {
		return false
	}
	for _, ref := range a.refs {
		if strings.HasPrefix(ref, prefix) {
			return false
		}
	}
	return true
}

// fresh says that no entry holds ref, if a knows it: none did before the
// batch, and the batch has appended none since.
func (a *lookahead) fresh(ref string) bool {
	if a == nil {
		return false
	}
	if stored, known := a.stored[ref]; !known || stored {
		return false
	}
	return !slices.Contains(a.refs, ref)
}

// appended notes an entry the batch appended.
func (a *lookahead) appended(ref string) {
	if a != nil {
		a.refs = append(a.refs, ref)
	}
}

// holder returns the member holding GitHub account id under login (any
// login if login is empty), if a knows it.
func (a *lookahead) holder(id, login string) (member int64, known bool) {
	if a == nil || id == "" {
		return 0, false
	}
	h, known := a.accounts[id]
	if !known || (login != "" && login != h.login) {
		return 0, false
	}
	return h.member, true
}

// hold notes that member holds GitHub account id under login, as the
// batch has just stored.
func (a *lookahead) hold(id, login string, member int64) {
	if a != nil && id != "" && login != "" {
		a.accounts[id] = accountHolder{member: member, login: login}
	}
}
