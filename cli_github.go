package main

import (
	"context"
	"fmt"
	"time"

	"github.com/docracy/docracy/bot"
)

// githubEpoch is when GitHub opened: a backfill without --since reads
// everything since.
var githubEpoch = time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)

// runGitHub runs "docracy github backfill --repo owner/name [--since DATE]":
// the reconcile pass by hand, over a chosen period, with a progress line
// per page. Interrupted, it resumes at the first page not done.
func runGitHub(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "github")
	repo := f.String("repo", "", "the repository `owner/name` to read")
	since := f.String("since", "", "read pull requests updated since `DATE` (2026-01-31 or RFC 3339); default: all")
	pos, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] != "backfill" {
		return usagef("give the subcommand: docracy github backfill --repo owner/name [--since DATE]")
	}
	if err := f.require("repo"); err != nil {
		return err
	}
	from, err := parseSince(*since)
	if err != nil {
		return err
	}
	return f.withApp(ctx, e, true, func(a *app) error {
		return backfill(ctx, e, a, *repo, from)
	})
}

func parseSince(s string) (time.Time, error) {
	if s == "" {
		return githubEpoch, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		return time.Time{}, usagef("--since %q: give a date like 2026-01-31 or a time like 2026-01-31T12:00:00Z", s)
	}
	// GitHub holds nothing older, and a zero Since (0001-01-01) would read
	// as no --since: the reconcile would resume from its watermark.
	if t.Before(githubEpoch) {
		return githubEpoch, nil
	}
	return t, nil
}

func backfill(ctx context.Context, e *env, a *app, repo string, since time.Time) error {
	gh, err := newGitHub(a.cfg, a.ledger, a.bot.Logger)
	if err != nil {
		return err
	}
	if !gh.Rules.Allowed(repo) {
		return usagef("--repo %s is not in github.repos: add it there first", repo)
	}
	src, err := newGitHubClient(a.cfg, nil, a.bot.Logger)
	if err != nil {
		return err
	}
	rep, err := gh.Reconcile(ctx, src, repo, bot.ReconcileOptions{Since: since, Progress: func(r bot.ReconcileReport) {
		fmt.Fprintf(e.stderr, "%s: page %d done: %d merged pull requests, %d reviews, %d entries added\n",
			r.Repo, r.LastPage, r.PullRequests, r.Reviews, r.Created)
	}})
	if err != nil {
		return fmt.Errorf("%w (run the same command again to resume)", err)
	}
	fmt.Fprintf(e.stdout, "%s: %d merged pull requests and %d reviews read since %s, %d entries added\n",
		repo, rep.PullRequests, rep.Reviews, rep.Since.Format(time.DateOnly), rep.Created)
	return nil
}
