package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/docracy/docracy/ledger"
)

// VoteRequest is a member's choice in a poll.
type VoteRequest struct {
	Poll   string // "e42" or "42"
	Member string // github:<login>, discord:<user id> or a member id
	Option string
	Ref    string // idempotency key: discord:interaction:<id>, cli:<ref>; "" = retry-safe natural key
	Actor  string
	Source ledger.Source
}

// Vote records a member's vote, replacing their earlier one, and returns
// the poll with its live figures; its Votes hold only the vote recorded,
// so that the answer to a click stays fast on a poll of thousands (Poll
// lists them all). The ledger checks, in the write itself, that the poll
// is open, the option exists and the member is in the electorate; each
// refusal says why.
func (a *Assembly) Vote(ctx context.Context, r VoteRequest) (Poll, error) {
	seq, err := parsePollID(r.Poll)
	if err != nil {
		return Poll{}, err
	}
	info, err := a.Ledger.PollInfo(ctx, seq)
	if err != nil {
		return Poll{}, pollError(r.Poll, err)
	}
	m, err := a.Bot.FindMember(ctx, r.Member)
	if ErrorCode(err) == CodeNotFound {
		return Poll{}, notElector(info, r.Member+" is not a member yet")
	} else if err != nil {
		return Poll{}, err
	}
	e, _, err := a.Ledger.AppendVote(ctx, ledger.VoteRequest{Poll: seq, Member: m.ID, Option: r.Option,
		Source: r.Source, SourceRef: r.Ref, Actor: r.Actor})
	if err != nil {
		return Poll{}, voteError(info, r, err)
	}
	p, err := a.poll(ctx, info.ID(), false)
	p.VoteSeq = e.Seq
	p.Votes = []PollVote{{Member: m.ID, Name: m.Name, Option: r.Option, Seq: e.Seq}}
	return p, err
}

func voteError(info ledger.PollInfo, r VoteRequest, err error) error {
	switch {
	case errors.Is(err, ledger.ErrUnknownOption):
		return invalidf("option", "option %q is not one of poll %s's options: %s", r.Option, info.ID(), strings.Join(info.Options, ", "))
	case errors.Is(err, ledger.ErrNotElector):
		return notElector(info, "you")
	}
	return pollError(info.ID(), err)
}

// notElector explains who the electorate of a poll is, to someone outside it.
func notElector(info ledger.PollInfo, who string) error {
	opened := info.OpenedAt.Format("2006-01-02 15:04 MST")
	why := map[ledger.PollMode]string{
		ledger.PollByMember: fmt.Sprintf("member polls count the members known when %s opened (%s); you can vote in the next poll",
			info.ID(), opened),
		ledger.PollByCollege: fmt.Sprintf("college polls count members who had a college when %s opened (%s); ask a maintainer to place you in a college for the next poll",
			info.ID(), opened),
		ledger.PollByReputation: fmt.Sprintf("reputation polls count members with reputation when %s opened (%s); contributions give reputation for the next poll",
			info.ID(), opened),
	}[info.Mode]
	if who == "you" {
		return conflictf("member", "you are not in this poll's electorate: %s", why)
	}
	return conflictf("member", "%s, so not in this poll's electorate: %s", who, why)
}

// ClosePollRequest asks to close a poll now.
type ClosePollRequest struct {
	Poll   string
	Actor  string
	Source ledger.Source
}

// ClosePoll closes a poll with its tally entry, once: closing a closed
// poll, or two closes at the same time, return the one tally.
func (a *Assembly) ClosePoll(ctx context.Context, r ClosePollRequest) (Poll, error) {
	seq, err := parsePollID(r.Poll)
	if err != nil {
		return Poll{}, err
	}
	n := ledger.NewEntry{OccurredAt: a.Now(), Source: r.Source, Actor: r.Actor}
	_, created, err := a.Ledger.AppendTally(ctx, seq, n, func(st ledger.PollState) (json.RawMessage, error) {
		st.Tally = &ledger.Entry{} // counted as closed
		p, err := showPoll(st)
		if err != nil {
			return nil, err
		}
		return ledger.NewData(tallyData{Poll: p.ID, Result: p.Result})
	})
	if err != nil {
		return Poll{}, pollError(r.Poll, err)
	}
	p, err := a.Poll(ctx, r.Poll)
	p.ClosedNow = created
	return p, err
}

// CloseDue closes every open poll whose closing time has come, and returns
// the closed polls and when the next one closes (zero: none scheduled).
func (a *Assembly) CloseDue(ctx context.Context, now time.Time) ([]Poll, time.Time, error) {
	due, next, err := a.Ledger.DuePolls(ctx, now)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("due polls: %w", err)
	}
	closed := make([]Poll, 0, len(due))
	for _, seq := range due {
		p, err := a.ClosePoll(ctx, ClosePollRequest{Poll: ledger.EntryID(seq), Actor: PollCloserActor, Source: ledger.SourceCLI})
		if err != nil {
			return closed, next, err
		}
		closed = append(closed, p)
	}
	return closed, next, nil
}

// PollCloserActor is the actor of the tallies the schedule appends.
const PollCloserActor = "docracy:schedule"

// PollCloser closes polls at their closing time while serve runs. On start
// it closes every poll whose time passed while it was down; the tally's
// key makes each close happen once, even with a concurrent `poll close`.
type PollCloser struct {
	Assembly *Assembly
	Now      func() time.Time
	After    func(time.Duration) <-chan time.Time // time.After; tests move a fake clock
	// Interval bounds the sleep: a poll opened by another process (the
	// CLI) is noticed within it.
	Interval time.Duration
	Logger   *slog.Logger
	// Announcer, when set, shows each poll the closer closes to the
	// members, e.g. posts its result on Discord.
	Announcer PollAnnouncer
}

// PollAnnouncer shows a closed poll's result where the members see it.
type PollAnnouncer interface {
	PollClosed(ctx context.Context, p Poll) error
}

// Run closes what is due, then sleeps until the next closing time or the
// interval, until ctx ends.
func (c *PollCloser) Run(ctx context.Context) {
	for {
		now := c.Now()
		closed, next, err := c.Assembly.CloseDue(ctx, now)
		if err != nil && ctx.Err() == nil {
			c.Logger.Error("poll closing", "err", err)
		}
		for _, p := range closed {
			c.Logger.Info("poll closed", "poll", p.ID, "outcome", p.Outcome, "adopted", p.Adopted)
			c.announce(ctx, p)
		}
		wait := c.Interval
		if !next.IsZero() && next.Sub(now) < wait {
			wait = max(next.Sub(now), time.Second)
		}
		select {
		case <-ctx.Done():
			return
		case <-c.After(wait):
		}
	}
}

// announce tells the members of a poll the closer closed; a failure is
// logged, as the tally stands whatever Discord says.
func (c *PollCloser) announce(ctx context.Context, p Poll) {
	if c.Announcer == nil || !p.ClosedNow {
		return
	}
	if err := c.Announcer.PollClosed(ctx, p); err != nil && ctx.Err() == nil {
		c.Logger.Error("poll result", "poll", p.ID, "err", err)
	}
}
