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
	// subs are the subcommands, e.g. /poll open; each is named "poll open"
	// and has its own options, level and handler.
	subs []*command
	// answerClick: a click on this command's buttons is answered with a
	// new message rather than by replacing the message clicked, which
	// others see too (a poll's).
	answerClick bool
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
	optQuestion = "question"
	optOptions  = "options"
	optMode     = "mode"
	optCloses   = "closes"
	optQuorum   = "quorum"
	optMajority = "majority"
	optPoll     = "poll"
	optOption   = "option"
)

// The actions of /payout, /digest and /member.
const (
	actionPreview = "preview"
	actionClose   = "close"
	actionReopen  = "reopen"
	actionCollege = "college"
)

// The actions of the buttons docracy sends, the part of a custom id
// before the colon; the rest is the button's argument.
const (
	buttonPayoutClose  = "payout-close"
	buttonPayoutCancel = "payout-cancel"
	buttonPayoutReopen = "payout-reopen" // payout-reopen:<period>:<reason>
	buttonPayoutKeep   = "payout-keep"
	buttonPoll         = "poll" // poll:<poll id>:<option index>
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
		{name: "payout", description: "Preview, close or reopen a period's payout (treasurers)", level: levelTreasurer,
			ephemeral: true, permissions: &manageGuild, run: (*Router).payout, options: []*discordgo.ApplicationCommandOption{
				choiceOption(optAction, "Preview the run, or close or reopen it after a confirmation", actionPreview, actionClose, actionReopen),
				stringOption(optPeriod, "The period, e.g. 2026-11 or 2026-W48 (default: the one that ended last)", false, 0, 16),
				stringOption(optReason, "Reopen: why the run is undone (kept in the ledger)", false, 0, maxReopenReason),
			}},
		{name: "digest", description: "Preview the digest the schedule has due now (maintainers)", level: levelMaintainer,
			ephemeral: true, permissions: &manageGuild, run: (*Router).digest, options: []*discordgo.ApplicationCommandOption{
				choiceOption(optAction, "What to do with the digest", actionPreview),
			}},
		pollCommand(),
		{name: "vote", description: "Vote in a poll, or change your vote (or click the poll's buttons)", level: levelMember,
			ephemeral: true, run: (*Router).vote, options: []*discordgo.ApplicationCommandOption{
				pollOption(),
				stringOption(optOption, "The option you choose, as the poll names it, e.g. yes", true, 1, bot.MaxOptionLength),
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

// pollCommand is /poll open|close|show. Opening and closing are for
// maintainers; anyone may look.
func pollCommand() *command {
	return &command{name: "poll", description: "Open, close or show a poll", level: levelMember, subs: []*command{
		{name: "poll open", description: "Open a poll with one button per option (maintainers)", level: levelMaintainer,
			ephemeral: true, run: (*Router).openPoll, options: []*discordgo.ApplicationCommandOption{
				stringOption(optQuestion, "What the members decide", true, 1, bot.MaxQuestionLength),
				stringOption(optOptions, "Comma-separated, 2 to 10 (default: yes,no,abstain)", false, 3, bot.MaxOptions*(bot.MaxOptionLength+1)),
				optional(choiceOption(optMode, "How votes count (default: college if the cooperative has colleges, else member)",
					string(bot.PollByMember), string(bot.PollByCollege), string(bot.PollByReputation))),
				stringOption(optCloses, "When it closes: a duration (3d, 12h, 90m) or RFC 3339 (default: by /poll close)", false, 2, 40),
				optional(intOption(optQuorum, "Percent of the electorate that must vote, 0 to 100 (default 0)", 0, 100)),
				optional(choiceOption(optMajority, "simple: more than half; two-thirds: at least 2/3 (default simple)",
					bot.MajoritySimple, bot.MajorityTwoThirds)),
			}},
		{name: "poll close", description: "Close a poll now and post its result (maintainers)", level: levelMaintainer,
			ephemeral: true, run: (*Router).closePoll, options: []*discordgo.ApplicationCommandOption{pollOption()}},
		{name: "poll show", description: "A poll's figures so far (only you see them)", level: levelMember,
			ephemeral: true, run: (*Router).showPoll, options: []*discordgo.ApplicationCommandOption{pollOption()}},
	}}
}

func pollOption() *discordgo.ApplicationCommandOption {
	return stringOption(optPoll, "The poll's id, e.g. e42", true, 1, 24)
}

// optional makes an option that is required by default optional.
func optional(o *discordgo.ApplicationCommandOption) *discordgo.ApplicationCommandOption {
	o.Required = false
	return o
}

// subName is the name Discord knows a subcommand by: "open" of "poll open".
func (c *command) subName() string { return c.name[strings.LastIndex(c.name, " ")+1:] }

// sub resolves the subcommand an interaction names, and returns its options.
func (c *command) sub(opts []*discordgo.ApplicationCommandInteractionDataOption) (*command, []*discordgo.ApplicationCommandInteractionDataOption, error) {
	if len(opts) == 1 && opts[0] != nil && opts[0].Type == discordgo.ApplicationCommandOptionSubCommand {
		for _, s := range c.subs {
			if s.subName() == opts[0].Name {
				return s, opts[0].Options, nil
			}
		}
	}
	names := make([]string, len(c.subs))
	for i, s := range c.subs {
		names[i] = s.subName()
	}
	return c, nil, refused("/%s needs one of %s: pick it from Discord's command picker", c.name, strings.Join(names, ", "))
}

// buttonTable is every button docracy answers, by the action of its
// custom id. A click belongs to the command that sent the button: it is
// authorized, counted and answered under that command's name.
func buttonTable() map[string]*command {
	return map[string]*command{
		buttonPayoutClose:  {name: "payout", level: levelTreasurer, ephemeral: true, run: (*Router).closePayout},
		buttonPayoutCancel: {name: "payout", level: levelTreasurer, ephemeral: true, run: (*Router).cancelPayout},
		buttonPayoutReopen: {name: "payout", level: levelTreasurer, ephemeral: true, run: (*Router).reopenPayout},
		buttonPayoutKeep:   {name: "payout", level: levelTreasurer, ephemeral: true, run: (*Router).keepPayout},
		buttonPoll:         {name: "vote", level: levelMember, ephemeral: true, answerClick: true, run: (*Router).clickVote},
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
			Options: c.definedOptions(), DefaultMemberPermissions: c.permissions, Contexts: &guildOnly,
		})
	}
	return defs
}

// definedOptions are the options as registered: a command's own, or its
// subcommands with theirs.
func (c *command) definedOptions() []*discordgo.ApplicationCommandOption {
	if len(c.subs) == 0 {
		return c.options
	}
	opts := make([]*discordgo.ApplicationCommandOption, len(c.subs))
	for i, s := range c.subs {
		opts[i] = &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommand,
			Name: s.subName(), Description: s.description, Options: s.options}
	}
	return opts
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
