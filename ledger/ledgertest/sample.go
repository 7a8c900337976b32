package ledgertest

import (
	"context"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// The week the sample ledger is about, Paris time.
var (
	SampleStart = time.Date(2026, 11, 16, 9, 0, 0, 0, paris)
	SampleEnd   = time.Date(2026, 11, 23, 9, 0, 0, 0, paris)
)

// Sample is a small fixed ledger, on a stopped clock so that its hashes are
// the same at every run: members old and new, in colleges, one with
// Markdown in their name, credits with and without links, a revoked entry,
// an entry just after the week and a payout closed during it.
func Sample(tb testing.TB) *ledger.Ledger {
	return SampleOn(tb, SampleClock)
}

// SampleClock is when the sample's entries are recorded: a stopped clock.
func SampleClock() time.Time { return time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC) }

// SampleOn is Sample on the clock now, which must read SampleClock() while
// the sample is built; a test may move it afterwards to record more.
func SampleOn(tb testing.TB, now func() time.Time) *ledger.Ledger {
	tb.Helper()
	ctx := context.Background()
	// ahead, when set, is the time of a credit dated after now: the ledger
	// refuses dates ahead of its clock, so such a credit is recorded when it
	// occurs.
	var ahead time.Time
	clock := func() time.Time {
		if !ahead.IsZero() {
			return ahead
		}
		return now()
	}
	l := Open(tb, clock)
	s := &sample{tb: tb, l: l, ids: map[string]int64{}, now: now, ahead: &ahead}
	for _, m := range []struct{ name, college string }{{"alice", "workers"}, {"bob", "volunteers"}, {"*carol*_", "users"}, {"dan", ""}} {
		s.member(m.name, m.college)
	}
	day := 24 * time.Hour
	s.credit("alice", 5, "code", SampleStart.Add(-10*day), "before the week", "")
	s.credit("alice", 5, "code", SampleStart.Add(day), "Merge pull request #12: faster ledger", "https://github.com/coop/docracy/pull/12")
	s.credit("alice", 2, "review", SampleStart.Add(2*day), "review of #13", "https://github.com/coop/docracy/pull/13#pullrequestreview-1")
	s.credit("bob", 3, "doc", SampleStart.Add(3*day), "install guide", "https://github.com/coop/docracy/pull/14")
	s.credit("*carol*_", 8, "design", SampleStart.Add(4*day), "new logo", "")
	gone := s.credit("dan", 50, "code", SampleStart.Add(4*day), "mistake", "")
	s.credit("dan", 1, "community", SampleEnd, "just after the week", "")
	if _, _, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: gone.Seq, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "mistake"}); err != nil {
		tb.Fatal(err)
	}
	_, err := l.ClosePayout(ctx, ledger.PayoutRun{Period: "2026-10", Policy: "balanced", Currency: "EUR", Decimals: 2,
		Budget: big.NewInt(100000), Actor: "cli:treasurer",
		Payouts: []ledger.Payout{{Member: s.ids["alice"], Amount: big.NewInt(100000)}}}, ledger.SourceCLI)
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

type sample struct {
	tb    testing.TB
	l     *ledger.Ledger
	ids   map[string]int64
	now   func() time.Time
	ahead *time.Time
}

func (s *sample) member(name, college string) {
	s.tb.Helper()
	ctx := context.Background()
	m, _, err := s.l.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformGitHub, Login: name}, name)
	if err == nil && college != "" {
		_, _, err = s.l.SetCollege(ctx, ledger.CollegeRequest{Member: m.ID, College: college,
			Source: ledger.SourceCLI, SourceRef: "sample:college:" + name, Actor: "cli:t"})
	}
	if err != nil {
		s.tb.Fatal(err)
	}
	s.ids[name] = m.ID
}

func (s *sample) credit(name string, points int64, category string, at time.Time, note, url string) ledger.Entry {
	s.tb.Helper()
	// A credit dated after the stopped clock is recorded when it occurs:
	// the ledger refuses dates ahead of the clock.
	defer func() { *s.ahead = time.Time{} }()
	if at.After(s.now()) {
		*s.ahead = at
	}
	e, _, err := s.l.Append(context.Background(), ledger.NewEntry{Kind: ledger.KindCredit, Member: s.ids[name],
		Category: category, Points: points, OccurredAt: at, Source: ledger.SourceCLI,
		SourceRef: fmt.Sprint("sample:", name, ":", at.Unix(), ":", points), Actor: "cli:t", Note: note, URL: url})
	if err != nil {
		s.tb.Fatal(err)
	}
	return e
}
