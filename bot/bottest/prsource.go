// Package bottest holds contract suites for the ports bot declares: each
// runs the same scenarios over every implementation of a port, so that
// the in-memory fakes bot's tests use behave as the real adapters do.
package bottest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
)

// NewPRSource returns a PRSource of repository Repo holding prs (closed,
// merged or not, with their reviews), listing perPage pull requests a page.
type NewPRSource func(t *testing.T, prs []bot.PullRequest, perPage int) bot.PRSource

// Repo is the repository the PRSource contract reads.
const Repo = "docracy/coop"

// ContractPulls are the pull requests of the contract: #1 to #7 by user
// 1000+n (login memberN), closed n hours before now, merged when n is odd;
// #2 carries one approving review, 9002 by octocat (583231).
func ContractPulls(now time.Time) []bot.PullRequest {
	var prs []bot.PullRequest
	for n := 1; n <= 7; n++ {
		at := now.Add(-time.Duration(n) * time.Hour)
		pr := bot.PullRequest{Host: "github.com", RepoID: 4242, Repo: Repo, Number: n, Title: fmt.Sprintf("Change %d", n),
			URL:    fmt.Sprintf("https://github.com/docracy/coop/pull/%d", n),
			Author: bot.GitHubUser{ID: int64(1000 + n), Login: fmt.Sprintf("member%d", n)}, UpdatedAt: at, Merged: n%2 == 1}
		if pr.Merged {
			pr.MergedAt = at
		}
		prs = append(prs, pr)
	}
	prs[1].Reviews = []bot.Review{{ID: 9002, Reviewer: bot.GitHubUser{ID: 583231, Login: "octocat"}, State: "APPROVED",
		SubmittedAt: now.Add(-3 * time.Hour)}}
	return prs
}

// seenPage is what a walk shows of a page: the fields reconcile relies on.
type seenPage struct {
	Number, Next int
	Newest       time.Time
	Pulls        []string // "#n by id merged? reviews"
}

func walk(t *testing.T, src bot.PRSource, since time.Time, start int, stopAfter int) ([]seenPage, error) {
	t.Helper()
	var pages []seenPage
	err := src.ClosedPullRequests(context.Background(), Repo, since, start, func(p bot.PRPage) error {
		seen := seenPage{Number: p.Number, Next: p.Next, Newest: p.Newest.UTC()}
		for _, pr := range p.PullRequests {
			var reviews []int64
			for _, r := range pr.Reviews {
				reviews = append(reviews, r.ID)
			}
			seen.Pulls = append(seen.Pulls, fmt.Sprintf("#%d by %d merged=%t reviews=%v", pr.Number, pr.Author.ID, pr.Merged, reviews))
		}
		pages = append(pages, seen)
		if len(pages) == stopAfter {
			return errStop
		}
		return nil
	})
	return pages, err
}

var errStop = errors.New("stop here")

// RunPRSourceContract runs the scenarios every PRSource must pass over
// the source newSource builds, holding ContractPulls(now) three a page.
func RunPRSourceContract(t *testing.T, now time.Time, newSource NewPRSource) {
	hour := func(n int) time.Time { return now.Add(-time.Duration(n) * time.Hour).UTC() }
	pull := func(n int) string {
		reviews := "[]"
		if n == 2 {
			reviews = "[9002]"
		}
		return fmt.Sprintf("#%d by %d merged=%t reviews=%s", n, 1000+n, n%2 == 1, reviews)
	}
	for _, tt := range []struct {
		name      string
		since     time.Time
		start     int
		stopAfter int
		want      []seenPage
		wantErr   error
	}{
		{name: "every page, newest first, merged or not, with reviews", start: 1, want: []seenPage{
			{1, 2, hour(1), []string{pull(1), pull(2), pull(3)}},
			{2, 3, hour(4), []string{pull(4), pull(5), pull(6)}},
			{3, 0, hour(7), []string{pull(7)}}}},
		{name: "stops at the first page that reaches below since", since: hour(4).Add(-30 * time.Minute), start: 1, want: []seenPage{
			{1, 2, hour(1), []string{pull(1), pull(2), pull(3)}},
			{2, 0, hour(4), []string{pull(4)}}}},
		{name: "resumes at the page given", start: 2, want: []seenPage{
			{2, 3, hour(4), []string{pull(4), pull(5), pull(6)}},
			{3, 0, hour(7), []string{pull(7)}}}},
		{name: "stops when fn fails, with its error", start: 1, stopAfter: 1, wantErr: errStop, want: []seenPage{
			{1, 2, hour(1), []string{pull(1), pull(2), pull(3)}}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(t, ContractPulls(now), 3)
			got, err := walk(t, src, tt.since, tt.start, tt.stopAfter)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("walk: %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("pages (-want +got):\n%s", diff)
			}
		})
	}
}
