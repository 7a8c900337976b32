package github

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
)

// ReconcileBot is the part of the bot reconcile calls; *bot.GitHub
// implements it.
type ReconcileBot interface {
	Reconcile(ctx context.Context, src bot.PRSource, repo string, opts bot.ReconcileOptions) (bot.ReconcileReport, error)
}

var _ ReconcileBot = (*bot.GitHub)(nil)

// Reconciler catches up, repository by repository, the merged pull
// requests and reviews whose webhooks never arrived: at start-up and on
// the github.reconcile schedule.
type Reconciler struct {
	Bot    ReconcileBot
	Source bot.PRSource
	Repos  []string // owner/name

	Logger  *slog.Logger
	Metrics *Metrics

	running sync.Mutex // one pass at a time
}

// Run reconciles every repository in turn; one that fails does not stop
// the others. A pass still running makes Run return at once.
func (r *Reconciler) Run(ctx context.Context) error {
	if !r.running.TryLock() {
		r.logger().Info("github reconcile: a pass is still running, this one is skipped")
		return nil
	}
	defer r.running.Unlock()
	var errs []error
	for _, repo := range r.Repos {
		rep, err := r.Bot.Reconcile(ctx, r.Source, repo, bot.ReconcileOptions{})
		r.Metrics.credited("reconcile", rep.Created)
		if ctx.Err() != nil { // shutting down: not a failure
			r.logger().Info("github reconcile interrupted; the next pass resumes it", "repo", repo, "pages", rep.Pages)
			break
		}
		r.Metrics.reconciled(err)
		if err != nil {
			r.logger().Error("github reconcile failed; the next pass resumes it", "repo", repo, "pages", rep.Pages, "created", rep.Created, "err", err)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Schedule runs a pass now and then at each time of schedule (nil for
// none), until ctx ends and the pass in progress has returned.
func (r *Reconciler) Schedule(ctx context.Context, schedule cron.Schedule) {
	c := cron.New()
	if schedule != nil {
		c.Schedule(schedule, cron.FuncJob(func() { r.Run(ctx) }))
	}
	c.Start()
	r.Run(ctx)
	<-ctx.Done()
	<-c.Stop().Done()
}

func (r *Reconciler) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}
