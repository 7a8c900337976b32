package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/digest"
	"github.com/docracy/docracy/integrations/discord"
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
func startDigest(bg runner, cfg *config.Config, l *ledger.Ledger, reg prometheus.Registerer, log *slog.Logger) error {
	if cfg.Digest.Schedule.Off() {
		return nil
	}
	log = log.With("part", "digest")
	poster, err := digestPoster(cfg.Discord, log)
	if err != nil {
		return err
	}
	s := &bot.DigestScheduler{Digests: digests(cfg, l), Store: l, Poster: countPosts(poster, reg),
		Now: time.Now, After: time.After, Backoff: 30 * time.Second, Logger: log}
	bg.Go(s.Run)
	return nil
}

// digests is the digest service of digest.schedule and digest.top, which
// the scheduler, /digest and docracy digest preview share.
func digests(cfg *config.Config, l bot.DigestLedger) *bot.Digests {
	return &bot.Digests{Ledger: l, Schedule: cfg.Digest.Schedule.Cron(), Top: cfg.Digest.Top}
}

// pollCloseInterval bounds the closer's sleep, so that a poll opened from
// the CLI while serve runs is closed at most this late.
const pollCloseInterval = time.Minute

// startPollCloser closes each poll at its closing time, and at start-up
// every poll whose time passed while docracy was down.
func startPollCloser(bg runner, a *bot.Assembly, announcer bot.PollAnnouncer, log *slog.Logger) {
	c := &bot.PollCloser{Assembly: a, Now: time.Now, After: time.After, Interval: pollCloseInterval,
		Logger: log.With("part", "polls"), Announcer: announcer}
	bg.Go(c.Run)
}

// digestPoster posts to the digest channel with the bot token, else
// through the webhook URL, else to the log.
func digestPoster(d config.Discord, log *slog.Logger) (bot.Poster, error) {
	switch {
	case d.Token != "" && d.DigestChannelID != "":
		rest, err := newDiscordREST(d.Token, d, nil)
		if err != nil {
			return nil, err
		}
		p := discord.ChannelPoster(rest, d.DigestChannelID)
		p.Chart = digest.Chart
		return p, nil
	case d.WebhookURL != "":
		rest, err := newDiscordREST("", d, nil)
		if err != nil {
			return nil, err
		}
		p, err := discord.WebhookPoster(rest, d.WebhookURL)
		if err != nil {
			return nil, err
		}
		p.Chart = digest.Chart
		return p, nil
	}
	return logPoster{log}, nil
}

// digestStatus says where digests go, for the start-up report.
func digestStatus(cfg *config.Config) integration {
	d := cfg.Discord
	switch {
	case cfg.Digest.Schedule.Off():
		return integration{"digest", "off", "digest.schedule is empty"}
	case d.Token != "" && d.DigestChannelID != "":
		return integration{"digest", "on", "posting to channel " + d.DigestChannelID + " as the bot"}
	case d.WebhookURL != "":
		return integration{"digest", "on", "posting through DISCORD_WEBHOOK_URL"}
	}
	return integration{"digest", "on", "posting to the log: set DISCORD_TOKEN and discord.digest_channel_id, or DISCORD_WEBHOOK_URL, to post to Discord"}
}

// logPoster posts the digest to the log, when Discord is off.
type logPoster struct{ log *slog.Logger }

func (p logPoster) PostDigest(ctx context.Context, d bot.Digest, nonce string) (string, error) {
	p.log.Info("digest", "period_start", d.Start, "period_end", d.End, "text", digest.Text(d))
	return "", nil
}

// countingPoster counts digest posts by outcome for /metrics.
type countingPoster struct {
	bot.Poster
	posts *prometheus.CounterVec
}

func countPosts(p bot.Poster, reg prometheus.Registerer) bot.Poster {
	posts := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "docracy_digest_posts_total", Help: "Digest posts by outcome (ok or error).",
	}, []string{"outcome"})
	reg.MustRegister(posts)
	return countingPoster{Poster: p, posts: posts}
}

func (p countingPoster) PostDigest(ctx context.Context, d bot.Digest, nonce string) (string, error) {
	id, err := p.Poster.PostDigest(ctx, d, nonce)
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	p.posts.WithLabelValues(outcome).Inc()
	return id, err
}
