package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/integrations/discord"
)

// discord mounts /discord/interactions when DISCORD_PUBLIC_KEY is set,
// and with DISCORD_TOKEN registers the commands (when the set changed)
// and connects the gateway, in the background so that a slow or
// unreachable Discord never holds up the server.
func (s *server) discord() error {
	d := s.cfg.Discord
	if d.Token == "" && d.PublicKey == "" {
		return nil
	}
	log := s.log.With("integration", "discord")
	m := discord.NewMetrics(s.metrics)
	rest, err := newDiscordREST(d.Token, d, m)
	if err != nil {
		return err
	}
	router := s.router(rest, m, log)
	if d.PublicKey != "" {
		key, err := discord.ParsePublicKey(d.PublicKey)
		if err != nil {
			return fmt.Errorf("DISCORD_PUBLIC_KEY: %w", err)
		}
		s.mux.Handle("/discord/interactions", &discord.Handler{Router: router, PublicKey: key, Metrics: m, Logger: log})
	}
	if d.Token != "" {
		gw := &discord.Gateway{Session: rest.Session, Router: router, Responder: rest, Logger: log}
		s.singleton(func(ctx context.Context) { keepRegistering(ctx, s.cfg, rest, log) })
		s.singleton(func(ctx context.Context) { runGateway(ctx, gw, log) })
	}
	s.bg.Go(func(ctx context.Context) { stopDiscord(ctx, router, log) })
	s.polls = router.Polls
	return nil
}

// router answers the commands with the server's services.
func (s *server) router(rest *discord.REST, m *discord.Metrics, log *slog.Logger) *discord.Router {
	router := discord.NewRouter(s.bot, s.community, discord.Roles(s.cfg.Discord.Roles), rest)
	router.GuildID, router.Metrics, router.Logger = s.cfg.Discord.GuildID, m, log
	router.Treasury, router.Assembly = s.treasury, s.assembly
	router.Polls = discord.NewPollBoard(s.assembly, s.ledger, rest, log)
	if s.digests != nil { // else /digest says the digest is off
		router.Digests = s.digests
	}
	return router
}

// stopDiscord waits, once ctx ends, for the deferred commands and the
// poll messages' pending edits to be delivered.
func stopDiscord(ctx context.Context, router *discord.Router, log *slog.Logger) {
	<-ctx.Done()
	wait, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := router.Wait(wait); err != nil {
		log.Warn("stop", "err", err)
	}
	if err := router.Polls.Stop(wait); err != nil {
		log.Warn("stop", "err", err)
	}
}

// keepRegistering registers the commands if they changed, retrying with
// backoff, as the gateway does, until Discord answers or ctx ends.
func keepRegistering(ctx context.Context, cfg *config.Config, rest *discord.REST, log *slog.Logger) {
	discord.Retry(ctx, time.Second, 5*time.Minute, func(ctx context.Context) error {
		appID, err := applicationID(ctx, rest, cfg.Discord)
		if err != nil {
			return err
		}
		wrote, err := discord.Register(ctx, rest, appID, cfg.Discord.GuildID, discord.Definitions(cfg.Scoring.Categories, cfg.CollegeNames()), true)
		if err != nil {
			return err
		}
		log.Info("commands", "registered", wrote, "guild", cfg.Discord.GuildID)
		return nil
	}, func(err error, wait time.Duration) {
		log.Error("register commands", "err", err, "retry_in", wait)
	})
}

// runGateway keeps the gateway open until ctx ends, retrying a failed
// connection with backoff.
func runGateway(ctx context.Context, gw *discord.Gateway, log *slog.Logger) {
	for backoff := time.Second; ; backoff = min(2*backoff, 5*time.Minute) {
		opened := make(chan error, 1)
		// Open does not take a context: wait for it here, but never past a stop.
		go func() { opened <- gw.Open() }()
		select {
		case err := <-opened:
			if err == nil {
				log.Info("gateway connected")
				<-ctx.Done()
				gw.Close()
				return
			}
			log.Error("gateway", "err", err, "retry_in", backoff)
		case <-ctx.Done():
			go func() {
				if <-opened == nil {
					gw.Close()
				}
			}()
			return
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
	}
}
