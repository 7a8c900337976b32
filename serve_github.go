package main

import (
	"context"
	"fmt"

	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/config"
	ghint "github.com/docracy/docracy/integrations/github"
)

// github mounts POST /github/webhook when GITHUB_WEBHOOK_SECRET is set,
// and runs reconcile at start-up and on github.reconcile when github.repos
// lists repositories.
func (s *server) github() error {
	webhook := s.cfg.GitHub.WebhookSecret != ""
	schedule, _ := reconcileSchedule(s.cfg.GitHub)
	if !webhook && schedule == nil {
		return nil
	}
	gh, err := newGitHub(s.cfg, s.ledger, s.log)
	if err != nil {
		return err
	}
	m := ghint.NewMetrics(s.metrics)
	if webhook {
		h := ghint.NewHandler(s.cfg.GitHub.WebhookSecret, gh, m)
		h.Logger = s.log
		s.mux.Handle("/github/webhook", h)
	}
	if schedule == nil {
		return nil
	}
	src, err := newGitHubClient(s.cfg, m, s.log)
	if err != nil {
		return err
	}
	rec := &ghint.Reconciler{Bot: gh, Source: src, Repos: s.cfg.GitHub.Repos, Logger: s.log, Metrics: m}
	s.singleton(func(ctx context.Context) { rec.Schedule(ctx, schedule) })
	return nil
}

// reconcileSchedule is reconcile's schedule, or nil; and why, for the
// integrations report.
func reconcileSchedule(g config.GitHub) (cron.Schedule, string) {
	switch {
	case len(g.Repos) == 0:
		return nil, "github.repos is empty: nothing to read"
	case g.Reconcile.Off():
		return nil, "github.reconcile is empty"
	}
	return g.Reconcile.Cron(), fmt.Sprintf("%d repositories at start-up and on %q", len(g.Repos), g.Reconcile)
}
