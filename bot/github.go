package bot

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/docracy/docracy/ledger"
)

// GitHubUser is a GitHub account as an event names it.
type GitHubUser struct {
	ID    int64  // numeric id; 0 when only the login is known
	Login string // for display: logins change, ids do not
	Bot   bool   // the account's type is "Bot"
}

// PullRequest is a pull request as the webhook or the REST API describes
// it, normalised by integrations/github.
type PullRequest struct {
	Host      string // GitHub's host: github.com or an Enterprise host
	RepoID    int64  // the repository's numeric id: names change, ids do not
	Repo      string // owner/name
	Number    int
	Title     string
	Body      string // read for Co-authored-by trailers
	URL       string // the pull request's page
	Author    GitHubUser
	Labels    []string
	Merged    bool
	MergedAt  time.Time
	MergedBy  string // login of who merged it, when known
	UpdatedAt time.Time
	Reviews   []Review // filled in by reconcile; webhooks send reviews on their own
}

// Review is a submitted pull request review.
type Review struct {
	ID          int64
	Reviewer    GitHubUser
	State       string // approved, changes_requested, commented, … in any case
	SubmittedAt time.Time
	URL         string
	PullRequest PullRequest // the pull request reviewed
}

// Delivery names a webhook delivery: X-GitHub-Delivery and X-GitHub-Event.
type Delivery struct {
	ID    string
	Event string
}

// What a pull request or review came to.
const (
	OutcomeCredited   = "credited"   // entries were added
	OutcomeDuplicate  = "duplicate"  // credited before, by any path
	OutcomeRedelivery = "redelivery" // this very delivery was handled before
	OutcomeSkipped    = "skipped"    // the rules credit nothing
)

// GitHubOutcome is what a pull request or review came to.
type GitHubOutcome struct {
	Status  string
	Reason  string         // why it was skipped
	Entries []ledger.Entry // its credits: the new ones, or those stored before
}

// GitHubLedger is what crediting GitHub contributions needs from the
// ledger; *ledger.Ledger provides it.
type GitHubLedger interface {
	WriteGitHub(ctx context.Context, w ledger.GitHubWrite) (ledger.GitHubResult, error)
	ReconcileState(ctx context.Context, repo string) (ledger.ReconcileState, error)
	MemberByEmail(ctx context.Context, email string) (ledger.Member, error)
	MemberByAccount(ctx context.Context, p ledger.Platform, externalID string) (ledger.Member, error)
}

// Default reconcile windows.
const (
	// DefaultOverlap is how far before the watermark a reconcile pass
	// reads again: GitHub's lists settle a little after the fact.
	DefaultOverlap = time.Hour
	// DefaultLookback is how far back the first pass of a repository
	// reads; older history is for backfill.
	DefaultLookback = 30 * 24 * time.Hour
)

// GitHub credits merged pull requests and reviews by the rules, the
// same way whether they come by webhook, reconcile or backfill: each has
// a natural key (its source_ref, unique in the ledger), so it is credited
// once whatever path it comes by and however often.
type GitHub struct {
	Ledger GitHubLedger
	Rules  GitHubRules

	Overlap  time.Duration // see DefaultOverlap
	Lookback time.Duration // see DefaultLookback

	Now    func() time.Time // nil is time.Now
	Logger *slog.Logger     // nil logs nowhere
}

func (g *GitHub) now() time.Time       { return orNow(g.Now)() }
func (g *GitHub) logger() *slog.Logger { return orDiscard(g.Logger) }

// NewGitHub returns GitHub crediting on the real clock that logs nowhere
// until Logger is set.
func NewGitHub(l GitHubLedger, rules GitHubRules) *GitHub {
	return &GitHub{
		Ledger: l, Rules: rules, Overlap: DefaultOverlap, Lookback: DefaultLookback,
		Now: time.Now, Logger: slog.New(slog.DiscardHandler),
	}
}

// PullRequestMerged credits a merged pull request to its author and
// co-authors. d is the webhook delivery that brought it, recorded with the
// credits; a delivery handled before changes nothing.
func (g *GitHub) PullRequestMerged(ctx context.Context, d Delivery, pr PullRequest) (GitHubOutcome, error) {
	c, skip, err := g.pullRequest(ctx, pr)
	if err != nil {
		return GitHubOutcome{}, fmt.Errorf("credit pull request %s#%d: %w", pr.Repo, pr.Number, err)
	}
	return g.record(ctx, d, c, skip)
}

// ReviewSubmitted credits a review to its reviewer when the rules say so.
//
// A review counts when it is submitted, whatever becomes of the pull
// request: reviewing a change that is rightly turned down is work too
// (approving and change-requesting reviews are credited, not merges).
// The webhook credits it at once, on an open pull request as on a closed
// one; reconcile and backfill, which list closed pull requests, credit the
// reviews of the unmerged ones as of the merged ones. Its key is the
// review's id on every path, so a review seen before its pull request
// merges, then again by reconcile, is credited once.
func (g *GitHub) ReviewSubmitted(ctx context.Context, d Delivery, r Review) (GitHubOutcome, error) {
	if err := checkReview(r); err != nil {
		return GitHubOutcome{}, err
	}
	if err := g.checkReviewDate(r); err != nil {
		return GitHubOutcome{}, err
	}
	c, skip := g.review(r)
	return g.record(ctx, d, c, skip)
}

// record writes one contribution with its delivery in the same
// transaction; a contribution the rules skip writes nothing at all. A
// delivery recorded before makes the write a no-op: its redelivery, or a
// copy arriving at the same time, changes nothing.
func (g *GitHub) record(ctx context.Context, d Delivery, c ledger.Contribution, skip string) (GitHubOutcome, error) {
	if skip != "" {
		return GitHubOutcome{Status: OutcomeSkipped, Reason: skip}, nil
	}
	w := ledger.GitHubWrite{Contributions: []ledger.Contribution{c}}
	if d.ID != "" {
		w.Delivery = &ledger.Delivery{ID: d.ID, Event: d.Event}
	}
	res, err := g.Ledger.WriteGitHub(ctx, w)
	if err != nil {
		return GitHubOutcome{}, fmt.Errorf("github credit: %w", err)
	}
	if res.Redelivered {
		return GitHubOutcome{Status: OutcomeRedelivery}, nil
	}
	r := res.Contributions[0]
	g.logCredits(r)
	if r.Created == 0 {
		return GitHubOutcome{Status: OutcomeDuplicate, Entries: r.Entries}, nil
	}
	return GitHubOutcome{Status: OutcomeCredited, Entries: r.Entries}, nil
}

func (g *GitHub) logCredits(r ledger.ContributionResult) {
	if r.Created == 0 {
		return
	}
	for _, e := range r.Entries {
		g.logger().Info("credit", "seq", e.Seq, "member", e.Member, "points", e.Points,
			"category", e.Category, "source", e.Source, "source_ref", e.SourceRef)
	}
}

// prPrefix starts the natural keys of a pull request's credits:
// github:<host>:pr:<repo id>:<number>:author:<user id> for each author.
func prPrefix(pr PullRequest) string {
	return fmt.Sprintf("github:%s:pr:%d:%d:", pr.Host, pr.RepoID, pr.Number)
}

// reviewRef is a review's natural key: github:<host>:review:<review id>.
func reviewRef(r Review) string {
	return fmt.Sprintf("github:%s:review:%d", r.PullRequest.Host, r.ID)
}

// githubActor is who caused a GitHub credit: the GitHub user, or GitHub itself.
func githubActor(host, login string) string {
	if login == "" {
		return "github:" + host
	}
	return "github:" + login
}
