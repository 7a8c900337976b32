package discord

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Embed colours: a reply's colour says at a glance how it went.
const (
	colorDone    = 0x2ecc71 // green: something was recorded
	colorInfo    = 0x5865f2 // blurple: a reading of the ledger
	colorPending = 0xf1c40f // yellow: waiting on someone
	colorError   = 0xe74c3c // red: nothing was done
)

// reply is what a command answers, before it is shaped as a first
// response, an edit of a deferral, or a follow-up.
type reply struct {
	content   string
	embeds    []*discordgo.MessageEmbed
	buttons   []discordgo.MessageComponent // one row under the message, or none
	ping      string                       // the one user the reply may ping (the credited member), or ""
	ephemeral bool                         // seen only by the caller
	update    bool                         // replaces the message whose button was clicked
}

// allowedMentions lets the reply ping r.ping and nobody else. Parse is
// empty rather than nil: Discord then parses no @everyone, @here, role or
// user mention out of the text, whatever a note contains.
func (r reply) allowedMentions() *discordgo.MessageAllowedMentions {
	am := &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
	if r.ping != "" {
		am.Users = []string{r.ping}
	}
	return am
}

func (r reply) flags() discordgo.MessageFlags {
	if r.ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// components lays the buttons out in one row. An update without buttons
// has an empty list rather than none, so that the buttons of the message
// it replaces go away and cannot be clicked twice.
func (r reply) components() []discordgo.MessageComponent {
	switch {
	case len(r.buttons) > 0:
		return []discordgo.MessageComponent{discordgo.ActionsRow{Components: r.buttons}}
	case r.update:
		return []discordgo.MessageComponent{}
	}
	return nil
}

// response is the reply as the first answer to an interaction: a new
// message, or for a click the clicked message replaced, whose visibility
// cannot change.
func (r reply) response() *discordgo.InteractionResponse {
	content, embeds := Fit(r.content, r.embeds)
	data := &discordgo.InteractionResponseData{
		Content: content, Embeds: embeds, Components: r.components(), AllowedMentions: r.allowedMentions(),
	}
	if r.update {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage, Data: data}
	}
	data.Flags = r.flags()
	return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: data}
}

// edit is the reply as the edit of a deferred answer. Its visibility was
// fixed by the deferral.
func (r reply) edit() *discordgo.WebhookEdit {
	content, embeds := Fit(r.content, r.embeds)
	e := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: r.allowedMentions()}
	if components := r.components(); components != nil {
		e.Components = &components
	}
	return e
}

// followup is the reply as a new message after the first answer.
func (r reply) followup() *discordgo.WebhookParams {
	content, embeds := Fit(r.content, r.embeds)
	return &discordgo.WebhookParams{Content: content, Embeds: embeds, AllowedMentions: r.allowedMentions(), Flags: r.flags()}
}

// deferral acknowledges an interaction whose answer will follow.
func deferral(ephemeral bool) *discordgo.InteractionResponse {
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: reply{ephemeral: ephemeral}.flags()},
	}
}

var pong = &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}

// refusal is a check that failed before any work: a direct message,
// another server, a missing role, an unknown command.
type refusal struct {
	outcome string // the metrics outcome: refused or forbidden
	msg     string
}

func (e *refusal) Error() string { return e.msg }

func refused(format string, args ...any) error {
	return &refusal{outcome: outcomeRefused, msg: fmt.Sprintf(format, args...)}
}

func forbidden(format string, args ...any) error {
	return &refusal{outcome: outcomeForbidden, msg: fmt.Sprintf(format, args...)}
}

// The outcomes interactions are counted by.
const (
	outcomeOK          = "ok"
	outcomeInvalid     = "invalid"
	outcomeNotFound    = "not_found"
	outcomeForbidden   = "forbidden"
	outcomeRefused     = "refused"
	outcomeUnavailable = "unavailable"
	outcomeError       = "error"
)

func outcome(err error) string {
	var r *refusal
	switch {
	case err == nil:
		return outcomeOK
	case errors.As(err, &r):
		return r.outcome
	case bot.ErrorCode(err) == bot.CodeInvalid, bot.ErrorCode(err) == bot.CodeConflict:
		return outcomeInvalid
	case bot.ErrorCode(err) == bot.CodeNotFound:
		return outcomeNotFound
	case bot.ErrorCode(err) == bot.CodeUnavailable:
		return outcomeUnavailable
	}
	return outcomeError
}

// errorReply turns a failure into an ephemeral reply saying what to do,
// naming the option at fault when there is one. An internal failure says
// only that, with the interaction id for the maintainers' logs.
func errorReply(cmd *command, err error, interactionID string) reply {
	var r *refusal
	var e *bot.Error
	var text string
	title := "nothing was done"
	switch {
	case errors.As(err, &r):
		text = r.msg
	case errors.As(err, &e) && cmd != nil && e.Field != "" && slices.Contains(cmd.optionNames(), e.Field):
		text = fmt.Sprintf("**Option `%s`**: %s", e.Field, e.Message)
	case errors.As(err, &e):
		text = e.Message
	default:
		title = "something went wrong"
		text = "Something went wrong on docracy's side. Check `/history` to see whether it was recorded " +
			"before trying again; if it keeps failing, tell a maintainer (reference " + interactionID + ")."
	}
	if cmd != nil {
		title = "/" + cmd.name + ": " + title
	} else {
		title = strings.ToUpper(title[:1]) + title[1:]
	}
	return reply{ephemeral: true, embeds: []*discordgo.MessageEmbed{{Title: title, Description: text, Color: colorError}}}
}
