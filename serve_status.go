package main

import (
	"log/slog"

	"github.com/docracy/docracy/config"
)

// The integrations report: what runs with this configuration and why, in
// the start-up log. Each line names the variables it depends on, never
// their values.

// integration is an optional part of the bot, and whether it runs.
type integration struct {
	Name   string
	Status string // "on" or "off"
	Reason string // why, naming variables and never their values
}

// integrations says which parts run with this configuration; each
// switches on with its secret or its schedule. It is the one place that
// says so: the server mounts what it reports on.
func integrations(cfg *config.Config) []integration {
	return []integration{
		githubWebhookStatus(cfg),
		githubReconcileStatus(cfg),
		discordGatewayStatus(cfg),
		discordInteractionsStatus(cfg),
		digestStatus(cfg),
	}
}

// logIntegrations names the variables, never their values.
func logIntegrations(log *slog.Logger, cfg *config.Config) {
	for _, in := range integrations(cfg) {
		log.Info("integration", "name", in.Name, "status", in.Status, "reason", in.Reason)
	}
}

// githubWebhookStatus is the webhook's line of the integrations report.
func githubWebhookStatus(cfg *config.Config) integration {
	if cfg.GitHub.WebhookSecret == "" {
		return integration{"github webhook", "off", "GITHUB_WEBHOOK_SECRET not set"}
	}
	return integration{"github webhook", "on", "GITHUB_WEBHOOK_SECRET is set"}
}

// githubReconcileStatus is reconcile's line of the integrations report.
func githubReconcileStatus(cfg *config.Config) integration {
	schedule, why := reconcileSchedule(cfg.GitHub)
	if schedule == nil {
		return integration{"github reconcile", "off", why}
	}
	return integration{"github reconcile", "on", why}
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
