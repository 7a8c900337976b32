package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/integrations/discord"
	ghint "github.com/docracy/docracy/integrations/github"
	"github.com/docracy/docracy/ledger"
)

// The bot's services, built from the configuration the same way for
// serve and for the commands that need one.

// newBot is the bot's record use cases over l, with the configured
// colleges.
func newBot(cfg *config.Config, l *ledger.Ledger, log *slog.Logger) *bot.Bot {
	b := bot.New(l, cfg.Scoring.Categories)
	b.Colleges, b.Logger = colleges(cfg), log
	return b
}

// newCommunity is the members' use cases (praise, links, wallets) under
// the configured praise rules.
func newCommunity(cfg *config.Config, l *ledger.Ledger, b *bot.Bot) *bot.Community {
	return bot.NewCommunity(b, l, bot.NewPraiseRules(cfg.Scoring.Praise, cfg.Scoring.PraiseDailyCap, cfg.Scoring.Categories))
}

func openLedger(ctx context.Context, cfg *config.Config) (*ledger.Ledger, error) {
	return ledger.Open(ctx, cfg.Database, ledger.Options{HalfLife: cfg.Scoring.HalfLife()})
}

// colleges are the configured colleges in name order, as the bot offers
// them.
func colleges(cfg *config.Config) []bot.College {
	out := make([]bot.College, 0, len(cfg.Colleges))
	for _, name := range cfg.CollegeNames() {
		out = append(out, bot.College{Name: name, Roles: cfg.Colleges[name].Roles})
	}
	return out
}

// newTreasury wires the payouts configuration to the ledger.
func newTreasury(cfg *config.Config, l *ledger.Ledger) (*bot.Treasury, error) {
	rules, err := payoutRules(cfg)
	if err != nil {
		return nil, err
	}
	return &bot.Treasury{Ledger: l, Rules: rules, Now: time.Now}, nil
}

// payoutRules parses the payouts section; config has checked its syntax.
// Periods follow the digest's time zone (CRON_TZ of digest.schedule).
func payoutRules(cfg *config.Config) (bot.PayoutRules, error) {
	p := cfg.Payouts
	budget, err := ledger.ParseAmount(p.Budget, p.Decimals)
	if err != nil {
		return bot.PayoutRules{}, fmt.Errorf("config: payouts.budget: %w", err)
	}
	minAmount, err := ledger.ParseAmount(p.MinAmount, p.Decimals)
	if err != nil {
		return bot.PayoutRules{}, fmt.Errorf("config: payouts.min_amount: %w", err)
	}
	return bot.PayoutRules{
		Currency: p.Currency, Decimals: p.Decimals, Period: bot.PeriodKind(p.Period), Budget: budget,
		Policy: bot.Policy(p.Policy), MinAmount: minAmount, MaxSharePercent: p.MaxSharePercent,
		ExcludeColleges: p.ExcludeColleges, ExcludeMembers: p.ExcludeMembers,
		Location: cfg.Digest.Location(),
	}, nil
}

// newAssembly wires the colleges of the configuration to the polls; a
// configuration that gives no weights means equal weights.
func newAssembly(cfg *config.Config, l *ledger.Ledger, b *bot.Bot) *bot.Assembly {
	weights := map[string]int64{}
	equal := true
	for _, c := range cfg.Colleges {
		equal = equal && c.Weight == 0
	}
	for name, c := range cfg.Colleges {
		weights[name] = int64(c.Weight)
		if equal {
			weights[name] = 1
		}
	}
	return &bot.Assembly{Ledger: l, Bot: b, Colleges: weights, Now: time.Now}
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

// digests is the digest service of digest.schedule and digest.top, which
// the scheduler, /digest and docracy digest preview share.
func digests(cfg *config.Config, l bot.DigestLedger) *bot.Digests {
	return &bot.Digests{Ledger: l, Schedule: cfg.Digest.Schedule.Cron(), Top: cfg.Digest.Top}
}
