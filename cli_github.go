package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	ghint "github.com/docracy/docracy/integrations/github"
	"github.com/docracy/docracy/ledger"
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
	a, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer a.Close()
	return backfill(ctx, e, a, *repo, from)
}

func parseSince(s string) (time.Time, error) {
	if s == "" {
		return githubEpoch, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--since %q: give a date like 2026-01-31 or a time like 2026-01-31T12:00:00Z", s)
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

// githubRules are the scoring rules of the configuration, for GitHub.
func githubRules(cfg *config.Config) bot.GitHubRules {
	r := bot.GitHubRules{
		MergedPR: int64(cfg.Scoring.MergedPR), Review: int64(cfg.Scoring.Review),
		Labels: map[string]bot.LabelRule{}, Repos: cfg.GitHub.Repos, IgnoreUsers: cfg.GitHub.IgnoreUsers,
	}
	for name, l := range cfg.Scoring.Labels {
		r.Labels[name] = bot.LabelRule{Category: l.Category, Bonus: int64(l.Bonus), Skip: l.Skip}
	}
	return r
}

func newGitHub(cfg *config.Config, l *ledger.Ledger, log *slog.Logger) (*bot.GitHub, error) {
	rules := githubRules(cfg)
	if err := rules.Check(cfg.Scoring.Categories); err != nil {
		return nil, err
	}
	gh := bot.NewGitHub(l, rules)
	gh.Logger = log
	return gh, nil
}

func newGitHubClient(cfg *config.Config, m *ghint.Metrics, log *slog.Logger) (*ghint.Client, error) {
	c, err := ghint.NewClient(&http.Client{Timeout: time.Minute}, cfg.GitHub.APIURL, cfg.GitHub.Token, m)
	if err != nil {
		return nil, err
	}
	c.Logger = log
	return c, nil
}

// githubWebhookStatus is the webhook's line of the integrations report.
func githubWebhookStatus(cfg *config.Config) integration {
	if cfg.GitHub.WebhookSecret == "" {
		return integration{"github webhook", "off", "GITHUB_WEBHOOK_SECRET not set"}
	}
	return integration{"github webhook", "on", "GITHUB_WEBHOOK_SECRET is set"}
}

// startGitHub mounts POST /github/webhook when GITHUB_WEBHOOK_SECRET is set,
// and runs reconcile at start-up and on github.reconcile when github.repos
// lists repositories; the log says which and why.
func startGitHub(bg runner, cfg *config.Config, l *ledger.Ledger, mux *http.ServeMux, reg prometheus.Registerer, log *slog.Logger) error {
	webhook := cfg.GitHub.WebhookSecret != ""
	schedule, why := reconcileSchedule(cfg.GitHub)
	status := "off"
	if schedule != nil {
		status = "on"
	}
	log.Info("integration", "name", "github reconcile", "status", status, "reason", why)
	if !webhook && schedule == nil {
		return nil
	}
	gh, err := newGitHub(cfg, l, log)
	if err != nil {
		return err
	}
	m := ghint.NewMetrics(reg)
	if webhook {
		h := ghint.NewHandler(cfg.GitHub.WebhookSecret, gh, m)
		h.Logger = log
		mux.Handle("/github/webhook", h)
	}
	if schedule == nil {
		return nil
	}
	src, err := newGitHubClient(cfg, m, log)
	if err != nil {
		return err
	}
	rec := &ghint.Reconciler{Bot: gh, Source: src, Repos: cfg.GitHub.Repos, Logger: log, Metrics: m}
	bg.Go(func(ctx context.Context) { rec.Schedule(ctx, schedule) })
	return nil
}

// reconcileSchedule is reconcile's schedule, or nil and why it is off.
func reconcileSchedule(g config.GitHub) (cron.Schedule, string) {
	switch {
	case len(g.Repos) == 0:
		return nil, "github.repos is empty: nothing to read"
	case g.Reconcile.Off():
		return nil, "github.reconcile is empty"
	}
	return g.Reconcile.Cron(), fmt.Sprintf("%d repositories at start-up and on %q", len(g.Repos), g.Reconcile)
}
