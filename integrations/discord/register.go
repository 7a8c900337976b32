package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// commandsAPI is the part of Discord's API that registration uses; *REST
// provides it.
type commandsAPI interface {
	Commands(ctx context.Context, appID, guildID string) ([]*discordgo.ApplicationCommand, error)
	Overwrite(ctx context.Context, appID, guildID string, cmds []*discordgo.ApplicationCommand) ([]*discordgo.ApplicationCommand, error)
}

// Register makes the application's commands (in guildID, or global when it
// is "") exactly cmds, with one bulk overwrite. With changedOnly, it first
// reads the registered set and writes nothing when it already matches, so a
// restart does not re-register (global changes take up to an hour to reach
// every client). It reports whether it wrote.
func Register(ctx context.Context, api commandsAPI, appID, guildID string, cmds []*discordgo.ApplicationCommand, changedOnly bool) (bool, error) {
	if appID == "" {
		return false, fmt.Errorf("register commands: no application id: set discord.application_id")
	}
	if changedOnly {
		have, err := api.Commands(ctx, appID, guildID)
		if err != nil {
			return false, fmt.Errorf("register commands: %w", err)
		}
		if sameCommands(have, cmds) {
			return false, nil
		}
	}
	if _, err := api.Overwrite(ctx, appID, guildID, cmds); err != nil {
		return false, fmt.Errorf("register commands: %w", err)
	}
	return true, nil
}

// sameCommands compares what users see of two command sets, leaving out
// what Discord adds (ids, versions) and how it spells defaults.
func sameCommands(a, b []*discordgo.ApplicationCommand) bool {
	return signature(a) == signature(b)
}

type commandShape struct {
	Name        string
	Type        discordgo.ApplicationCommandType
	Description string
	Permissions string
	Contexts    []discordgo.InteractionContextType
	Options     []optionShape
}

type optionShape struct {
	Type        discordgo.ApplicationCommandOptionType
	Name        string
	Description string
	Required    bool
	Choices     []string
	Min, Max    string
	MinLen      int
	MaxLen      int
	Options     []optionShape
}

func signature(cmds []*discordgo.ApplicationCommand) string {
	shapes := make([]commandShape, 0, len(cmds))
	for _, c := range cmds {
		s := commandShape{Name: c.Name, Type: max(c.Type, discordgo.ChatApplicationCommand), Description: c.Description, Options: optionShapes(c.Options)}
		if c.DefaultMemberPermissions != nil {
			s.Permissions = fmt.Sprint(*c.DefaultMemberPermissions)
		}
		if c.Contexts != nil {
			s.Contexts = *c.Contexts
		}
		shapes = append(shapes, s)
	}
	slices.SortFunc(shapes, func(x, y commandShape) int { return strings.Compare(x.Name, y.Name) })
	b, _ := json.Marshal(shapes) // plain structs always encode
	return string(b)
}

func optionShapes(opts []*discordgo.ApplicationCommandOption) []optionShape {
	var shapes []optionShape
	for _, o := range opts {
		s := optionShape{Type: o.Type, Name: o.Name, Description: o.Description, Required: o.Required,
			MaxLen: o.MaxLength, Options: optionShapes(o.Options)}
		if o.MinValue != nil {
			s.Min = fmt.Sprint(*o.MinValue)
		}
		if o.MaxValue != 0 {
			s.Max = fmt.Sprint(o.MaxValue)
		}
		if o.MinLength != nil {
			s.MinLen = *o.MinLength
		}
		for _, c := range o.Choices {
			s.Choices = append(s.Choices, c.Name+"="+fmt.Sprint(c.Value))
		}
		shapes = append(shapes, s)
	}
	return shapes
}

// Retry runs try until it succeeds or ctx ends, and returns ctx's error
// then. Between tries it calls failed and waits, first for first, then
// twice as long each time up to max: at start-up Discord may be briefly
// out of reach, and a command set never registered would leave the
// slash commands missing until the next restart.
func Retry(ctx context.Context, first, max time.Duration, try func(context.Context) error, failed func(err error, wait time.Duration)) error {
	for wait := first; ; wait = min(2*wait, max) {
		err := try(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		failed(err, wait)
		if err := bot.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}
