package bot_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

// assembly is a poll fixture on a real ledger file, with a clock tests move.
type assembly struct {
	t    *testing.T
	path string
	at   time.Time
	l    *ledger.Ledger
	b    *bot.Bot
	a    *bot.Assembly
}

var scic = map[string]int64{"partners": 20, "users": 20, "volunteers": 30, "workers": 30}

func newAssembly(t *testing.T, colleges map[string]int64) *assembly {
	f := &assembly{t: t, path: filepath.Join(t.TempDir(), "ledger.db"), at: now}
	f.open(colleges)
	return f
}

func (f *assembly) now() time.Time { return f.at }

// open (re)opens the ledger file, as a restart of docracy would.
func (f *assembly) open(colleges map[string]int64) {
	l, err := ledger.Open(context.Background(), f.path, ledger.Options{Now: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { l.Close() })
	f.l, f.b = l, bot.New(l, categories)
	f.b.Now = f.now
	f.a = &bot.Assembly{Ledger: l, Bot: f.b, Colleges: colleges, Now: f.now}
}

// member creates github:<login> with points (0: none) and a college.
func (f *assembly) member(login string, points int64, college string) {
	f.t.Helper()
	m, err := f.b.ResolveMember(context.Background(), "github:"+login)
	if err != nil {
		f.t.Fatal(err)
	}
	if points > 0 {
		credit(f.t, f.b, "github:"+login, points, "code", time.Hour)
	}
	if college != "" {
		f.place(login, college)
	}
	_ = m
}

func (f *assembly) place(login, college string) {
	f.t.Helper()
	m, err := f.b.FindMember(context.Background(), "github:"+login)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, _, err := f.l.SetCollege(context.Background(), ledger.CollegeRequest{Member: m.ID, College: college,
		Source: ledger.SourceCLI, SourceRef: "college:" + login + ":" + college, Actor: "cli:test"}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *assembly) openPoll(r bot.OpenPollRequest) bot.Poll {
	f.t.Helper()
	r.Question, r.Actor, r.Source = "Adopt the statutes?", "cli:test", ledger.SourceCLI
	p, err := f.a.OpenPoll(context.Background(), r)
	if err != nil {
		f.t.Fatalf("open poll: %v", err)
	}
	return p
}

func (f *assembly) vote(poll, login, option string) bot.Poll {
	f.t.Helper()
	p, err := f.a.Vote(context.Background(), bot.VoteRequest{Poll: poll, Member: "github:" + login, Option: option,
		Actor: "cli:test", Source: ledger.SourceCLI})
	if err != nil {
		f.t.Fatalf("%s votes %s: %v", login, option, err)
	}
	return p
}

func (f *assembly) refused(poll, login, option, want string) {
	f.t.Helper()
	_, err := f.a.Vote(context.Background(), bot.VoteRequest{Poll: poll, Member: "github:" + login, Option: option,
		Actor: "cli:test", Source: ledger.SourceCLI})
	if err == nil || bot.ErrorCode(err) == bot.CodeInternal || !strings.Contains(err.Error(), want) {
		f.t.Errorf("%s votes %s: %v, want a refusal saying %q", login, option, err, want)
	}
}

func (f *assembly) close(poll string) bot.Poll {
	f.t.Helper()
	p, err := f.a.ClosePoll(context.Background(), bot.ClosePollRequest{Poll: poll, Actor: "cli:test", Source: ledger.SourceCLI})
	if err != nil {
		f.t.Fatalf("close %s: %v", poll, err)
	}
	return p
}

func opts(pairs ...string) []bot.OptionResult {
	var out []bot.OptionResult
	for i := 0; i < len(pairs); i += 2 {
		name, rest, _ := strings.Cut(pairs[i], "=")
		var votes int64
		for _, c := range rest {
			votes = votes*10 + int64(c-'0')
		}
		out = append(out, bot.OptionResult{Name: name, Votes: votes, Percent: pairs[i+1]})
	}
	return out
}

// College mode, counted by hand. Weights workers 30, volunteers 30, users
// 20, partners 20. workers: yes, yes, no → yes 2/3, no 1/3. volunteers:
// two abstentions → no expressed vote, the college drops out. users: u1,
// moved to workers after the poll opened, still votes in users: no → no 1.
// partners: nobody voted → drops out. Remaining weights 30 + 20 = 50:
// yes = 30·2/3 / 50 = 40 %, no = (30·1/3 + 20·1) / 50 = 60 %.
// Electorate 7, voters 6: participation 6/7 = 85.714… → 85.71.
func TestCollegePollCountedByHand(t *testing.T) {
	f := newAssembly(t, scic)
	for _, m := range []struct{ login, college string }{{"w1", "workers"}, {"w2", "workers"}, {"w3", "workers"},
		{"v1", "volunteers"}, {"v2", "volunteers"}, {"u1", "users"}, {"p1", "partners"}, {"nobody", ""}} {
		f.member(m.login, 1, m.college)
	}
	p := f.openPoll(bot.OpenPollRequest{Mode: "college", QuorumPercent: 50})
	f.place("u1", "workers")
	f.vote(p.ID, "w1", "yes")
	f.vote(p.ID, "w2", "yes")
	f.vote(p.ID, "w3", "no")
	f.vote(p.ID, "v1", "abstain")
	f.vote(p.ID, "v2", "abstain")
	live := f.vote(p.ID, "u1", "yes")
	// users for yes: yes = (30·2/3 + 20) / 50 = 80 %, but the poll is open.
	if want := opts("yes=3", "80.00", "no=1", "20.00", "abstain=2", "33.33"); !cmp.Equal(want, live.Options) || live.Outcome != "open" || live.Adopted != "" {
		t.Errorf("live result = %+v %q %q, want %+v open", live.Options, live.Outcome, live.Adopted, want)
	}
	f.vote(p.ID, "u1", "no") // a change of mind before the close flips the outcome
	f.refused(p.ID, "nobody", "yes", "college polls count members who had a college when "+p.ID+" opened (2026-03-01 12:00 UTC)")

	got := f.close(p.ID)
	want := bot.Result{Electorate: 7, Voters: 6, ParticipationPercent: "85.71",
		Options: opts("yes=2", "40.00", "no=2", "60.00", "abstain=2", "33.33"),
		Colleges: []bot.CollegeResult{
			{Name: "partners", Weight: 20, Voters: 0, Options: opts("yes=0", "0.00", "no=0", "0.00", "abstain=0", "0.00")},
			{Name: "users", Weight: 20, Voters: 1, Options: opts("yes=0", "0.00", "no=1", "100.00", "abstain=0", "0.00")},
			{Name: "volunteers", Weight: 30, Voters: 2, Options: opts("yes=0", "0.00", "no=0", "0.00", "abstain=2", "100.00")},
			{Name: "workers", Weight: 30, Voters: 3, Options: opts("yes=2", "66.67", "no=1", "33.33", "abstain=0", "0.00")},
		},
		Outcome: "adopted", Adopted: "no"}
	if diff := cmp.Diff(want, got.Result); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
	if got.Status != "closed" || len(got.Votes) != 6 || got.Votes[5].College != "users" {
		t.Errorf("closed poll = %+v", got)
	}
	f.refused(p.ID, "w3", "yes", "poll "+p.ID+" is closed")
}

// Reputation mode: weights are reputations at opening in hundredths (no
// decay here): alice 10 → 1000, bob 5 → 500, carol 3 → 300, dave none,
// so not in the electorate. yes = 800/1800 = 44.44 %, no = 55.56 %.
func TestReputationPollCountedByHand(t *testing.T) {
	f := newAssembly(t, nil)
	f.member("alice", 10, "")
	f.member("bob", 5, "")
	f.member("carol", 3, "")
	f.member("dave", 0, "")
	p := f.openPoll(bot.OpenPollRequest{Mode: "reputation", QuorumPercent: 100})
	credit(t, f.b, "github:bob", 100, "code", 0) // after the opening: weighs nothing here
	f.vote(p.ID, "alice", "no")
	f.vote(p.ID, "bob", "yes")
	f.vote(p.ID, "carol", "yes")
	f.refused(p.ID, "dave", "yes", "reputation polls count members with reputation when "+p.ID+" opened")
	got := f.close(p.ID)
	want := bot.Result{Electorate: 3, Voters: 3, ParticipationPercent: "100.00",
		Options:  opts("yes=2", "44.44", "no=1", "55.56", "abstain=0", "0.00"),
		Colleges: []bot.CollegeResult{}, Outcome: "adopted", Adopted: "no"}
	if diff := cmp.Diff(want, got.Result); diff != "" {
		t.Errorf("tally (-want +got):\n%s", diff)
	}
}

// Member mode: quorum, ties and the two-thirds rule, counted by hand.
func TestMemberPollOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		majority string
		quorum   int
		votes    []string // of a, b, c, d, e in order; "" = no vote
		options  []bot.OptionResult
		outcome  string
		adopted  string
	}{
		// 2 voters of 5 = 40 % < 50 %.
		{"no quorum", "", 50, []string{"yes", "yes"}, opts("yes=2", "100.00", "no=0", "0.00", "abstain=0", "0.00"), "no quorum", ""},
		// 3 voters of 5 = 60 % >= 60 %; yes 1, no 1: a tie, abstain for the quorum only.
		{"tie", "", 60, []string{"yes", "no", "abstain"}, opts("yes=1", "50.00", "no=1", "50.00", "abstain=1", "33.33"), "tie", ""},
		// yes 2 of 3 expressed = exactly 2/3: adopted under two-thirds.
		{"two-thirds exactly", "two-thirds", 0, []string{"yes", "yes", "no"}, opts("yes=2", "66.67", "no=1", "33.33", "abstain=0", "0.00"), "adopted", "yes"},
		// yes 3 of 5 = 60 % < 2/3: rejected.
		{"two-thirds missed", "two-thirds", 0, []string{"yes", "yes", "yes", "no", "no"}, opts("yes=3", "60.00", "no=2", "40.00", "abstain=0", "0.00"), "rejected", ""},
		// exactly one half is not more than half.
		{"half is not a majority", "", 0, []string{"yes", "no", "yes", "no"}, opts("yes=2", "50.00", "no=2", "50.00", "abstain=0", "0.00"), "tie", ""},
		// only abstentions: nothing expressed, rejected.
		{"only abstentions", "", 0, []string{"abstain"}, opts("yes=0", "0.00", "no=0", "0.00", "abstain=1", "100.00"), "rejected", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAssembly(t, nil)
			logins := []string{"a", "b", "c", "d", "e"}
			for _, l := range logins {
				f.member(l, 1, "")
			}
			p := f.openPoll(bot.OpenPollRequest{Mode: "member", QuorumPercent: tt.quorum, Majority: tt.majority})
			for i, v := range tt.votes {
				f.vote(p.ID, logins[i], v)
			}
			got := f.close(p.ID)
			if !cmp.Equal(tt.options, got.Options) || got.Outcome != tt.outcome || got.Adopted != tt.adopted {
				t.Errorf("got %+v %q %q, want %+v %q %q", got.Options, got.Outcome, got.Adopted, tt.options, tt.outcome, tt.adopted)
			}
		})
	}
}

func TestOpenPollRefusesBadRequests(t *testing.T) {
	f := newAssembly(t, nil)
	f.member("alice", 1, "")
	long := strings.Repeat("x", 301)
	tests := []struct {
		r     bot.OpenPollRequest
		field string
		msg   string
	}{
		{bot.OpenPollRequest{Question: " ", Mode: "member"}, "question", "give 1 to 300 characters"},
		{bot.OpenPollRequest{Question: long, Mode: "member"}, "question", "got 301"},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", Options: []string{"yes"}}, "options", "give 2 to 10 options"},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", Options: []string{"yes", "yes"}}, "options", `"yes" is given twice`},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", Options: []string{"yes", ""}}, "options", "option 2"},
		{bot.OpenPollRequest{Question: "Raise dues?\u202e", Mode: "member"}, "question", "invisible character U+202E"},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", Options: []string{"yes", "n\u2066o"}}, "options", "option 2 holds an invisible character"},
		{bot.OpenPollRequest{Question: "Q", Mode: "show of hands"}, "mode", "use member"},
		{bot.OpenPollRequest{Question: "Q", Mode: "college"}, "mode", "no colleges"},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", QuorumPercent: 101}, "quorum", "from 0 to 100"},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", Majority: "most"}, "majority", "use simple"},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", Closes: now.Add(-time.Minute)}, "closes", "in the future"},
		{bot.OpenPollRequest{Question: "Q", Mode: "member", Closes: now.Add(400 * 24 * time.Hour)}, "closes", "at most a year"},
	}
	for _, tt := range tests {
		tt.r.Source, tt.r.Actor = ledger.SourceCLI, "cli:test"
		_, err := f.a.OpenPoll(context.Background(), tt.r)
		var be *bot.Error
		if !asError(err, &be) || be.Field != tt.field || !strings.Contains(be.Message, tt.msg) {
			t.Errorf("%+v: %v, want field %s and %q", tt.r, err, tt.field, tt.msg)
		}
	}
	g := newAssembly(t, scic)
	g.member("bob", 1, "")
	_, err := g.a.OpenPoll(context.Background(), bot.OpenPollRequest{Question: "Q", Mode: "college", Source: ledger.SourceCLI, Actor: "cli:t"})
	if bot.ErrorCode(err) != bot.CodeInvalid || !strings.Contains(err.Error(), "no member has a college") {
		t.Errorf("college poll with nobody in a college: %v", err)
	}
	if head, _ := g.l.Head(context.Background()); head.Seq != 1 {
		t.Errorf("refused polls appended entries: head %d", head.Seq)
	}
}

func asError(err error, target **bot.Error) bool {
	e, ok := err.(*bot.Error)
	*target = e
	return ok
}

func TestVoteRefusals(t *testing.T) {
	f := newAssembly(t, nil)
	f.member("alice", 1, "")
	p := f.openPoll(bot.OpenPollRequest{Mode: "member"})
	f.member("late", 1, "")
	f.refused(p.ID, "alice", "maybe", `option "maybe" is not one of poll `+p.ID+"'s options: yes, no, abstain")
	f.refused("e999", "alice", "yes", "poll e999 does not exist")
	f.refused("first", "alice", "yes", `poll "first": give the poll's id`)
	f.refused(p.ID, "late", "yes", "member polls count the members known when")
	f.refused(p.ID, "ghost", "yes", "github:ghost is not a member yet")
	if again := f.vote(strings.TrimPrefix(p.ID, "e"), "alice", "yes"); again.VoteSeq == 0 || again.Voters != 1 {
		t.Errorf("vote by bare id = %+v", again)
	}
	if retry := f.vote(p.ID, "alice", "yes"); retry.Votes[0].Seq != retry.VoteSeq {
		t.Errorf("retried vote = %+v", retry)
	}
	head, _ := f.l.Head(context.Background())
	f.vote(p.ID, "alice", "yes") // the same request again adds nothing
	if again, _ := f.l.Head(context.Background()); again.Seq != head.Seq {
		t.Errorf("a retried vote appended seq %d", again.Seq)
	}
}

// A poll closes once: a second close and concurrent closes return the one
// tally, and a vote after it is refused.
func TestClosePollOnce(t *testing.T) {
	f := newAssembly(t, nil)
	f.member("alice", 1, "")
	f.member("bob", 1, "")
	p := f.openPoll(bot.OpenPollRequest{Mode: "member"})
	f.vote(p.ID, "alice", "yes")
	var wg sync.WaitGroup
	closed := make([]bot.Poll, 8)
	for i := range closed {
		wg.Go(func() { closed[i] = f.close(p.ID) })
	}
	wg.Wait()
	again := f.close(p.ID)
	for _, c := range append(closed, again) {
		if c.Status != "closed" || c.Adopted != "yes" || !c.ClosedAt.Equal(*again.ClosedAt) {
			t.Errorf("close = %+v", c)
		}
	}
	f.refused(p.ID, "bob", "no", "is closed")
	if n := countKind(t, f.l, ledger.KindTally); n != 1 {
		t.Errorf("%d tally entries, want 1", n)
	}
}

func countKind(t *testing.T, l *ledger.Ledger, kind ledger.Kind) int {
	t.Helper()
	entries, err := l.Entries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// The schedule closes a poll whose closing time passed while docracy was
// down, once, and wakes at the next closing time.
func TestPollClosesAutomaticallyAcrossARestart(t *testing.T) {
	f := newAssembly(t, nil)
	f.member("alice", 1, "")
	due := f.openPoll(bot.OpenPollRequest{Mode: "member", Closes: now.Add(time.Hour)})
	later := f.openPoll(bot.OpenPollRequest{Mode: "member", Closes: now.Add(3 * time.Hour)})
	f.vote(due.ID, "alice", "yes")
	f.l.Close()

	f.at = now.Add(2 * time.Hour) // docracy was down for the closing time
	f.open(nil)
	waits := make(chan time.Duration)
	wake := make(chan time.Time)
	closer := &bot.PollCloser{Assembly: f.a, Now: f.now, Interval: 24 * time.Hour, Logger: f.b.Logger,
		After: func(d time.Duration) <-chan time.Time { waits <- d; return wake }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { closer.Run(ctx); close(done) }()

	if d := <-waits; d != time.Hour { // caught up, then sleeps until the later poll closes
		t.Errorf("first sleep %v, want 1h", d)
	}
	if p, _ := f.a.Poll(ctx, due.ID); p.Status != "closed" || p.Adopted != "yes" {
		t.Errorf("due poll after start-up = %s %q", p.Status, p.Adopted)
	}
	f.at = now.Add(3 * time.Hour)
	wake <- f.at
	<-waits
	cancel()
	<-done
	if p, _ := f.a.Poll(context.Background(), later.ID); p.Status != "closed" || p.Outcome != "rejected" {
		t.Errorf("later poll = %s %q", p.Status, p.Outcome)
	}
	if closed, _, _ := f.a.CloseDue(context.Background(), f.at); len(closed) != 0 {
		t.Errorf("closed again: %+v", closed)
	}
	if n := countKind(t, f.l, ledger.KindTally); n != 2 {
		t.Errorf("%d tally entries, want 2", n)
	}
}
