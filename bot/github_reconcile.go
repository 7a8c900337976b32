package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/docracy/docracy/ledger"
)

// PRSource lists a repository's closed pull requests through GitHub's API;
// integrations/github implements it.
type PRSource interface {
	// ClosedPullRequests reads the closed pull requests of repo (owner/name),
	// most recently updated first, from page start on, and calls fn with
	// each page. It stops after the last page, after the first page that
	// reaches below since, or when fn fails.
	ClosedPullRequests(ctx context.Context, repo string, since time.Time, start int, fn func(PRPage) error) error
}

// PRPage is one page of a repository's closed pull requests.
type PRPage struct {
	Number int       // this page, from 1
	Next   int       // the page to read next; 0 when this one ends the walk
	Newest time.Time // the newest updated_at on the page, merged or not

	// PullRequests are the closed ones, merged or not, updated at or
	// after since, with their reviews: the merged ones earn their
	// authors' credits, and the reviews of all of them count.
	PullRequests []PullRequest
}

// ReconcileOptions tune one reconcile pass.
type ReconcileOptions struct {
	// Since, for a backfill, reads back to this time instead of from the
	// repository's watermark.
	Since time.Time

	// Progress, if set, is called after each page is stored.
	Progress func(ReconcileReport)
}

// ReconcileReport says what a reconcile pass did.
type ReconcileReport struct {
	Repo         string
	Since        time.Time // how far back the pass reads
	ResumedAt    int       // the page an interrupted pass resumed at; 0 when it began at 1
	Pages        int       // pages stored
	LastPage     int       // the number of the last page stored
	PullRequests int       // merged pull requests read
	Reviews      int       // reviews read, of merged pull requests or not
	Created      int       // entries added
	Done         bool      // the pass reached its end; Watermark is then the new one
	Watermark    time.Time
}

// Reconcile catches up what the webhooks missed in one repository: it
// reads the closed pull requests updated since the last pass (less
// Overlap), or since opts.Since, and credits the merged ones and the
// reviews of all of them by the same rules and keys as the webhook, so
// nothing is counted twice. Each page's credits are stored with the pass's progress in one
// transaction; a pass that fails resumes at the first page not done.
func (g *GitHub) Reconcile(ctx context.Context, src PRSource, repo string, opts ReconcileOptions) (ReconcileReport, error) {
	if !g.Rules.Allowed(repo) {
		return ReconcileReport{}, invalidf("repo", "repository %s is not in github.repos", repo)
	}
	state, err := g.Ledger.ReconcileState(ctx, repo)
	if err != nil {
		return ReconcileReport{}, fmt.Errorf("reconcile %s: %w", repo, err)
	}
	p := g.plan(state, opts.Since)
	rep := ReconcileReport{Repo: repo, Since: p.since, ResumedAt: p.resumedAt()}
	err = src.ClosedPullRequests(ctx, repo, p.since, p.start, func(page PRPage) error {
		if err := g.storePage(ctx, state, &p, page, &rep); err != nil {
			return err
		}
		if opts.Progress != nil {
			opts.Progress(rep)
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("reconcile %s: %w", repo, err)
	}
	g.logger().Info("github reconcile", "repo", repo, "since", p.since, "resumed_at", rep.ResumedAt, "pages", rep.Pages,
		"pull_requests", rep.PullRequests, "reviews", rep.Reviews, "created", rep.Created, "watermark", rep.Watermark)
	return rep, nil
}

// pass is where a reconcile pass starts and what it has seen so far.
type pass struct {
	since time.Time // the lower bound of updated_at
	start int       // the first page to read
	high  time.Time // the newest updated_at seen by the pass
}

func (p pass) resumedAt() int {
	if p.start > 1 {
		return p.start
	}
	return 0
}

// plan decides where a pass starts: where an interrupted pass of the same
// bounds stopped, else at page 1, reading back to since (a backfill), to
// the watermark less Overlap, or, on the first pass, Lookback.
func (g *GitHub) plan(s ledger.ReconcileState, since time.Time) pass {
	interrupted := s.NextPage > 0
	switch {
	case interrupted && (since.IsZero() || since.Equal(s.Since)):
		return pass{since: s.Since, start: s.NextPage, high: s.High}
	case !since.IsZero():
		return pass{since: since, start: 1}
	case !s.Watermark.IsZero():
		return pass{since: s.Watermark.Add(-g.Overlap), start: 1}
	}
	return pass{since: g.now().Add(-g.Lookback), start: 1}
}

// storePage credits one page and saves the progress with it.
func (g *GitHub) storePage(ctx context.Context, old ledger.ReconcileState, p *pass, page PRPage, rep *ReconcileReport) error {
	var cs []ledger.Contribution
	for _, pr := range page.PullRequests {
		if err := checkPullRequest(pr); err != nil {
			// One unusable pull request must not stop every pass here.
			g.logger().Warn("github reconcile: pull request left out", "repo", old.Repo, "number", pr.Number, "err", err)
			continue
		}
		c, skip, err := g.pullRequest(ctx, pr)
		if ErrorCode(err) == CodeInvalid {
			// A far-future merged_at is left out and logged, like a
			// pull request without an author: the pass goes on.
			g.logger().Warn("github reconcile: pull request left out", "repo", old.Repo, "number", pr.Number, "err", err)
			continue
		} else if err != nil {
			return fmt.Errorf("pull request #%d: %w", pr.Number, err)
		}
		if skip == "" {
			cs = append(cs, c)
		}
		for _, r := range pr.Reviews {
			r.PullRequest = pr
			r.PullRequest.Reviews = nil
			if checkReview(r) != nil {
				continue // a review by a deleted account: no one to credit
			}
			if err := g.checkReviewDate(r); err != nil {
				g.logger().Warn("github reconcile: review left out", "repo", old.Repo, "number", pr.Number, "review", r.ID, "err", err)
				continue
			}
			if c, skip := g.review(r); skip == "" {
				cs = append(cs, c)
			}
		}
		if pr.Merged {
			rep.PullRequests++
		}
		rep.Reviews += len(pr.Reviews)
	}
	if page.Newest.After(p.high) {
		p.high = page.Newest
	}
	next := ledger.ReconcileState{Repo: old.Repo, Watermark: old.Watermark, NextPage: page.Next, Since: p.since, High: p.high}
	if page.Next == 0 {
		next = ledger.ReconcileState{Repo: old.Repo, Watermark: watermark(old.Watermark, p.since, p.high)}
	}
	res, err := g.Ledger.WriteGitHub(ctx, ledger.GitHubWrite{Contributions: cs, State: &next})
	if err != nil {
		return fmt.Errorf("page %d: %w", page.Number, err)
	}
	for _, r := range res.Contributions {
		g.logCredits(r)
	}
	rep.Pages++
	rep.LastPage = page.Number
	rep.Created += res.Created()
	rep.Done, rep.Watermark = page.Next == 0, next.Watermark
	return nil
}

// watermark is the watermark after a complete pass: the newest updated_at
// it saw, provided the pass read back at least to the old watermark;
// otherwise (a backfill of recent weeks only) what lies between would be
// skipped by the next pass, so the old one stays.
func watermark(old, since, high time.Time) time.Time {
	if !old.IsZero() && since.After(old) {
		return old
	}
	if high.After(old) {
		return high
	}
	return old
}
