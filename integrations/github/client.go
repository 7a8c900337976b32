package github

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/docracy/docracy/bot"
)

// Client defaults.
const (
	DefaultPerPage = 100
	DefaultMaxWait = time.Hour + time.Minute // a primary rate limit resets within the hour
	DefaultRetries = 6
)

// Client reads a repository's closed pull requests and their reviews
// through GitHub's REST API with go-github; it is the bot.PRSource of
// reconcile and backfill. Rate limits are waited out (bounded and logged)
// and server errors retried with backoff, on the page that failed, so a
// pass resumes where it was rather than from the start.
type Client struct {
	PerPage int           // pull requests per page, at most 100
	MaxWait time.Duration // the longest wait for a rate limit; beyond, the pass fails and resumes next time
	Retries int           // waits and retries per request before giving up

	// Now and Sleep are the clock (nil: the real one); tests give their
	// own so that nothing really waits.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error

	Logger *slog.Logger // nil logs nowhere

	build   func() (*github.Client, error)
	metrics *Metrics

	mu sync.Mutex
	gh *github.Client
}

var _ bot.PRSource = (*Client)(nil)

// NewClient returns a client of the API at apiURL ("" for api.github.com,
// https://HOST/api/v3/ for GitHub Enterprise), authenticated with token if
// one is given: public repositories need none, but the anonymous rate
// limit is low. httpClient may be nil; m may be nil.
func NewClient(httpClient *http.Client, apiURL, token string, m *Metrics) (*Client, error) {
	build := func() (*github.Client, error) {
		gh := github.NewClient(httpClient)
		if token != "" {
			gh = gh.WithAuthToken(token)
		}
		if apiURL != "" {
			return gh.WithEnterpriseURLs(apiURL, apiURL)
		}
		return gh, nil
	}
	gh, err := build()
	if err != nil {
		return nil, fmt.Errorf("github api_url %q: %w", apiURL, err)
	}
	return &Client{
		PerPage: DefaultPerPage, MaxWait: DefaultMaxWait, Retries: DefaultRetries,
		Now: time.Now, Sleep: bot.Sleep, Logger: slog.New(slog.DiscardHandler),
		build: build, metrics: m, gh: gh,
	}, nil
}

func (c *Client) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep == nil {
		return bot.Sleep(ctx, d)
	}
	return c.Sleep(ctx, d)
}

// ClosedPullRequests implements bot.PRSource with PullRequests.List
// (closed, most recently updated first) and PullRequests.ListReviews.
func (c *Client) ClosedPullRequests(ctx context.Context, repo string, since time.Time, start int, fn func(bot.PRPage) error) error {
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" {
		return fmt.Errorf("repository %q: give it as owner/name", repo)
	}
	opts := &github.PullRequestListOptions{
		State: "closed", Sort: "updated", Direction: "desc",
		ListOptions: github.ListOptions{Page: max(start, 1), PerPage: c.PerPage},
	}
	for {
		page, err := c.page(ctx, owner, name, since, opts)
		if err != nil {
			return err
		}
		if err := fn(page); err != nil {
			return err
		}
		if page.Next == 0 {
			return nil
		}
		opts.Page = page.Next
	}
}

// page reads one page of pull requests and the reviews of each, merged or
// not: a review counts whatever becomes of the pull request it reviews
// (see bot.GitHub.ReviewSubmitted).
func (c *Client) page(ctx context.Context, owner, name string, since time.Time, opts *github.PullRequestListOptions) (bot.PRPage, error) {
	var prs []*github.PullRequest
	resp, err := c.do(ctx, fmt.Sprintf("list %s/%s pull requests, page %d", owner, name, opts.Page), func(gh *github.Client) (resp *github.Response, err error) {
		prs, resp, err = gh.PullRequests.List(ctx, owner, name, opts)
		return resp, err
	})
	if err != nil {
		return bot.PRPage{}, err
	}
	page := bot.PRPage{Number: opts.Page, Next: resp.NextPage}
	for _, p := range prs {
		updated := p.GetUpdatedAt().Time
		if updated.After(page.Newest) {
			page.Newest = updated
		}
		if updated.Before(since) {
			page.Next = 0 // newest first: the rest is older still
			continue
		}
		pr, err := pullRequest(p, nil, "pull_request")
		if err != nil {
			c.logger().Warn("github api: pull request left out", "repo", owner+"/"+name, "number", p.GetNumber(), "err", err)
			continue
		}
		if pr.Reviews, err = c.reviews(ctx, owner, name, pr); err != nil {
			return bot.PRPage{}, err
		}
		page.PullRequests = append(page.PullRequests, pr)
	}
	return page, nil
}

// reviews reads every review of a pull request.
func (c *Client) reviews(ctx context.Context, owner, name string, pr bot.PullRequest) ([]bot.Review, error) {
	var reviews []bot.Review
	opts := &github.ListOptions{PerPage: 100}
	for {
		var rs []*github.PullRequestReview
		resp, err := c.do(ctx, fmt.Sprintf("list reviews of %s/%s#%d, page %d", owner, name, pr.Number, max(opts.Page, 1)), func(gh *github.Client) (resp *github.Response, err error) {
			rs, resp, err = gh.PullRequests.ListReviews(ctx, owner, name, pr.Number, opts)
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if rv, err := review(r, pr, "review"); err == nil {
				reviews = append(reviews, rv)
			}
		}
		if resp.NextPage == 0 {
			return reviews, nil
		}
		opts.Page = resp.NextPage
	}
}
