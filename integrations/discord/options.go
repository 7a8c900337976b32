package discord

import (
	"fmt"
	"math"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// options are a command's options by name. Discord checks them against
// the registered definitions, but a definition may be stale (registered by
// an older docracy) and the HTTP endpoint takes whatever is signed, so
// every value is checked again here, its type included: a malformed option
// becomes an error naming it, never a panic.
type options map[string]*discordgo.ApplicationCommandInteractionDataOption

// maxOptions bounds what a payload may carry; no command has half as many.
const maxOptions = 25

func parseOptions(given []*discordgo.ApplicationCommandInteractionDataOption) (options, error) {
	if len(given) > maxOptions {
		return nil, invalidOption("", "too many options: run the command again from Discord's command picker")
	}
	o := options{}
	for _, opt := range given {
		if opt == nil || opt.Name == "" {
			continue
		}
		if _, dup := o[opt.Name]; dup {
			return nil, invalidOption(opt.Name, "%s is given twice: give it once", opt.Name)
		}
		o[opt.Name] = opt
	}
	return o, nil
}

func invalidOption(name, format string, args ...any) error {
	return &bot.Error{Code: bot.CodeInvalid, Field: name, Message: fmt.Sprintf(format, args...)}
}

// get returns the option if it is present with the wanted type.
func (o options) get(name string, t discordgo.ApplicationCommandOptionType, want string) (*discordgo.ApplicationCommandInteractionDataOption, error) {
	opt, ok := o[name]
	if !ok || opt.Value == nil {
		return nil, nil
	}
	if opt.Type != t {
		return nil, invalidOption(name, "%s must be %s: pick it again from the command's options", name, want)
	}
	return opt, nil
}

// String returns a string option, "" when absent.
func (o options) String(name string) (string, error) {
	opt, err := o.get(name, discordgo.ApplicationCommandOptionString, "text")
	if opt == nil || err != nil {
		return "", err
	}
	s, ok := opt.Value.(string)
	if !ok {
		return "", invalidOption(name, "%s must be text", name)
	}
	return s, nil
}

// Int returns an integer option, 0 when absent. JSON carries it as a
// number: it must be whole and exactly representable.
func (o options) Int(name string) (int64, bool, error) {
	opt, err := o.get(name, discordgo.ApplicationCommandOptionInteger, "a whole number")
	if opt == nil || err != nil {
		return 0, false, err
	}
	f, ok := opt.Value.(float64)
	if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false, invalidOption(name, "%s must be a whole number", name)
	}
	return int64(f), true, nil
}

// User returns a user option's id, "" when absent.
func (o options) User(name string) (string, error) {
	opt, err := o.get(name, discordgo.ApplicationCommandOptionUser, "a member of the server")
	if opt == nil || err != nil {
		return "", err
	}
	id, ok := opt.Value.(string)
	if !ok || !bot.IsDiscordID(id) {
		return "", invalidOption(name, "%s must be a member of the server: pick one from the list", name)
	}
	return id, nil
}

// displayName is how a user is named in replies and in a member created
// on first use: the server nickname, else the global display name, else
// the username.
func displayName(m *discordgo.Member, u *discordgo.User) string {
	if m != nil && m.Nick != "" {
		return m.Nick
	}
	if u == nil {
		return ""
	}
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}

// resolvedName names a user picked in an option, from the interaction's
// resolved data.
func resolvedName(data discordgo.ApplicationCommandInteractionData, id string) string {
	if data.Resolved == nil {
		return ""
	}
	return strings.TrimSpace(displayName(data.Resolved.Members[id], data.Resolved.Users[id]))
}

// refuseBot refuses a bot user as the member of /credit or /praise: like
// GitHub's bots, an application's bot user never earns points, so it is
// never credited, praised or paid. Discord flags it in the resolved user
// on both transports.
func refuseBot(q *request, id string) error {
	if q.data.Resolved != nil && q.data.Resolved.Users[id] != nil && q.data.Resolved.Users[id].Bot {
		return refused("%s is a bot: bots never earn points, so /%s is for people only", mention(id), q.cmd.name)
	}
	return nil
}
