package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/ledger"
)

// runDiscord runs "docracy discord register [--guild ID]": it bulk-
// overwrites the application's slash commands with this version's set, in
// discord.guild_id (instant) or globally.
func runDiscord(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "discord")
	guild := f.String("guild", "", "register in the server `ID`, overriding discord.guild_id; \"global\" registers globally")
	pos, err := f.parse(args, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] != "register" {
		return usagef("give the subcommand: docracy discord register [--guild ID]")
	}
	cfg, err := f.loadConfig(e)
	if err != nil {
		return err
	}
	guildID := cfg.Discord.GuildID
	switch *guild {
	case "":
	case "global":
		guildID = ""
	default:
		guildID = *guild
	}
	return registerCommands(ctx, e, cfg, guildID)
}

func registerCommands(ctx context.Context, e *env, cfg *config.Config, guildID string) error {
	if cfg.Discord.Token == "" {
		return fmt.Errorf("DISCORD_TOKEN is not set: registering commands needs the bot token")
	}
	rest, err := newDiscordREST(cfg.Discord.Token, cfg.Discord, nil)
	if err != nil {
		return err
	}
	appID, err := applicationID(ctx, rest, cfg.Discord)
	if err != nil {
		return err
	}
	defs := discord.Definitions(cfg.Scoring.Categories, cfg.CollegeNames())
	if _, err := discord.Register(ctx, rest, appID, guildID, defs, false); err != nil {
		return err
	}
	if guildID == "" {
		fmt.Fprintf(e.stdout, "registered %d commands globally (they may take up to an hour to appear)\n", len(defs))
	} else {
		fmt.Fprintf(e.stdout, "registered %d commands in server %s\n", len(defs), guildID)
	}
	return nil
}

func newDiscordREST(token string, d config.Discord, m *discord.Metrics) (*discord.REST, error) {
	session, err := discord.NewSession(token, discord.SessionOptions{BaseURL: d.APIURL, Metrics: m})
	if err != nil {
		return nil, err
	}
	return discord.NewREST(session, m), nil
}

// applicationID is discord.application_id, or Discord's answer when it is
// not set.
func applicationID(ctx context.Context, rest *discord.REST, d config.Discord) (string, error) {
	if d.ApplicationID != "" {
		return d.ApplicationID, nil
	}
	id, err := rest.ApplicationID(ctx)
	if err != nil {
		return "", fmt.Errorf("find the application id (or set discord.application_id): %w", err)
	}
	return id, nil
}

// runLink runs "docracy link --member discord:<id> --github <login>": a
// maintainer's confirmation, the same as /link member github on Discord.
// The GitHub account is recorded by login; its numeric id is filled in
// when GitHub first sends it.
func runLink(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "link")
	member := f.String("member", "", "the Discord account `M`, discord:<user id> (with --email: any member)")
	login := f.String("github", "", "the GitHub `LOGIN` to attach it to")
	email := f.String("email", "", "instead of --github: a commit e-mail `ADDRESS` of the member, for Co-authored-by trailers")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if *email != "" && *login != "" {
		return usagef("give --github or --email, not both")
	}
	if err := f.require("member"); err != nil {
		return err
	}
	if *email == "" {
		if err := f.require("github"); err != nil {
			return err
		}
	}
	a, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer a.Close()
	if *email != "" {
		return linkEmail(ctx, e, a, *member, *email)
	}
	c := bot.NewCommunity(a.bot, a.ledger, praiseRules(a.cfg))
	l, err := c.ConfirmLink(ctx, bot.LinkRequest{Member: *member, GitHub: *login, Actor: actor(e), Source: ledger.SourceCLI})
	if err != nil {
		return err
	}
	if l.Status == bot.LinkAlready {
		fmt.Fprintf(e.stderr, "%s and github:%s already belong to member %d: nothing added\n", *member, l.GitHub, l.Member.ID)
		return nil
	}
	fmt.Fprintln(e.stdout, l.Entry.Seq)
	if l.Merged != 0 {
		fmt.Fprintf(e.stderr, "member %d merged into member %d: %d entries carried over\n", l.Merged, l.Member.ID, l.Carried)
	}
	return nil
}

// linkEmail attaches a commit e-mail address to a member.
func linkEmail(ctx context.Context, e *env, a *app, member, email string) error {
	m, err := a.bot.ResolveMember(ctx, member)
	if err != nil {
		return err
	}
	linked, err := bot.LinkEmail(ctx, a.ledger, m, email)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s now credits member %d (%s) as a co-author\n", linked, m.ID, m.Name)
	return nil
}

func praiseRules(cfg *config.Config) bot.PraiseRules {
	return bot.NewPraiseRules(cfg.Scoring.Praise, cfg.Scoring.PraiseDailyCap, cfg.Scoring.Categories)
}

// discordGatewayStatus and discordInteractionsStatus are the integration's
// lines of the integrations report.
func discordGatewayStatus(cfg *config.Config) integration {
	if cfg.Discord.Token == "" {
		return integration{"discord gateway", "off", "DISCORD_TOKEN not set"}
	}
	return integration{"discord gateway", "on", "DISCORD_TOKEN is set"}
}

func discordInteractionsStatus(cfg *config.Config) integration {
	if cfg.Discord.PublicKey == "" {
		return integration{"discord interactions", "off", "DISCORD_PUBLIC_KEY not set"}
	}
	return integration{"discord interactions", "on", "DISCORD_PUBLIC_KEY is set"}
}

// startDiscord mounts /discord/interactions when DISCORD_PUBLIC_KEY
// is set, and with DISCORD_TOKEN registers the commands (when the set
// changed) and connects the gateway, in the background so that a slow or
// unreachable Discord never holds up the server.
func startDiscord(bg, single runner, cfg *config.Config, l *ledger.Ledger, b *bot.Bot, a *bot.Assembly, mux *http.ServeMux, reg prometheus.Registerer, log *slog.Logger) (bot.PollAnnouncer, error) {
	d := cfg.Discord
	if d.Token == "" && d.PublicKey == "" {
		return nil, nil
	}
	log = log.With("integration", "discord")
	m := discord.NewMetrics(reg)
	rest, err := newDiscordREST(d.Token, d, m)
	if err != nil {
		return nil, err
	}
	router, err := newRouter(cfg, l, b, rest, m, log)
	if err != nil {
		return nil, err
	}
	router.Assembly, router.Polls = a, discord.NewPollBoard(a, l, rest, log)
	if d.PublicKey != "" {
		key, err := discord.ParsePublicKey(d.PublicKey)
		if err != nil {
			return nil, fmt.Errorf("DISCORD_PUBLIC_KEY: %w", err)
		}
		mux.Handle("/discord/interactions", &discord.Handler{Router: router, PublicKey: key, Metrics: m, Logger: log})
	}
	if d.Token != "" {
		gw := &discord.Gateway{Session: rest.Session, Router: router, Responder: rest, Logger: log}
		single.Go(func(ctx context.Context) { keepRegistering(ctx, cfg, rest, log) })
		single.Go(func(ctx context.Context) { runGateway(ctx, gw, log) })
	}
	bg.Go(func(ctx context.Context) { stopDiscord(ctx, router, log) })
	return router.Polls, nil
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

func newRouter(cfg *config.Config, l *ledger.Ledger, b *bot.Bot, rest *discord.REST, m *discord.Metrics, log *slog.Logger) (*discord.Router, error) {
	c := bot.NewCommunity(b, l, praiseRules(cfg))
	profiles, err := newGitHubClient(cfg, nil, log)
	if err != nil {
		return nil, err
	}
	c.GitHub = profiles
	router := discord.NewRouter(b, c, discord.Roles(cfg.Discord.Roles), rest)
	router.GuildID, router.Metrics, router.Logger = cfg.Discord.GuildID, m, log
	if router.Treasury, err = newTreasury(cfg, l); err != nil {
		return nil, err
	}
	if !cfg.Digest.Schedule.Off() { // else /digest says the digest is off
		router.Digests = digests(cfg, l)
	}
	return router, nil
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
