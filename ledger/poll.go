package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PollMode is how a poll weighs its voters: one member one vote, by
// college (SCIC), or by reputation at the poll's opening.
type PollMode string

// The poll modes.
const (
	PollByMember     PollMode = "member"     // one member, one vote
	PollByCollege    PollMode = "college"    // one vote inside a college, colleges weighted
	PollByReputation PollMode = "reputation" // each vote weighs the voter's reputation at opening
)

func (m PollMode) valid() bool {
	return m == PollByMember || m == PollByCollege || m == PollByReputation
}

// Errors of the poll appends, for errors.Is.
var (
	ErrPollClosed      = errors.New("the poll is closed")
	ErrNotElector      = errors.New("not in the poll's electorate")
	ErrUnknownOption   = errors.New("not one of the poll's options")
	ErrEmptyElectorate = errors.New("nobody is in the electorate")
)

// PollInfo is a poll's row of the derived polls table.
type PollInfo struct {
	Seq      int64
	Mode     PollMode
	Options  []string
	OpenedAt time.Time
	ClosesAt time.Time // zero: closed by hand only
	TallySeq int64     // 0 while open
}

// ID is the poll's id, that of its poll entry.
func (p PollInfo) ID() string { return EntryID(p.Seq) }

// Elector is a member of a poll's electorate, as fixed at opening.
type Elector struct {
	Member  int64
	College string // college mode: the college they vote in
	Weight  int64  // reputation mode: reputation at opening in hundredths; else 1
}

// LiveVote is an elector's latest vote.
type LiveVote struct {
	Member  int64
	Name    string
	College string // college mode: the college they vote in, that of the opening
	Option  string
	Seq     int64
}

// VoteGroup counts the electors of one college (or all, outside college
// mode) who gave one option ("" for no vote), and their summed weight:
// everything a count needs, whatever the size of the electorate.
type VoteGroup struct {
	College string
	Option  string
	Members int64
	Weight  int64
}

// PollState is a poll as a count or a display needs it: the poll entry
// (its terms in data), the electorate grouped by college and live option,
// and, when asked for, each live vote in member order.
type PollState struct {
	Info   PollInfo
	Poll   Entry
	Groups []VoteGroup
	Votes  []LiveVote // nil unless asked for
	Tally  *Entry     // nil while open
}

// OpenPoll appends a poll entry whose data holds the poll's terms (n.Data,
// without "electorate"); the ledger adds the electorate, fixed in the same
// transaction so that no college entry or credit slips in between:
// member mode: every member (those holding a "[bot]" GitHub login left
// out), as a sorted array of ids; college mode: an object college → sorted
// ids of the members in it (the members table follows the college
// entries, so this is CollegesAt of the poll's seq); reputation mode:
// sorted [id, weight] pairs, weight = reputation at opening in hundredths
// of a point, floored, members at 0 left out.
func (l *Ledger) OpenPoll(ctx context.Context, n NewEntry, mode PollMode) (e Entry, created bool, err error) {
	err = l.write(ctx, func(w *writer) error {
		if existing, err := w.entryByRef(ctx, n.SourceRef); err == nil {
			e = existing
			return nil
		}
		electorate, err := l.electorate(ctx, mode, w.now)
		if err != nil {
			return err
		}
		if n.Data, err = withKey(n.Data, "electorate", electorate); err != nil {
			return err
		}
		n.Kind, n.Member = KindPoll, 0
		e, created, err = w.append(ctx, n)
		return err
	})
	return e, created, err
}

// withKey adds key: v to a data object.
func withKey(data json.RawMessage, key string, v any) (json.RawMessage, error) {
	obj := map[string]any{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if len(data) > 0 {
		if err := dec.Decode(&obj); err != nil {
			return nil, fmt.Errorf("poll data: %w", err)
		}
	}
	obj[key] = v
	return NewData(obj)
}

// electorate reads who may vote, as OpenPoll documents. The caller holds
// the write lock, so the committed state read here is the state at the
// poll's seq.
func (l *Ledger) electorate(ctx context.Context, mode PollMode, now time.Time) (any, error) {
	switch mode {
	case PollByMember:
		return l.memberElectorate(ctx)
	case PollByCollege:
		return l.collegeElectorate(ctx)
	case PollByReputation:
		return l.reputationElectorate(ctx, now)
	}
	return nil, fmt.Errorf("poll mode %q: use member, college or reputation", mode)
}

const notABot = `NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id AND a.login LIKE '%[bot]')`

func (l *Ledger) memberElectorate(ctx context.Context) ([]int64, error) {
	ids := []int64{}
	err := l.eachRow(ctx, func(row scanner) error {
		var id int64
		err := row.Scan(&id)
		ids = append(ids, id)
		return err
	}, "SELECT id FROM members m WHERE "+notABot+" ORDER BY id")
	if err == nil && len(ids) == 0 {
		err = ErrEmptyElectorate
	}
	return ids, err
}

func (l *Ledger) collegeElectorate(ctx context.Context) (map[string][]int64, error) {
	colleges := map[string][]int64{}
	err := l.eachRow(ctx, func(row scanner) error {
		var id int64
		var college string
		err := row.Scan(&id, &college)
		colleges[college] = append(colleges[college], id)
		return err
	}, "SELECT id, college FROM members m WHERE college != '' AND "+notABot+" ORDER BY id")
	if err == nil && len(colleges) == 0 {
		err = fmt.Errorf("%w: no member has a college", ErrEmptyElectorate)
	}
	return colleges, err
}

func (l *Ledger) reputationElectorate(ctx context.Context, now time.Time) ([][2]int64, error) {
	reps, err := l.ReputationsAt(ctx, now)
	if err != nil {
		return nil, err
	}
	pairs := [][2]int64{}
	for m, r := range reps {
		// Hundredths, floored: the stored integer is the weight from then on.
		if w := math.Floor(r * 100); w >= 1 && w < maxSafeInteger {
			pairs = append(pairs, [2]int64{m, int64(w)})
		}
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("%w: nobody has reputation", ErrEmptyElectorate)
	}
	slices.SortFunc(pairs, func(a, b [2]int64) int { return int(a[0] - b[0]) })
	return pairs, nil
}

// VoteRequest is a member's choice in a poll.
type VoteRequest struct {
	Poll      int64 // the poll entry's seq
	Member    int64
	Option    string
	Source    Source
	SourceRef string // idempotency key; empty: one that lets a retry through once
	Actor     string
}

// AppendVote appends a vote entry after checking, in the same transaction,
// that the poll is open, the option is one of its options and the member is
// in its electorate: a vote can never land after the tally. A vote for
// the option the member's live vote already holds adds nothing and returns
// that vote. Without a SourceRef the key is
// vote:<poll>:<member>:after:<seq of their live vote or 0>:<option>, so a
// retry of the same request adds nothing while a later change of mind
// goes through.
func (l *Ledger) AppendVote(ctx context.Context, v VoteRequest) (e Entry, created bool, err error) {
	err = l.write(ctx, func(w *writer) error {
		if existing, err := w.entryByRef(ctx, v.SourceRef); err == nil {
			e = existing
			return nil
		}
		live, option, err := w.checkVote(ctx, v)
		if err != nil {
			return err
		}
		if live != 0 && option == v.Option { // the vote stands already: a retry, or a second click
			e, err = entryWhere(ctx, w.tx, "seq = ?", live)
			return err
		}
		if v.SourceRef == "" {
			v.SourceRef = fmt.Sprintf("vote:%s:%d:after:%d:%s", EntryID(v.Poll), v.Member, live, v.Option)
		}
		data, err := NewData(map[string]string{"poll": EntryID(v.Poll), "option": v.Option})
		if err != nil {
			return err
		}
		e, created, err = w.append(ctx, NewEntry{Kind: KindVote, Member: v.Member, OccurredAt: w.now,
			Source: v.Source, SourceRef: v.SourceRef, Actor: v.Actor, Data: data})
		return err
	})
	return e, created, err
}

// checkVote returns the member's live vote (seq 0 for none) if the vote
// may be cast.
func (w *writer) checkVote(ctx context.Context, v VoteRequest) (live int64, option string, err error) {
	info, err := pollInfo(ctx, w.tx, v.Poll)
	if err != nil {
		return 0, "", err
	}
	switch {
	case info.TallySeq != 0:
		return 0, "", fmt.Errorf("vote in %s: %w", info.ID(), ErrPollClosed)
	case !slices.Contains(info.Options, v.Option):
		return 0, "", fmt.Errorf("vote in %s: %q: %w", info.ID(), v.Option, ErrUnknownOption)
	}
	err = w.scan(ctx, `SELECT coalesce(v.seq, 0), coalesce(v.option, '') FROM poll_electors e
		LEFT JOIN poll_votes v ON v.poll = e.poll AND v.member_id = e.member_id
		WHERE e.poll = ? AND e.member_id = ?`, []any{v.Poll, v.Member}, &live, &option)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("vote in %s: member %d: %w", info.ID(), v.Member, ErrNotElector)
	}
	return live, option, err
}

// AppendTally closes a poll: inside one transaction it reads the poll's
// state, asks count for the result (the tally entry's data) and appends the
// tally entry under the key tally:<poll id>. A poll closes once: when it
// is already closed, the existing tally is returned with created false and
// count is not called.
func (l *Ledger) AppendTally(ctx context.Context, poll int64, n NewEntry, count func(PollState) (json.RawMessage, error)) (e Entry, created bool, err error) {
	err = l.write(ctx, func(w *writer) error {
		st, err := readPollState(ctx, w.tx, poll, false)
		if err != nil {
			return err
		}
		if st.Tally != nil {
			e = *st.Tally
			return nil
		}
		if n.Data, err = count(st); err != nil {
			return err
		}
		n.Kind, n.Member, n.SourceRef = KindTally, 0, "tally:"+EntryID(poll)
		e, created, err = w.append(ctx, n)
		return err
	})
	return e, created, err
}

// PollInfo returns a poll's row: its terms and whether it is closed.
func (l *Ledger) PollInfo(ctx context.Context, poll int64) (PollInfo, error) {
	return pollInfo(ctx, l.db, poll)
}

// PollState reads a poll for counting or display, with each live vote if
// withVotes. Votes are frozen once the tally is in, so the reads need no
// transaction of their own.
func (l *Ledger) PollState(ctx context.Context, poll int64, withVotes bool) (PollState, error) {
	return readPollState(ctx, l.db, poll, withVotes)
}

func pollInfo(ctx context.Context, q queryer, poll int64) (PollInfo, error) {
	p := PollInfo{Seq: poll}
	var options string
	var opened, closes int64
	var tally sql.NullInt64
	err := q.QueryRowContext(ctx, "SELECT mode, options, opened_at, closes_at, tally_seq FROM polls WHERE seq = ?", poll).
		Scan(&p.Mode, &options, &opened, &closes, &tally)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("poll %s: %w", EntryID(poll), ErrNotFound)
	} else if err != nil {
		return p, fmt.Errorf("poll %s: %w", EntryID(poll), err)
	}
	p.OpenedAt, p.TallySeq = time.Unix(opened, 0).UTC(), tally.Int64
	if closes > 0 {
		p.ClosesAt = time.Unix(closes, 0).UTC()
	}
	return p, json.Unmarshal([]byte(options), &p.Options)
}

func readPollState(ctx context.Context, q queryer, poll int64, withVotes bool) (PollState, error) {
	var st PollState
	var err error
	if st.Info, err = pollInfo(ctx, q, poll); err != nil {
		return st, err
	}
	if st.Poll, err = entryWhere(ctx, q, "seq = ?", poll); err != nil {
		return st, err
	}
	if st.Info.TallySeq != 0 {
		t, err := entryWhere(ctx, q, "seq = ?", st.Info.TallySeq)
		if err != nil {
			return st, err
		}
		st.Tally = &t
	}
	if st.Groups, err = readGroups(ctx, q, poll); err != nil || !withVotes {
		return st, err
	}
	st.Votes, err = readVotes(ctx, q, poll)
	return st, err
}

// readGroups lets SQLite do the counting: one row per college and option
// rather than one per elector.
func readGroups(ctx context.Context, q queryer, poll int64) ([]VoteGroup, error) {
	groups := []VoteGroup{}
	err := eachRowOf(ctx, q, func(row scanner) error {
		var g VoteGroup
		err := row.Scan(&g.College, &g.Option, &g.Members, &g.Weight)
		groups = append(groups, g)
		return err
	}, `SELECT e.college, coalesce(v.option, ''), count(*), sum(e.weight) FROM poll_electors e
		LEFT JOIN poll_votes v ON v.poll = e.poll AND v.member_id = e.member_id
		WHERE e.poll = ? GROUP BY e.college, v.option ORDER BY e.college, v.option`, poll)
	return groups, err
}

func readVotes(ctx context.Context, q queryer, poll int64) ([]LiveVote, error) {
	votes := []LiveVote{}
	err := eachRowOf(ctx, q, func(row scanner) error {
		var v LiveVote
		err := row.Scan(&v.Member, &v.Name, &v.College, &v.Option, &v.Seq)
		votes = append(votes, v)
		return err
	}, `SELECT v.member_id, coalesce(m.name, ''), coalesce(e.college, ''), v.option, v.seq FROM poll_votes v
		LEFT JOIN members m ON m.id = v.member_id
		LEFT JOIN poll_electors e ON e.poll = v.poll AND e.member_id = v.member_id
		WHERE v.poll = ? ORDER BY v.member_id`, poll)
	return votes, err
}

func eachRowOf(ctx context.Context, q queryer, fn func(scanner) error, query string, args ...any) error {
	return eachOf(q.QueryContext(ctx, query, args...))(fn)
}

// eachOf calls fn with each of rows, the result of a query that failed
// with err or else, and closes them.
func eachOf(rows *sql.Rows, err error) func(fn func(scanner) error) error {
	return func(fn func(scanner) error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
}

// Polls returns every poll's row, newest first.
func (l *Ledger) Polls(ctx context.Context) ([]PollInfo, error) {
	seqs := []int64{}
	err := l.eachRow(ctx, func(row scanner) error {
		var seq int64
		err := row.Scan(&seq)
		seqs = append(seqs, seq)
		return err
	}, "SELECT seq FROM polls ORDER BY seq DESC")
	polls := make([]PollInfo, 0, len(seqs))
	for _, seq := range seqs {
		if err != nil {
			break
		}
		var p PollInfo
		p, err = l.PollInfo(ctx, seq)
		polls = append(polls, p)
	}
	return polls, err
}

// DuePolls returns the open polls whose closing time is not after now, in
// closing order, and the closing time of the next open poll after now
// (zero when none), so that a scheduler knows when to wake.
func (l *Ledger) DuePolls(ctx context.Context, now time.Time) (due []int64, next time.Time, err error) {
	err = l.eachRow(ctx, func(row scanner) error {
		var seq, closes int64
		if err := row.Scan(&seq, &closes); err != nil {
			return err
		}
		if closes <= now.Unix() {
			due = append(due, seq)
		} else if next.IsZero() {
			next = time.Unix(closes, 0).UTC()
		}
		return nil
	}, "SELECT seq, closes_at FROM polls WHERE tally_seq IS NULL AND closes_at > 0 ORDER BY closes_at, seq")
	return due, next, err
}

// ParsePollID reads a poll id: "e42", or "42" as the CLI accepts it.
func ParsePollID(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "e"), 10, 64)
	return n, err == nil && n > 0
}
