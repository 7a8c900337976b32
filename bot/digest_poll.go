package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/docracy/docracy/ledger"
)

// DigestPoll is a poll opened or closed during a digest's period.
type DigestPoll struct {
	ID       string `json:"id"`
	Question string `json:"question"`
	Mode     string `json:"mode"`
	// ClosesAt is when an opened poll closes, in the period's time zone
	// (the schedule's); nil when it closes by hand.
	ClosesAt *time.Time `json:"closes_at,omitempty"`
	// A closed poll's result, as its tally entry states it.
	Outcome              string `json:"outcome,omitempty"`
	Adopted              string `json:"adopted,omitempty"`
	AdoptedPercent       string `json:"adopted_percent,omitempty"`
	ParticipationPercent string `json:"participation_percent,omitempty"`
}

// pollsBetween returns, oldest first, the polls opened in [start, end)
// and not closed in it, and the polls closed in it with the outcome their
// tally entry states. A poll opened and closed within the period is told
// once, as closed.
func pollsBetween(ctx context.Context, l DigestLedger, start, end time.Time) (opened, closed []DigestPoll, err error) {
	opened, closed = []DigestPoll{}, []DigestPoll{}
	infos, err := l.Polls(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, info := range slices.Backward(infos) { // Polls lists newest first
		if !info.OpenedAt.Before(end) {
			continue
		}
		p, tally, err := digestPoll(ctx, l, info)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case tally != nil && within(tally.RecordedAt, start, end):
			if err := p.result(*tally); err != nil {
				return nil, nil, err
			}
			closed = append(closed, p)
		case within(info.OpenedAt, start, end):
			if !info.ClosesAt.IsZero() {
				closes := info.ClosesAt.In(start.Location())
				p.ClosesAt = &closes
			}
			opened = append(opened, p)
		}
	}
	return opened, closed, nil
}

func within(t, start, end time.Time) bool { return !t.Before(start) && t.Before(end) }

// digestPoll reads a poll's question and its tally entry, if any.
func digestPoll(ctx context.Context, l DigestLedger, info ledger.PollInfo) (DigestPoll, *ledger.Entry, error) {
	p := DigestPoll{ID: info.ID(), Mode: string(info.Mode)}
	e, err := l.Entry(ctx, info.Seq)
	if err != nil {
		return p, nil, fmt.Errorf("poll %s: %w", p.ID, err)
	}
	var terms struct{ Question string }
	if err := json.Unmarshal(e.Data, &terms); err != nil {
		return p, nil, fmt.Errorf("poll %s: data: %w", p.ID, err)
	}
	p.Question = terms.Question
	if info.TallySeq == 0 {
		return p, nil, nil
	}
	tally, err := l.Entry(ctx, info.TallySeq)
	if err != nil {
		return p, nil, fmt.Errorf("poll %s: tally: %w", p.ID, err)
	}
	return p, &tally, nil
}

// result copies the outcome the tally entry states: the digest reports
// the result as recorded, not a recount.
func (p *DigestPoll) result(tally ledger.Entry) error {
	var t tallyData
	if err := json.Unmarshal(tally.Data, &t); err != nil {
		return fmt.Errorf("poll %s: tally %s: data: %w", p.ID, tally.ID, err)
	}
	p.Outcome, p.Adopted, p.ParticipationPercent = t.Outcome, t.Adopted, t.ParticipationPercent
	for _, o := range t.Options {
		if o.Name == t.Adopted {
			p.AdoptedPercent = o.Percent
		}
	}
	return nil
}

// Result states a closed poll's outcome in a few words, with the share
// the adopted option won and the participation.
func (p DigestPoll) Result() string {
	outcome := p.Outcome
	if p.Outcome == OutcomeAdopted {
		outcome = fmt.Sprintf("adopted %s with %s %%", p.Adopted, p.AdoptedPercent)
	}
	return fmt.Sprintf("%s, %s %% voted", outcome, p.ParticipationPercent)
}

// Closing says when an opened poll closes, in the period's time zone.
func (p DigestPoll) Closing() string {
	if p.ClosesAt == nil {
		return "closes when closed by hand"
	}
	return "closes " + p.ClosesAt.Format("Mon 2 Jan 2006 15:04 MST")
}
