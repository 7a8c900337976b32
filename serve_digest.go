package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/digest"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/prometheus/client_golang/prometheus"
)

// digest runs the digest schedule, posting where the configuration
// says; an empty digest.schedule turns it off.
func (s *server) digest() error {
	if s.digests == nil {
		return nil
	}
	log := s.log.With("part", "digest")
	poster, err := digestPoster(s.cfg.Discord, log)
	if err != nil {
		return err
	}
	sched := &bot.DigestScheduler{Digests: s.digests, Store: s.ledger, Poster: countPosts(poster, s.metrics),
		Now: time.Now, After: time.After, Backoff: 30 * time.Second, Logger: log}
	s.singleton(sched.Run)
	return nil
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
