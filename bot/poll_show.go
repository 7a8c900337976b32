package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/docracy/docracy/ledger"
)

// Poll is a poll as `poll show --format json` and GET /api/v1/polls/{id}
// print it: its terms, its live figures while open (outcome "open") or the
// tally's once closed, and every vote, since votes are public.
type Poll struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Mode     string `json:"mode"`
	Status   string `json:"status"` // open or closed
	Result
	QuorumPercent int64      `json:"quorum_percent"`
	Majority      string     `json:"majority"`
	OpenedAt      time.Time  `json:"opened_at"`
	ClosesAt      *time.Time `json:"closes_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	Votes         []PollVote `json:"votes"`

	// VoteSeq is the seq of the vote entry that Vote recorded (or found,
	// on a retry); 0 elsewhere.
	VoteSeq int64 `json:"-"`
	// ClosedNow is true when ClosePoll appended the tally, false when the
	// poll was closed already (a retry, a concurrent close): only the call
	// that closed it announces the result, so it is posted once.
	ClosedNow bool `json:"-"`
}

// PollVote is a member's live vote.
type PollVote struct {
	Member  int64  `json:"member"`
	Name    string `json:"name"`
	College string `json:"college,omitempty"` // their college at opening, college mode
	Option  string `json:"option"`
	Seq     int64  `json:"seq"`
}

// PollSummary is a poll in a listing.
type PollSummary struct {
	ID       string     `json:"id"`
	Question string     `json:"question"`
	Mode     string     `json:"mode"`
	Status   string     `json:"status"`
	Outcome  string     `json:"outcome"`
	OpenedAt time.Time  `json:"opened_at"`
	ClosesAt *time.Time `json:"closes_at,omitempty"`
}

// storedTerms reads a poll entry's data back.
type storedTerms struct {
	pollTerms
	Electorate json.RawMessage `json:"electorate"`
}

// tallyData is a tally entry's data: the poll it closes and its result.
type tallyData struct {
	Poll string `json:"poll"`
	Result
}

// Poll returns a poll by id ("e42" or "42"), with every vote.
func (a *Assembly) Poll(ctx context.Context, id string) (Poll, error) {
	return a.poll(ctx, id, true)
}

func (a *Assembly) poll(ctx context.Context, id string, withVotes bool) (Poll, error) {
	seq, err := parsePollID(id)
	if err != nil {
		return Poll{}, err
	}
	st, err := a.Ledger.PollState(ctx, seq, withVotes)
	if err != nil {
		return Poll{}, pollError(id, err)
	}
	return showPoll(st)
}

func parsePollID(id string) (int64, error) {
	seq, ok := ledger.ParsePollID(id)
	if !ok {
		return 0, invalidf("poll", "poll %q: give the poll's id, e.g. e42 or 42", id)
	}
	return seq, nil
}

// pollError turns the ledger's refusals into messages for the caller.
func pollError(id string, err error) error {
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return notFoundf("poll", "poll %s does not exist: see the list of polls (docracy poll list, /api/v1/polls)", id)
	case errors.Is(err, ledger.ErrPollClosed):
		return conflictf("poll", "poll %s is closed: its result is final", id)
	}
	return fmt.Errorf("poll %s: %w", id, err)
}

// showPoll builds the shown form of a poll from its state: the figures are
// counted from the live votes, the same way the tally counted them.
func showPoll(st ledger.PollState) (Poll, error) {
	var t storedTerms
	if err := json.Unmarshal(st.Poll.Data, &t); err != nil {
		return Poll{}, fmt.Errorf("poll %s: data: %w", st.Poll.ID, err)
	}
	p := Poll{ID: st.Poll.ID, Question: t.Question, Mode: string(t.Mode), Status: "open",
		QuorumPercent: t.QuorumPercent, Majority: t.Majority, OpenedAt: st.Poll.RecordedAt,
		Votes: pollVotes(st)}
	if !st.Info.ClosesAt.IsZero() {
		p.ClosesAt = &st.Info.ClosesAt
	}
	if st.Tally != nil {
		p.Status, p.ClosedAt = "closed", &st.Tally.RecordedAt
	}
	p.Result = Count(t.counting(), st.Groups, st.Tally != nil)
	return p, nil
}

func (t storedTerms) counting() Terms {
	return Terms{Mode: t.Mode, Options: t.Options, QuorumPercent: t.QuorumPercent, Majority: t.Majority, Weights: t.Weights}
}

func pollVotes(st ledger.PollState) []PollVote {
	votes := make([]PollVote, len(st.Votes))
	for i, v := range st.Votes {
		votes[i] = PollVote{Member: v.Member, Name: v.Name, College: v.College, Option: v.Option, Seq: v.Seq}
	}
	return votes
}

// Polls lists every poll, newest first, with its outcome.
func (a *Assembly) Polls(ctx context.Context) ([]PollSummary, error) {
	infos, err := a.Ledger.Polls(ctx)
	if err != nil {
		return nil, fmt.Errorf("polls: %w", err)
	}
	out := make([]PollSummary, 0, len(infos))
	for _, info := range infos {
		p, err := a.Poll(ctx, info.ID())
		if err != nil {
			return nil, err
		}
		out = append(out, PollSummary{ID: p.ID, Question: p.Question, Mode: p.Mode, Status: p.Status,
			Outcome: p.Outcome, OpenedAt: p.OpenedAt, ClosesAt: p.ClosesAt})
	}
	return out, nil
}
