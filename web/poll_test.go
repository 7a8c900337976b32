package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// colleges are the fixture's colleges, a SCIC's: partners hold no member,
// so they never vote.
var colleges = map[string]int64{"partners": 20, "users": 20, "volunteers": 30, "workers": 30}

// place puts the fixture's members in colleges: alice and bob workers,
// the Discord member a volunteer, evilName a user.
func (f *fixture) place(t *testing.T) {
	t.Helper()
	for member, college := range map[int64]string{1: "workers", 2: "workers", 3: "volunteers", 4: "users"} {
		_, _, err := f.ledger.SetCollege(context.Background(), ledger.CollegeRequest{Member: member, College: college,
			Source: ledger.SourceCLI, SourceRef: "college:" + itoa(member), Actor: "cli:test"})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) openPoll(t *testing.T, r bot.OpenPollRequest) bot.Poll {
	t.Helper()
	r.Actor, r.Source = "cli:test", ledger.SourceCLI
	p, err := f.assembly.OpenPoll(context.Background(), r)
	if err != nil {
		t.Fatalf("open poll: %v", err)
	}
	return p
}

func (f *fixture) vote(t *testing.T, poll, member, option string) {
	t.Helper()
	_, err := f.assembly.Vote(context.Background(), bot.VoteRequest{Poll: poll, Member: member, Option: option,
		Actor: "cli:test", Source: ledger.SourceCLI})
	if err != nil {
		t.Fatalf("vote %s: %v", member, err)
	}
}

func (f *fixture) closePoll(t *testing.T, poll string) {
	t.Helper()
	if _, err := f.assembly.ClosePoll(context.Background(), bot.ClosePollRequest{Poll: poll, Actor: "cli:test", Source: ledger.SourceCLI}); err != nil {
		t.Fatal(err)
	}
}

// collegePoll opens a college-mode poll, votes and closes it:
//
//	workers (30):    alice yes, bob yes then no   → yes 1/2, no 1/2
//	volunteers (30): member 3 yes                 → yes 1
//	users (20):      evilName abstains            → drops out
//	partners (20):   nobody                       → drops out
//
// yes = (30·1/2 + 30·1) / 60 = 75 %, no = 15/60 = 25 %: adopted; abstain
// is 1 of 4 voters; 4 of 4 electors voted.
func (f *fixture) collegePoll(t *testing.T) (poll string, tally int64) {
	t.Helper()
	f.place(t)
	poll = f.openPoll(t, bot.OpenPollRequest{Question: "Adopt the new statutes?", Mode: "college", QuorumPercent: 50}).ID
	f.vote(t, poll, "github:alice", "yes")
	f.vote(t, poll, "github:bob", "yes")
	f.vote(t, poll, "discord:123456789012345678", "yes")
	f.vote(t, poll, "4", "abstain")
	f.vote(t, poll, "github:bob", "no")
	f.closePoll(t, poll)
	return poll, f.head(t).Seq
}

func TestPollPageClosed(t *testing.T) {
	f := newFixture(t)
	poll, tally := f.collegePoll(t)
	resp, body := f.get(t, "GET", "/polls/"+poll)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d:\n%s", resp.StatusCode, body)
	}
	wantAll(t, body, "poll page",
		"<title>Poll "+poll+" · docracy</title>", "<h1>Adopt the new statutes?</h1>",
		`<a href="/polls" aria-current="page">Polls</a>`,
		`<span class="badge ok">Adopted: yes</span> Stated by the tally entry <a href="/api/v1/entries?after=`+itoa(tally-1)+`&amp;limit=1">e`+itoa(tally)+`</a>`,
		`<dt>Voters</dt><dd>4 of 4</dd>`, `<dt>Quorum</dt><dd>50 %</dd>`)
	wantAll(t, section(t, body, "options"), "options",
		`<tr class="adopted"><th scope="row">yes</th><td class="num">2</td>`,
		`<rect class="fill" width="75.00" height="10"/></svg> <span class="pct">75.00 %</span>`,
		`<th scope="row">no</th><td class="num">1</td>`, `width="25.00"`,
		`<th scope="row">abstain</th><td class="num">1</td>`, `<rect class="fill abstain" width="25.00"`)
	wantAll(t, section(t, body, "participation"), "participation",
		"4 of the 4 members of the electorate voted: <strong>100.00 %</strong>, against a quorum of 50 %, reached.",
		`<rect class="fill" width="100.00" height="10"/><line class="quorum" x1="50" x2="50"`)
	wantAll(t, section(t, body, "colleges"), "colleges",
		`<th scope="row">workers</th><td class="num">30 %</td><td class="num">2</td><td class="num">1 (50.00 %)</td><td class="num">1 (50.00 %)</td><td class="num">0 (0.00 %)</td>`,
		`<th scope="row">volunteers</th><td class="num">30 %</td><td class="num">1</td><td class="num">1 (100.00 %)</td>`,
		`<th scope="row">users <span class="tag">drops out</span></th><td class="num">20 %</td><td class="num">1</td>`,
		`<th scope="row">partners <span class="tag">drops out</span></th><td class="num">20 %</td><td class="num">0</td>`)
	wantAll(t, section(t, body, "votes"), "votes",
		`<a href="/members/2">bob</a></th><td>workers</td><td>no</td>`,
		`<a href="/members/1">alice</a></th><td>workers</td><td>yes</td>`,
		`<a href="/members/4">&lt;script&gt;alert(1)&lt;/script&gt;</a></th><td>users</td><td>abstain</td>`)
	if strings.Contains(body, "To vote:") {
		t.Error("a closed poll's page tells how to vote")
	}
}

func TestPollPageOpen(t *testing.T) {
	f := newFixture(t)
	closes := now.Add(3 * day)
	poll := f.openPoll(t, bot.OpenPollRequest{Question: "Move the meetup to Thursday?", Options: []string{"thursday", "friday"},
		Mode: "member", QuorumPercent: 50, Closes: closes}).ID
	f.vote(t, poll, "github:alice", "friday")
	_, body := f.get(t, "GET", "/polls/"+poll)
	wantAll(t, body, "open poll page",
		`<span class="badge pending">Open: the figures are live</span>`,
		`<dt>Closes</dt><dd><time datetime="2026-03-04T12:00:00Z">4 Mar 2026 12:00 UTC</time></dd>`,
		"1 of the 4 members of the electorate voted: <strong>25.00 %</strong>, against a quorum of 50 %, not reached.",
		`<th scope="row">friday</th><td class="num">1</td>`, `width="100.00"`,
		`<code>docracy poll vote --poll `+poll+` --member M --option O</code>`)
	for _, unwanted := range []string{"tally entry", `id="colleges"`, "Adopted"} {
		if strings.Contains(body, unwanted) {
			t.Errorf("open poll page shows %q", unwanted)
		}
	}
}

func TestPollsList(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "GET", "/polls")
	wantAll(t, body, "empty list", "No poll has been opened yet.")
	closed, _ := f.collegePoll(t)
	open := f.openPoll(t, bot.OpenPollRequest{Question: "A second question?", Mode: "member", Closes: now.Add(time.Hour)}).ID
	_, body = f.get(t, "GET", "/polls")
	rows := section(t, body, "polls")
	wantAll(t, rows, "polls list",
		`<a href="/polls/`+open+`">A second question?</a></td><td>member</td><td><span class="badge pending">open</span></td>`,
		`<time datetime="2026-03-01T13:00:00Z">1 Mar 2026 13:00 UTC</time>`,
		`<a href="/polls/`+closed+`">Adopt the new statutes?</a></td><td>college</td><td>adopted</td>`)
	if strings.Index(rows, open) > strings.Index(rows, closed) {
		t.Error("polls are not listed newest first")
	}
	_, home := f.get(t, "GET", "/")
	wantAll(t, home, "home navigation", `<li><a href="/polls">Polls</a></li>`)
}

func TestPollPageRefusals(t *testing.T) {
	f := newFixture(t)
	for _, tt := range []struct {
		method, path string
		status       int
		says         string
	}{
		{"GET", "/polls/e999", http.StatusNotFound, "poll e999 does not exist"},
		{"GET", "/polls/e1", http.StatusNotFound, "poll e1 does not exist"}, // a credit, not a poll
		{"GET", "/polls/yes", http.StatusBadRequest, "give the poll&#39;s id, e.g. e42 or 42"},
		{"GET", "/polls/-3", http.StatusBadRequest, "give the poll&#39;s id"},
		{"POST", "/polls/e1", http.StatusMethodNotAllowed, "can only be read"},
		{"POST", "/polls", http.StatusMethodNotAllowed, "can only be read"},
	} {
		resp, body := f.get(t, tt.method, tt.path)
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.says) {
			t.Errorf("%s %s = %d, want %d saying %q:\n%s", tt.method, tt.path, resp.StatusCode, tt.status, tt.says, body)
		}
	}
}

// TestPollPageEscapes checks that a question, an option and a voter's
// name are shown as text wherever they appear.
func TestPollPageEscapes(t *testing.T) {
	f := newFixture(t)
	poll := f.openPoll(t, bot.OpenPollRequest{Question: `<script>alert("q")</script> & more?`,
		Options: []string{`<img src=x onerror=alert(1)>`, "no"}, Mode: "member"}).ID
	f.vote(t, poll, "4", `<img src=x onerror=alert(1)>`)
	for _, path := range []string{"/polls/" + poll, "/polls"} {
		_, body := f.get(t, "GET", path)
		for _, raw := range []string{"<script>", "<img src=x"} {
			if strings.Contains(body, raw) {
				t.Errorf("%s contains raw %s", path, raw)
			}
		}
		wantAll(t, body, path, `&lt;script&gt;alert(&#34;q&#34;)&lt;/script&gt; &amp; more?`)
	}
	_, body := f.get(t, "GET", "/polls/"+poll)
	wantAll(t, body, "escaped option", `<th scope="row">&lt;img src=x onerror=alert(1)&gt;</th><td class="num">1</td>`)
}

func wantAll(t *testing.T, body, what string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %s", what, want)
		}
	}
}
