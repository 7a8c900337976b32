package discord

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// level is who may run a command.
type level int

const (
	levelAnyone     level = iota // /help
	levelMember                  // discord.roles.member, or everyone when it is empty
	levelMaintainer              // discord.roles.maintainer
	// levelTreasurer is discord.roles.treasurer. It comes last so that
	// levelOf's max picks it, yet a maintainer is no treasurer: moving the
	// cooperative's money takes its own role.
	levelTreasurer
)

// command is one slash command: its definition, as registered with
// Discord, and how the router runs it.
type command struct {
	name        string
	description string
	options     []*discordgo.ApplicationCommandOption
	level       level
	// levelFor raises level for some options, e.g. /link for someone else.
	levelFor func(options) level
	// ephemeral commands answer only the caller, errors or not.
	ephemeral bool
	// permissions are Discord's default member permissions: who sees the
	// command before a server admin adjusts it. Our role check still applies.
	permissions *int64
	run         func(r *Router, ctx context.Context, q *request) (reply, error)
}

func (c *command) optionNames() []string {
	names := make([]string, len(c.options))
	for i, o := range c.options {
		names[i] = o.Name
	}
	return names
}

func (c *command) levelOf(o options) level {
	if c.levelFor != nil {
		return max(c.level, c.levelFor(o))
	}
	return c.level
}

// Option names, shared by the definitions and the handlers.
const (
	optMember   = "member"
	optPoints   = "points"
	optCategory = "category"
	optNote     = "note"
	optURL      = "url"
	optReason   = "reason"
	optWindow   = "window"
	optGitHub   = "github"
	optAddress  = "address"
	optEntry    = "entry"
	optAction   = "action"
	optPeriod   = "period"
	optCollege  = "college"
)

// The actions of /payout, /digest and /member.
const (
	actionPreview = "preview"
	actionClose   = "close"
	actionCollege = "college"
)

// The actions of the buttons docracy sends, the part of a custom id
// before the colon; the rest is the button's argument.
const (
	buttonPayoutClose  = "payout-close"
	buttonPayoutCancel = "payout-cancel"
)

var manageGuild = int64(discordgo.PermissionManageGuild)

// commandTable is every command docracy answers, in the order /help lists
// them. categories are scoring.categories and colleges the configured
// colleges, offered as choices; /member is left out when colleges are off.
func commandTable(categories, colleges []string) []*command {
	table := []*command{
		{name: "credit", description: "Credit a member for a contribution (maintainers)", level: levelMaintainer,
			permissions: &manageGuild, run: (*Router).credit, options: []*discordgo.ApplicationCommandOption{
				userOption(optMember, "Who made the contribution", true),
				intOption(optPoints, fmt.Sprintf("Points, 1 to %d", bot.MaxPoints), 1, bot.MaxPoints),
				categoryOption(categories, "The kind of contribution", true),
				stringOption(optNote, "What the contribution was", true, 1, bot.MaxNoteLen),
				stringOption(optURL, "A link to it (http or https)", false, 0, bot.MaxURLLen),
			}},
		{name: "praise", description: "Thank a member for their help; gives a few points", level: levelMember,
			run: (*Router).praise, options: []*discordgo.ApplicationCommandOption{
				userOption(optMember, "Who you praise", true),
				stringOption(optReason, "What they did", true, bot.MinPraiseReasonLen, bot.MaxPraiseReasonLen),
			}},
		{name: "rep", description: "Reputation, rank, categories and latest entries", level: levelMember,
			run: (*Router).rep, options: []*discordgo.ApplicationCommandOption{
				userOption(optMember, "Whose reputation (default: yours)", false),
			}},
		{name: "leaderboard", description: "Who earned the most points", level: levelMember,
			run: (*Router).leaderboard, options: []*discordgo.ApplicationCommandOption{
				windowOption(),
				categoryOption(categories, "Count only this kind of contribution", false),
			}},
		{name: "history", description: "A member's latest entries", level: levelMember,
			run: (*Router).history, options: []*discordgo.ApplicationCommandOption{
				userOption(optMember, "Whose history (default: yours)", false),
			}},
		{name: "link", description: "Link your Discord account to your GitHub account", level: levelMember,
			levelFor: linkLevel, ephemeral: true, run: (*Router).link, options: []*discordgo.ApplicationCommandOption{
				stringOption(optGitHub, "The GitHub login, e.g. octocat", true, 1, 100),
				userOption(optMember, "Maintainers: link this member instead of yourself", false),
			}},
		{name: "wallet", description: "Set the address your payouts go to (only you see it)", level: levelMember,
			ephemeral: true, run: (*Router).wallet, options: []*discordgo.ApplicationCommandOption{
				stringOption(optAddress, "Your IBAN or wallet address", true, bot.MinAddressLen, bot.MaxAddressLen),
			}},
		{name: "revoke", description: "Cancel a credit or praise entry (maintainers)", level: levelMaintainer,
			permissions: &manageGuild, run: (*Router).revoke, options: []*discordgo.ApplicationCommandOption{
				stringOption(optEntry, "The entry's number (seq) or id, e.g. 42 or e42", true, 1, 24),
				stringOption(optReason, "Why it is cancelled", true, 1, bot.MaxReasonLen),
			}},
		{name: "payout", description: "Preview or close a period's payout (treasurers)", level: levelTreasurer,
			ephemeral: true, permissions: &manageGuild, run: (*Router).payout, options: []*discordgo.ApplicationCommandOption{
				choiceOption(optAction, "Preview the run, or close it after a confirmation", actionPreview, actionClose),
				stringOption(optPeriod, "The period, e.g. 2026-11 or 2026-W48 (default: the one that ended last)", false, 0, 16),
			}},
		{name: "digest", description: "Preview the digest the schedule has due now (maintainers)", level: levelMaintainer,
			ephemeral: true, permissions: &manageGuild, run: (*Router).digest, options: []*discordgo.ApplicationCommandOption{
				choiceOption(optAction, "What to do with the digest", actionPreview),
			}},
		{name: "help", description: "What docracy's commands do", level: levelAnyone, ephemeral: true, run: (*Router).help},
	}
	if len(colleges) > 0 {
		table = slices.Insert(table, len(table)-1, memberCommand(colleges))
	}
	return table
}

// memberCommand is /member college member college: the action comes first,
// as in /payout, so that more about members can join it.
func memberCommand(colleges []string) *command {
	return &command{name: "member", description: "Place a member in a college (maintainers)", level: levelMaintainer,
		permissions: &manageGuild, run: (*Router).memberCollege, options: []*discordgo.ApplicationCommandOption{
			choiceOption(optAction, "What to do", actionCollege),
			userOption(optMember, "Who to place", true),
			choiceOption(optCollege, "The college they belong to from now on", colleges[:min(len(colleges), 25)]...),
		}}
}

// buttonTable is every button docracy answers, by the action of its
// custom id. A click belongs to the command that sent the button: it is
// authorized, counted and answered under that command's name.
func buttonTable() map[string]*command {
	return map[string]*command{
		buttonPayoutClose:  {name: "payout", level: levelTreasurer, ephemeral: true, run: (*Router).closePayout},
		buttonPayoutCancel: {name: "payout", level: levelTreasurer, ephemeral: true, run: (*Router).cancelPayout},
	}
}

// linkLevel: linking someone else is a maintainer's confirmation.
func linkLevel(o options) level {
	if _, ok := o[optMember]; ok {
		return levelMaintainer
	}
	return levelMember
}

func userOption(name, description string, required bool) *discordgo.ApplicationCommandOption {
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionUser, Name: name, Description: description, Required: required}
}

func intOption(name, description string, min, max int) *discordgo.ApplicationCommandOption {
	lo := float64(min)
	return &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionInteger, Name: name,
		Description: description, Required: true, MinValue: &lo, MaxValue: float64(max)}
}

func stringOption(name, description string, required bool, minLen, maxLen int) *discordgo.ApplicationCommandOption {
	o := &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: name,
		Description: description, Required: required, MaxLength: min(maxLen, 6000)}
	if minLen > 0 {
		o.MinLength = &minLen
	}
	return o
}

func categoryOption(categories []string, description string, required bool) *discordgo.ApplicationCommandOption {
	o := stringOption(optCategory, description, required, 0, 100)
	o.MaxLength = 0 // choices say it all
	for _, c := range categories[:min(len(categories), 25)] {
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
	}
	return o
}

// choiceOption is a required option whose values are the choices, each
// shown as it is.
func choiceOption(name, description string, choices ...string) *discordgo.ApplicationCommandOption {
	o := stringOption(name, description, true, 0, 0)
	for _, c := range choices {
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
	}
	return o
}

func windowOption() *discordgo.ApplicationCommandOption {
	o := stringOption(optWindow, "The time counted (default: all time)", false, 0, 0)
	o.MaxLength = 0
	for _, w := range []struct{ name, value string }{{"last 7 days", "7d"}, {"last 30 days", "30d"}, {"all time", "all"}} {
		o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: w.name, Value: w.value})
	}
	return o
}

// guildOnly keeps commands out of direct messages, where there is no
// server and so no roles to check.
var guildOnly = []discordgo.InteractionContextType{discordgo.InteractionContextGuild}

// Definitions are the slash commands as registered with Discord; colleges
// are the configured colleges' names, none when colleges are off.
func Definitions(categories, colleges []string) []*discordgo.ApplicationCommand {
	var defs []*discordgo.ApplicationCommand
	for _, c := range commandTable(categories, colleges) {
		defs = append(defs, &discordgo.ApplicationCommand{
			Type: discordgo.ChatApplicationCommand, Name: c.name, Description: c.description,
			Options: c.options, DefaultMemberPermissions: c.permissions, Contexts: &guildOnly,
		})
	}
	return defs
}

// checkOptions holds the options to the command's definition: required
// ones present, no unknown ones, numbers and lengths in range, choices
// among the offered ones.
func (c *command) checkOptions(o options) error {
	for name := range o {
		if !slices.Contains(c.optionNames(), name) {
			return invalidOption(name, "/%s has no option %s: the command changed, run it again from Discord's command picker", c.name, name)
		}
	}
	for _, def := range c.options {
		if err := checkOption(def, o); err != nil {
			return err
		}
	}
	return nil
}

func checkOption(def *discordgo.ApplicationCommandOption, o options) error {
	name := def.Name
	if _, ok := o[name]; !ok {
		if def.Required {
			return invalidOption(name, "%s is missing: fill it in (%s)", name, lowerFirst(def.Description))
		}
		return nil
	}
	switch def.Type {
	case discordgo.ApplicationCommandOptionInteger:
		n, _, err := o.Int(name)
		if err == nil && (def.MinValue != nil && float64(n) < *def.MinValue || def.MaxValue != 0 && float64(n) > def.MaxValue) {
			err = invalidOption(name, "%s %d: give a whole number from %.0f to %.0f", name, n, *def.MinValue, def.MaxValue)
		}
		return err
	case discordgo.ApplicationCommandOptionUser:
		_, err := o.User(name)
		return err
	case discordgo.ApplicationCommandOptionString:
		s, err := o.String(name)
		if err != nil {
			return err
		}
		return checkString(def, s)
	}
	return nil
}

func checkString(def *discordgo.ApplicationCommandOption, s string) error {
	name, n := def.Name, utf8.RuneCountInString(s)
	if len(def.Choices) > 0 {
		for _, c := range def.Choices {
			if c.Value == s {
				return nil
			}
		}
		return invalidOption(name, "%s %q: pick one of the offered choices", name, s)
	}
	if def.MinLength != nil && n < *def.MinLength || def.MaxLength > 0 && n > def.MaxLength {
		return invalidOption(name, "%s is %d characters long: give %d to %d", name, n, minLen(def), def.MaxLength)
	}
	return nil
}

func minLen(def *discordgo.ApplicationCommandOption) int {
	if def.MinLength == nil {
		return 0
	}
	return *def.MinLength
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
