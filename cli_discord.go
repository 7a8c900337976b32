package main

import (
	"context"
	"fmt"

	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/integrations/discord"
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
