package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestMemberPage(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(t, "GET", "/members/github:alice")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d:\n%s", resp.StatusCode, body)
	}
	for _, want := range []string{
		"<title>alice · docracy</title>", "<h1>alice</h1>", `<span class="account">github:alice</span>`,
		// No decay in the fixture: reputation is points, and bob's 24 rank first.
		`<dd id="reputation">7</dd>`, `<dt>Rank</dt><dd>2</dd>`, `<dt>Lifetime points</dt><dd>7</dd>`,
		`<th scope="row">code</th><td class="num">5</td><td class="num">5</td>`,
		`<th scope="row">review</th><td class="num">2</td><td class="num">2</td>`,
		`<th scope="row">e1</th>`, `<a href="https://github.com/coop/repo/pull/7" rel="nofollow ugc">make the leaderboard faster</a>`,
		`<th scope="row">e4</th>`,
		`<figcaption id="chart-summary">Reputation from 20 Jan 2026 to 1 Mar 2026: 7 now, highest 7 on 1 Mar 2026.</figcaption>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("member page lacks %s", want)
		}
	}
	points := regexp.MustCompile(`<polyline class="line" points="([^"]*)"`).FindStringSubmatch(body)
	if points == nil || len(strings.Fields(points[1])) != 60 {
		t.Errorf("chart polyline = %v, want 60 points", points)
	}
	if strings.Contains(body, "FR76") {
		t.Error("a page shows a payout address")
	}
}

// TestMemberPageEmpty checks the page of a member who has earned nothing
// yet: no chart, no rows, and a word for each.
func TestMemberPageEmpty(t *testing.T) {
	f := newFixture(t)
	m, err := f.ledger.CreateMember(context.Background(), "newcomer", "users")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := f.get(t, "GET", "/members/"+itoa(m.ID))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	for _, want := range []string{
		"college users", `<dd id="reputation">0</dd>`, "<dt>Rank</dt><dd>—</dd>",
		"No points yet, so no curve to draw.", "No points in any category yet.", "No entries yet.",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, "<svg") {
		t.Error("the page draws a chart of nothing")
	}
}
