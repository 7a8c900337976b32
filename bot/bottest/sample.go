// Package bottest builds sample ledgers whose entries go through the bot's
// use cases, for the tests of the bot and of its integrations.
package bottest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// SampleColleges are the sample's colleges and weights: partners have no
// member, so they never vote.
func SampleColleges() map[string]int64 {
	return map[string]int64{"workers": 30, "volunteers": 30, "users": 20, "partners": 20}
}

// SampleWithPolls is ledgertest.Sample with polls around its week (16 to
// 23 Nov 2026, Paris time), opened, voted and closed through bot.Assembly
// at the times given:
//
//	e13 member      opened 10 Nov, closed 12 Nov               before the week
//	e15 college     opened 13 Nov, closes 18 Nov 09:00 CET,    closed in the week by the schedule:
//	                alice (workers) yes, bob (volunteers) no,  yes = (30+20)/80 = 62.50 %, adopted;
//	                *carol*_ (users) yes                       3 of 3 voted
//	e20 member      opened 19 Nov, closes 26 Nov 18:00 CET     opened in the week, still open
//	e21 member      opened 20 Nov, quorum 75 %, dan no,        opened and closed in the week:
//	                closed by hand 21 Nov                      1 of 4 voted, no quorum
//	e24 reputation  opened 23 Nov 10:00 CET                    after the week
func SampleWithPolls(tb testing.TB) *ledger.Ledger {
	tb.Helper()
	c := &clock{t: ledgertest.SampleClock()}
	l := ledgertest.SampleOn(tb, c.now)
	b := bot.New(l, ledgertest.Categories)
	b.Now = c.now
	s := &pollSample{tb: tb, c: c, a: &bot.Assembly{Ledger: l, Bot: b, Colleges: SampleColleges(), Now: c.now}}
	day := 24 * time.Hour
	start := ledgertest.SampleStart
	s.at(start.Add(-6 * day))
	before := s.open(bot.OpenPollRequest{Question: "Rename the project?", Mode: "member"})
	s.at(start.Add(-4 * day))
	s.close(before)
	s.at(start.Add(-3 * day))
	budget := s.open(bot.OpenPollRequest{Question: "Adopt the 2027 budget?", Mode: "college", QuorumPercent: 50,
		Closes: start.Add(2 * day)})
	s.vote(budget, "github:alice", "yes")
	s.vote(budget, "github:bob", "no")
	s.vote(budget, "3", "yes") // *carol*_: her name is no login
	s.at(start.Add(2*day + time.Hour))
	if _, _, err := s.a.CloseDue(context.Background(), c.now()); err != nil {
		tb.Fatal(err)
	}
	s.at(start.Add(3 * day))
	s.open(bot.OpenPollRequest{Question: "Hold the general assembly in Lyon?", Mode: "member", QuorumPercent: 25,
		Closes: time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)})
	s.at(start.Add(4 * day))
	chat := s.open(bot.OpenPollRequest{Question: "Move the chat to Matrix?", Mode: "member", QuorumPercent: 75})
	s.vote(chat, "github:dan", "no")
	s.at(start.Add(5 * day))
	s.close(chat)
	s.at(ledgertest.SampleEnd.Add(time.Hour))
	s.open(bot.OpenPollRequest{Question: "Elect the board?", Mode: "reputation"})
	return l
}

type pollSample struct {
	tb testing.TB
	c  *clock
	a  *bot.Assembly
}

func (s *pollSample) at(t time.Time) { s.c.set(t) }

func (s *pollSample) open(r bot.OpenPollRequest) string {
	s.tb.Helper()
	// A fixed ref keeps the sample's hashes the same at every run.
	r.Ref, r.Actor, r.Source = "sample:"+r.Question, "cli:t", ledger.SourceCLI
	p, err := s.a.OpenPoll(context.Background(), r)
	if err != nil {
		s.tb.Fatalf("open poll: %v", err)
	}
	return p.ID
}

func (s *pollSample) vote(poll, member, option string) {
	s.tb.Helper()
	_, err := s.a.Vote(context.Background(), bot.VoteRequest{Poll: poll, Member: member, Option: option,
		Actor: "cli:t", Source: ledger.SourceCLI})
	if err != nil {
		s.tb.Fatalf("vote %s: %v", member, err)
	}
}

func (s *pollSample) close(poll string) {
	s.tb.Helper()
	if _, err := s.a.ClosePoll(context.Background(), bot.ClosePollRequest{Poll: poll, Actor: "cli:t", Source: ledger.SourceCLI}); err != nil {
		s.tb.Fatal(err)
	}
}

// clock is the sample's clock, moved between its steps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
