package main_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// openWebPoll opens a member poll through the CLI while serve runs, and
// votes in it: alice and bob yes, carol no, so yes holds 2/3 of the
// expressed votes and 3 of the 4 members voted.
func openWebPoll(t *testing.T, dir, db string) string {
	t.Helper()
	closes := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	poll := strings.TrimSpace(mustRun(t, dir, "poll", "open", "--db", db, "--question", "Adopt the <b>statutes</b>?",
		"--mode", "member", "--quorum", "50", "--closes", closes))
	for member, option := range map[string]string{"github:alice": "yes", "github:bob": "yes", "github:carol": "no"} {
		mustRun(t, dir, "poll", "vote", "--db", db, "--poll", poll, "--member", member, "--option", option)
	}
	return poll
}

// checkPollPage follows the navigation to a poll's page and checks what a
// member sees there: the question as text, and bars drawn to the shares.
func checkPollPage(t *testing.T, ctx context.Context, poll string) {
	t.Helper()
	follow(t, ctx, chromedp.CSS(`header nav a[href="/polls"]`))
	follow(t, ctx, chromedp.CSS(`#polls th a[href="/polls/`+poll+`"]`))
	if got := run(t, ctx, "question", chromedp.Text(chromedp.CSS("h1"))); got != "Adopt the <b>statutes</b>?" {
		t.Errorf("h1 = %q, want the question as typed", got)
	}
	rows := run(t, ctx, "options", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#options tbody tr'), tr => tr.cells[0].textContent + ' ' + tr.cells[1].textContent + ' ' + tr.cells[2].textContent.trim())`))
	if diff := cmp.Diff([]string{"yes 2 66.67 %", "no 1 33.33 %", "abstain 0 0.00 %"}, rows); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	// The bar of yes is drawn 2/3 of its track's width, by the browser.
	ratio := run(t, ctx, "bar", chromedp.Evaluate[float64](`(bar => bar.querySelector('.fill').getBoundingClientRect().width /
		bar.querySelector('.track').getBoundingClientRect().width)(document.querySelector('#options tbody svg.bar'))`))
	if math.Abs(ratio-2.0/3) > 0.01 {
		t.Errorf("the yes bar fills %.3f of its track, want 0.667", ratio)
	}
	participation := run(t, ctx, "participation", chromedp.Text(chromedp.CSS("#participation p")))
	if !strings.HasPrefix(participation, "3 of the 4 members of the electorate voted: 75.00 %, against a quorum of 50 %, reached.") {
		t.Errorf("participation = %q", participation)
	}
}
