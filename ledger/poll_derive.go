package ledger

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// pollTerms is the part of a poll entry's data the derived tables keep.
type pollTerms struct {
	Mode       PollMode        `json:"mode"`
	Options    []string        `json:"options"`
	ClosesAt   string          `json:"closes_at"`
	Electorate json.RawMessage `json:"electorate"`
}

// derivePoll applies a poll, vote or tally entry to the poll tables. The
// bot writes these entries with well-formed data; an entry appended by
// other means whose data does not name a poll (or a known mode) is not a
// poll to the tables, and rebuilding from the chain agrees.
func (w *writer) derivePoll(ctx context.Context, e Entry) error {
	if e.Kind == KindPoll {
		return w.addPoll(ctx, e)
	}
	var ref struct{ Poll, Option string }
	poll, ok := int64(0), json.Unmarshal(e.Data, &ref) == nil
	if ok {
		poll, ok = ParsePollID(ref.Poll)
	}
	switch {
	case !ok:
		return nil
	case e.Kind == KindVote:
		return w.exec(ctx, `INSERT INTO poll_votes (poll, member_id, option, seq) VALUES (?, ?, ?, ?)
			ON CONFLICT (poll, member_id) DO UPDATE SET option = excluded.option, seq = excluded.seq`,
			poll, e.Member, ref.Option, e.Seq)
	default:
		return w.exec(ctx, "UPDATE polls SET tally_seq = ? WHERE seq = ?", e.Seq, poll)
	}
}

func (w *writer) addPoll(ctx context.Context, e Entry) error {
	var t pollTerms
	if json.Unmarshal(e.Data, &t) != nil || !t.Mode.valid() {
		return nil
	}
	electors, err := parseElectorate(t.Mode, t.Electorate)
	if err != nil {
		return fmt.Errorf("poll %s: electorate: %w", e.ID, err)
	}
	var closes int64
	if t.ClosesAt != "" {
		at, err := time.Parse(time.RFC3339, t.ClosesAt)
		if err != nil {
			return fmt.Errorf("poll %s: closes_at: %w", e.ID, err)
		}
		closes = at.Unix()
	}
	options, _ := json.Marshal(t.Options)
	err = w.exec(ctx, "INSERT INTO polls (seq, mode, options, opened_at, closes_at) VALUES (?, ?, ?, ?, ?)",
		e.Seq, t.Mode, string(options), e.RecordedAt.Unix(), closes)
	for _, el := range electors {
		if err != nil {
			break
		}
		err = w.exec(ctx, "INSERT INTO poll_electors (poll, member_id, college, weight) VALUES (?, ?, ?, ?)",
			e.Seq, el.Member, el.College, el.Weight)
	}
	return err
}

// parseElectorate reads a poll's electorate in the form of its mode.
func parseElectorate(mode PollMode, raw json.RawMessage) ([]Elector, error) {
	var electors []Elector
	var err error
	switch mode {
	case PollByMember:
		var ids []int64
		err = json.Unmarshal(raw, &ids)
		for _, id := range ids {
			electors = append(electors, Elector{Member: id, Weight: 1})
		}
	case PollByCollege:
		var colleges map[string][]int64
		err = json.Unmarshal(raw, &colleges)
		for c, ids := range colleges {
			for _, id := range ids {
				electors = append(electors, Elector{Member: id, College: c, Weight: 1})
			}
		}
	case PollByReputation:
		var pairs [][2]int64
		err = json.Unmarshal(raw, &pairs)
		for _, p := range pairs {
			electors = append(electors, Elector{Member: p[0], Weight: p[1]})
		}
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return nil, err
	}
	slices.SortFunc(electors, func(a, b Elector) int { return cmp.Compare(a.Member, b.Member) })
	for i := 1; i < len(electors); i++ {
		if electors[i].Member == electors[i-1].Member {
			return nil, fmt.Errorf("member %d is listed twice", electors[i].Member)
		}
	}
	return electors, nil
}

// RebuildPolls recomputes the poll tables from the chain, in one
// transaction.
func (l *Ledger) RebuildPolls(ctx context.Context) error {
	return l.write(ctx, func(w *writer) error { return w.rebuildPolls(ctx, nil, 0) })
}

// rebuildPolls recomputes the poll tables from known, the poll, vote and
// tally entries up to seq after, and those the chain holds past it: a
// pass over the chain hands over what it gathered, so the whole ledger is
// not read twice.
func (w *writer) rebuildPolls(ctx context.Context, known []Entry, after int64) error {
	for _, table := range []string{"poll_votes", "poll_electors", "polls"} {
		if _, err := w.tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
			return fmt.Errorf("rebuild polls: %w", err)
		}
	}
	entries := slices.Clip(known)
	err := queryEntries(ctx, w.tx, func(e Entry) error {
		entries = append(entries, e)
		return nil
	}, "seq > ? AND kind IN ('poll', 'vote', 'tally') ORDER BY seq", after)
	if err != nil {
		return fmt.Errorf("rebuild polls: %w", err)
	}
	for _, e := range entries {
		if err := w.derivePoll(ctx, e); err != nil {
			return fmt.Errorf("rebuild polls: %w", err)
		}
	}
	return nil
}

// CheckPolls compares the poll tables with the chain and names the first
// difference; nil when they agree. It rebuilds the tables inside a
// transaction that it rolls back, so the comparison uses the very code
// that keeps them, and nothing is changed.
func (l *Ledger) CheckPolls(ctx context.Context) error {
	return l.checkPolls(ctx, nil, 0)
}

// checkPolls is CheckPolls with the poll entries up to seq after known
// already (see rebuildPolls).
func (l *Ledger) checkPolls(ctx context.Context, known []Entry, after int64) error {
	var before, now map[string]string
	err := l.write(ctx, func(w *writer) error {
		var err error
		if before, err = pollRows(ctx, w); err != nil {
			return err
		}
		if err := w.rebuildPolls(ctx, known, after); err != nil {
			return err
		}
		if now, err = pollRows(ctx, w); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		return err
	}
	return firstDifference(before, now)
}

// errRollback makes a write roll back once it has read what it needed.
var errRollback = errors.New("rolled back")

// pollTables are the derived rows as (row name, contents) pairs, in SQL
// that both engines read alike: a college is quoted by hand, as SQLite's
// quote() would, since PostgreSQL has no quote().
var pollTables = []string{
	"SELECT 'polls: poll e' || seq, mode || ' ' || options || ' opened ' || opened_at || ' closes ' || closes_at || ' tally ' || coalesce(CAST(tally_seq AS TEXT), 'none') FROM polls",
	"SELECT 'poll_electors: poll e' || poll || ': member ' || member_id, 'college ''' || replace(college, '''', '''''') || ''' weight ' || weight FROM poll_electors",
	"SELECT 'poll_votes: poll e' || poll || ': member ' || member_id, option || ' at seq ' || seq FROM poll_votes",
}

func pollRows(ctx context.Context, w *writer) (map[string]string, error) {
	rows := map[string]string{}
	for _, q := range pollTables {
		err := eachRowOf(ctx, w.tx, func(row scanner) error {
			var name, contents string
			err := row.Scan(&name, &contents)
			rows[name] = contents
			return err
		}, q)
		if err != nil {
			return nil, fmt.Errorf("check polls: %w", err)
		}
	}
	return rows, nil
}

// firstDifference names the first row, in name order, that the tables and
// the chain disagree on.
func firstDifference(got, want map[string]string) error {
	names := slices.Sorted(maps.Keys(got))
	for name := range want {
		if _, ok := got[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	show := func(rows map[string]string, name string) string {
		if v, ok := rows[name]; ok {
			return strconv.Quote(v)
		}
		return "no row"
	}
	for _, name := range names {
		g, inTables := got[name]
		c, inChain := want[name]
		if g != c || inTables != inChain {
			table, row, _ := strings.Cut(name, ": ")
			return derivedf(table, "%s: the table holds %s where the chain gives %s: run docracy rebuild",
				row, show(got, name), show(want, name))
		}
	}
	return nil
}
