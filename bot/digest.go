package bot

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/docracy/docracy/ledger"
)

// Digest is what the cooperative did in a period: the content of the
// weekly message, before it is laid out for Discord.
type Digest struct {
	Start        time.Time      `json:"start"`
	End          time.Time      `json:"end"`
	Points       int64          `json:"points"`
	Entries      int            `json:"entries"`
	Contributors int            `json:"contributors"`
	Newcomers    []string       `json:"newcomers"`
	Top          []DigestMember `json:"top"`
	Notable      []DigestEntry  `json:"notable"`
	Categories   []DigestTotal  `json:"categories"`
	Colleges     []DigestTotal  `json:"colleges"`
	Payout       *DigestPayout  `json:"payout,omitempty"`
	PollsOpened  []DigestPoll   `json:"polls_opened"`
	PollsClosed  []DigestPoll   `json:"polls_closed"`
	Head         ledger.Head    `json:"head"`
}

// DigestMember is one of the period's top contributors.
type DigestMember struct {
	Member     int64    `json:"member"`
	Name       string   `json:"name"`
	Points     int64    `json:"points"`
	Categories []string `json:"categories"` // by points, most first
}

// DigestEntry is a notable contribution: among the period's largest.
type DigestEntry struct {
	Seq      int64  `json:"seq"`
	Name     string `json:"name"`
	Points   int64  `json:"points"`
	Category string `json:"category"`
	Note     string `json:"note"`
	URL      string `json:"url"`
}

// DigestTotal is the points of one category or college.
type DigestTotal struct {
	Name   string `json:"name"`
	Points int64  `json:"points"`
}

// DigestPayout is a payout run closed during the period.
type DigestPayout struct {
	Period   string `json:"period"`
	Budget   string `json:"budget"`
	Currency string `json:"currency"`
	Members  int    `json:"members"`
}

// DigestLedger is what building a digest reads.
type DigestLedger interface {
	CountedBetween(ctx context.Context, start, end time.Time) ([]ledger.Entry, error)
	EarnedBefore(ctx context.Context, member int64, t time.Time) (bool, error)
	Members(ctx context.Context) ([]ledger.Member, error)
	PayoutRuns(ctx context.Context) ([]ledger.PayoutRun, error)
	PayoutRun(ctx context.Context, period string) (ledger.PayoutRun, error)
	Head(ctx context.Context) (ledger.Head, error)
	Polls(ctx context.Context) ([]ledger.PollInfo, error)
	Entry(ctx context.Context, seq int64) (ledger.Entry, error)
}

// notableCount is how many of the period's largest contributions a digest
// names.
const notableCount = 5

// BuildDigest gathers the digest of [start, end) with its top contributors.
func BuildDigest(ctx context.Context, l DigestLedger, start, end time.Time, top int) (Digest, error) {
	d := Digest{Start: start, End: end, Newcomers: []string{}, Top: []DigestMember{}, Notable: []DigestEntry{}}
	entries, err := l.CountedBetween(ctx, start, end)
	if err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	byID, err := membersByID(ctx, l)
	if err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	d.tally(entries, byID, top)
	if d.Newcomers, err = newcomers(ctx, l, entries, byID, start); err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	if d.Payout, err = payoutClosedBetween(ctx, l, start, end); err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	if d.PollsOpened, d.PollsClosed, err = pollsBetween(ctx, l, start, end); err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	if d.Head, err = l.Head(ctx); err != nil {
		return d, fmt.Errorf("digest: %w", err)
	}
	return d, nil
}

func membersByID(ctx context.Context, l DigestLedger) (map[int64]ledger.Member, error) {
	members, err := l.Members(ctx)
	byID := make(map[int64]ledger.Member, len(members))
	for _, m := range members {
		byID[m.ID] = m
	}
	return byID, err
}

// tally sums the entries by member, category and college. A member's
// points count for the college they are in when the digest is built (the
// members table, which follows the chain). The colleges are left out when
// no contributor of the period is in one: a cooperative without colleges
// (colleges: {}) never sees them.
func (d *Digest) tally(entries []ledger.Entry, members map[int64]ledger.Member, top int) {
	perMember := map[int64]map[string]int64{}
	categories, colleges := map[string]int64{}, map[string]int64{}
	placed := false
	for _, e := range entries {
		d.Points += e.Points
		if perMember[e.Member] == nil {
			perMember[e.Member] = map[string]int64{}
		}
		perMember[e.Member][e.Category] += e.Points
		categories[e.Category] += e.Points
		college := members[e.Member].College
		placed = placed || college != ""
		if college == "" {
			college = "no college"
		}
		colleges[college] += e.Points
	}
	d.Entries, d.Contributors = len(entries), len(perMember)
	d.Categories, d.Colleges = sortedTotals(categories), []DigestTotal{}
	if placed {
		d.Colleges = sortedTotals(colleges)
	}
	d.Top = topMembers(perMember, members, top)
	d.Notable = notable(entries, members)
}

func topMembers(perMember map[int64]map[string]int64, members map[int64]ledger.Member, top int) []DigestMember {
	out := make([]DigestMember, 0, len(perMember))
	for id, cats := range perMember {
		m := DigestMember{Member: id, Name: members[id].Name}
		for _, t := range sortedTotals(cats) {
			m.Points += t.Points
			m.Categories = append(m.Categories, t.Name)
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Points > out[j].Points || out[i].Points == out[j].Points && out[i].Member < out[j].Member
	})
	if len(out) > top {
		out = out[:top]
	}
	return out
}

// notable picks the largest contributions that link somewhere.
func notable(entries []ledger.Entry, members map[int64]ledger.Member) []DigestEntry {
	var out []DigestEntry
	for _, e := range entries {
		if e.URL != "" {
			out = append(out, DigestEntry{Seq: e.Seq, Name: members[e.Member].Name, Points: e.Points,
				Category: e.Category, Note: e.Note, URL: e.URL})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Points > out[j].Points })
	if len(out) > notableCount {
		out = out[:notableCount]
	}
	if out == nil {
		out = []DigestEntry{}
	}
	return out
}

func sortedTotals(m map[string]int64) []DigestTotal {
	out := make([]DigestTotal, 0, len(m))
	for name, points := range m {
		out = append(out, DigestTotal{Name: name, Points: points})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Points > out[j].Points || out[i].Points == out[j].Points && out[i].Name < out[j].Name
	})
	return out
}

// newcomers are the period's contributors who had earned nothing before.
func newcomers(ctx context.Context, l DigestLedger, entries []ledger.Entry, members map[int64]ledger.Member, start time.Time) ([]string, error) {
	seen := map[int64]bool{}
	names := []string{}
	for _, e := range entries {
		if seen[e.Member] {
			continue
		}
		seen[e.Member] = true
		earned, err := l.EarnedBefore(ctx, e.Member, start)
		if err != nil {
			return nil, err
		}
		if !earned {
			names = append(names, members[e.Member].Name)
		}
	}
	return names, nil
}

func payoutClosedBetween(ctx context.Context, l DigestLedger, start, end time.Time) (*DigestPayout, error) {
	runs, err := l.PayoutRuns(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if r.ClosedAt.Before(start) || !r.ClosedAt.Before(end) {
			continue
		}
		full, err := l.PayoutRun(ctx, r.Period)
		if err != nil {
			return nil, err
		}
		return &DigestPayout{Period: r.Period, Budget: ledger.FormatAmount(r.Budget, r.Decimals),
			Currency: r.Currency, Members: len(full.Payouts)}, nil
	}
	return nil, nil
}
