package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/ledger"
)

// background runs the bot's loops (schedules, sessions) beside the HTTP
// server; stop cancels them and waits, so that none outlives the ledger.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newBackground(ctx context.Context) *background {
	ctx, cancel := context.WithCancel(ctx)
	return &background{ctx: ctx, cancel: cancel}
}

// Go runs fn until the background stops.
func (b *background) Go(fn func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn(b.ctx)
	}()
}

func (b *background) stop() {
	b.cancel()
	b.wg.Wait()
}

// startDigest runs the digest schedule, posting where the configuration
// says; an empty digest.schedule turns it off.
func startDigest(bg *background, cfg *config.Config, l *ledger.Ledger, poster bot.Poster, log *slog.Logger) error {
	if cfg.Digest.Schedule == "" {
		return nil
	}
	schedule, err := cron.ParseStandard(cfg.Digest.Schedule)
	if err != nil {
		return err // config has validated it; kept for safety
	}
	s := &bot.DigestScheduler{Store: l, Poster: poster, Schedule: schedule, Top: cfg.Digest.Top,
		Now: time.Now, After: time.After, Backoff: 30 * time.Second, Logger: log.With("part", "digest")}
	bg.Go(s.Run)
	return nil
}

// logPoster posts the digest to the log, when Discord is off.
type logPoster struct{ log *slog.Logger }

func (p logPoster) PostDigest(ctx context.Context, d bot.Digest, nonce string) (string, error) {
	p.log.Info("digest", "period_start", d.Start, "period_end", d.End, "text", d.Text())
	return "", nil
}
