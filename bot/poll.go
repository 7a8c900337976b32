package bot

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docracy/docracy/ledger"
)

// PollLedger is what an Assembly needs from the ledger.
type PollLedger interface {
	OpenPoll(ctx context.Context, n ledger.NewEntry, mode ledger.PollMode) (ledger.Entry, bool, error)
	AppendVote(ctx context.Context, v ledger.VoteRequest) (ledger.Entry, bool, error)
	AppendTally(ctx context.Context, poll int64, n ledger.NewEntry, count func(ledger.PollState) (json.RawMessage, error)) (ledger.Entry, bool, error)
	PollInfo(ctx context.Context, poll int64) (ledger.PollInfo, error)
	PollState(ctx context.Context, poll int64, withVotes bool) (ledger.PollState, error)
	Polls(ctx context.Context) ([]ledger.PollInfo, error)
	DuePolls(ctx context.Context, now time.Time) ([]int64, time.Time, error)
}

// Assembly runs the polls (member, college or reputation mode, the
// electorate fixed at opening, a vote replaceable until closing): it opens
// them, records votes, closes them with a tally entry and shows their live
// or final result.
// The CLI, Discord, the API and the closing schedule all go through it.
type Assembly struct {
	Ledger PollLedger
	Bot    *Bot // names members

	// Colleges are the colleges' weights (config colleges, equal weights
	// given as 1 each); empty means the cooperative does not vote by
	// college, and college-mode polls are refused.
	Colleges map[string]int64

	Now func() time.Time
}

// Limits on what a poll may ask.
const (
	MaxQuestionLength = 300
	MaxOptionLength   = 80
	MinOptions        = 2
	MaxOptions        = 10
	MaxPollDuration   = 366 * 24 * time.Hour
)

// DefaultOptions are a poll's options when none are given.
var DefaultOptions = []string{"yes", "no", Abstain}

// OpenPollRequest asks to open a poll.
type OpenPollRequest struct {
	Question      string
	Options       []string // nil: DefaultOptions
	Mode          string   // member, college or reputation
	QuorumPercent int      // 0..100 of the electorate must vote
	Majority      string   // simple or two-thirds; "" is simple
	Closes        time.Time
	Ref           string // idempotency key, e.g. cli:<ref> or discord:interaction:<id>; "" = a fresh one
	Actor         string
	Source        ledger.Source
}

// pollTerms is the poll entry's data, but for the electorate the ledger
// adds. Keys are the JSON names the README's recount reads.
type pollTerms struct {
	Question      string           `json:"question"`
	Options       []string         `json:"options"`
	Mode          ledger.PollMode  `json:"mode"`
	QuorumPercent int64            `json:"quorum_percent"`
	Majority      string           `json:"majority"`
	ClosesAt      string           `json:"closes_at,omitempty"`
	Weights       map[string]int64 `json:"weights,omitempty"`
}

// OpenPoll validates the request and appends the poll entry, fixing its
// electorate. A repeated Ref returns the poll already opened under it.
func (a *Assembly) OpenPoll(ctx context.Context, r OpenPollRequest) (Poll, error) {
	terms, err := a.terms(r)
	if err != nil {
		return Poll{}, err
	}
	data, err := ledger.NewData(terms)
	if err != nil {
		return Poll{}, fmt.Errorf("open poll: %w", err)
	}
	ref := r.Ref
	if ref == "" {
		ref = "poll:" + rand.Text()
	}
	e, _, err := a.Ledger.OpenPoll(ctx, ledger.NewEntry{OccurredAt: a.Now(), Source: r.Source, SourceRef: ref,
		Actor: r.Actor, Data: data}, terms.Mode)
	if errors.Is(err, ledger.ErrEmptyElectorate) {
		return Poll{}, invalidf("mode", "a %s poll would have nobody to vote: %v", terms.Mode, err)
	} else if err != nil {
		return Poll{}, fmt.Errorf("open poll: %w", err)
	}
	if e.Kind != ledger.KindPoll {
		return Poll{}, invalidf("ref", "ref %q is already used by %s, a %s entry: choose another", r.Ref, e.ID, e.Kind)
	}
	return a.Poll(ctx, e.ID)
}

func (a *Assembly) terms(r OpenPollRequest) (pollTerms, error) {
	t := pollTerms{Question: strings.TrimSpace(r.Question), Options: r.Options, Mode: ledger.PollMode(r.Mode),
		QuorumPercent: int64(r.QuorumPercent), Majority: r.Majority}
	if t.Options == nil {
		t.Options = DefaultOptions
	}
	if t.Majority == "" {
		t.Majority = MajoritySimple
	}
	if n := utf8.RuneCountInString(t.Question); n == 0 || n > MaxQuestionLength {
		return t, invalidf("question", "question: give 1 to %d characters, got %d", MaxQuestionLength, n)
	}
	if r, ok := firstHidden(t.Question); ok {
		return t, invalidf("question", "question holds the invisible character %U, a control or text-direction mark: write plain text", r)
	}
	if err := checkOptions(t.Options); err != nil {
		return t, err
	}
	if err := a.checkMode(&t); err != nil {
		return t, err
	}
	switch {
	case t.QuorumPercent < 0 || t.QuorumPercent > 100:
		return t, invalidf("quorum", "quorum %d: give a percentage of the electorate from 0 to 100", t.QuorumPercent)
	case t.Majority != MajoritySimple && t.Majority != MajorityTwoThirds:
		return t, invalidf("majority", "majority %q: use simple (more than half) or two-thirds (at least 2/3)", t.Majority)
	}
	return t, a.checkCloses(&t, r.Closes)
}

func checkOptions(options []string) error {
	if len(options) < MinOptions || len(options) > MaxOptions {
		return invalidf("options", "options: give %d to %d options, got %d", MinOptions, MaxOptions, len(options))
	}
	for i, o := range options {
		switch {
		case strings.TrimSpace(o) != o || o == "":
			return invalidf("options", "option %d %q: give a name without spaces around it", i+1, o)
		case utf8.RuneCountInString(o) > MaxOptionLength:
			return invalidf("options", "option %d: at most %d characters", i+1, MaxOptionLength)
		case strings.ContainsFunc(o, hiddenRune):
			return invalidf("options", "option %d holds an invisible character, a control or text-direction mark: write plain text", i+1)
		case slices.Index(options, o) != i:
			return invalidf("options", "option %q is given twice: options must differ", o)
		}
	}
	return nil
}

func (a *Assembly) checkMode(t *pollTerms) error {
	switch t.Mode {
	case ledger.PollByMember, ledger.PollByReputation:
		return nil
	case ledger.PollByCollege:
		if len(a.Colleges) == 0 {
			return invalidf("mode", "mode college: this cooperative has no colleges (config colleges is empty); use member or reputation")
		}
		t.Weights = a.Colleges
		return nil
	}
	return invalidf("mode", "mode %q: use member (one member, one vote), college (weighted colleges) or reputation", t.Mode)
}

func (a *Assembly) checkCloses(t *pollTerms, closes time.Time) error {
	if closes.IsZero() {
		return nil
	}
	now := a.Now()
	switch {
	case !closes.After(now):
		return invalidf("closes", "closes %s: give a time in the future", closes.Format(time.RFC3339))
	case closes.Sub(now) > MaxPollDuration:
		return invalidf("closes", "closes %s: a poll may stay open at most a year", closes.Format(time.RFC3339))
	}
	t.ClosesAt = closes.UTC().Truncate(time.Second).Format(time.RFC3339)
	return nil
}
