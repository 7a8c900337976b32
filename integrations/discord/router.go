package discord

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// Responder sends what the router says outside an HTTP response body: the
// first answer on the gateway, and on both transports the result of a
// deferred command. *REST implements it.
type Responder interface {
	Respond(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) error
	Edit(ctx context.Context, i *discordgo.Interaction, edit *discordgo.WebhookEdit) error
	Delete(ctx context.Context, i *discordgo.Interaction) error
	FollowUp(ctx context.Context, i *discordgo.Interaction, params *discordgo.WebhookParams) error
}

// Defaults of the Router's timings.
const (
	// DefaultDeferAfter leaves a second of Discord's three for the answer
	// to travel.
	DefaultDeferAfter = 2 * time.Second
	// DefaultWorkTimeout bounds a deferred command; its token lasts 15 minutes.
	DefaultWorkTimeout = time.Minute
	// deliveryWait is how long a result waits for its deferral to be
	// delivered before the edit is tried anyway.
	deliveryWait = 5 * time.Second
	// followUpTimeout bounds the REST calls that deliver a deferred result.
	followUpTimeout = 30 * time.Second
)

// Router checks, acknowledges and handles slash commands, and the clicks
// on the buttons they send, whichever transport brought them, by calling
// the bot's use cases.
type Router struct {
	Bot       Bot
	Community Community
	Roles     Roles        // discord.roles
	GuildID   string       // discord.guild_id: when set, other servers are refused
	Responder Responder    // delivers deferred results
	Metrics   *Metrics     // nil counts nothing
	Logger    *slog.Logger // nil logs nowhere

	// Treasury answers /payout; nil says payouts are not set up.
	Treasury Treasury
	// Assembly answers /poll, /vote and the polls' buttons, and Polls
	// keeps the polls' messages; a nil Assembly says polls are off.
	Assembly Assembly
	Polls    *PollBoard
	// Digests answers /digest; nil says the digest is off.
	Digests Digester

	Now func() time.Time // the clock of /digest, /payout and /poll; nil is time.Now

	DeferAfter  time.Duration // 0 means DefaultDeferAfter
	WorkTimeout time.Duration // 0 means DefaultWorkTimeout

	once     sync.Once
	commands map[string]*command
	buttons  map[string]*command // by the action of a custom id
	wg       sync.WaitGroup      // deferred commands in flight
}

// Roles lists the Discord role ids allowed to run privileged commands
// (discord.roles).
type Roles struct {
	Maintainer []string
	Treasurer  []string
	Member     []string // empty means everyone
}

// Members is what every command needs of the bot: the caller made a
// member, placed in a college by their roles, and the names the commands
// offer.
type Members interface {
	DiscordMember(ctx context.Context, userID, name string) (bot.Member, error)
	PlaceByRoles(ctx context.Context, m bot.Member, roles []string) (bot.Entry, bool, error)
	CategoryNames() []string
	CollegeNames() []string
}

// Bot is what the router needs of *bot.Bot: what its commands declare.
type Bot interface {
	Members
	Recorder
	Reader
}

// Community is what the router needs of *bot.Community.
type Community interface {
	Linker
	Praiser
}

var (
	_ Bot       = (*bot.Bot)(nil)
	_ Community = (*bot.Community)(nil)
	_ Treasury  = (*bot.Treasury)(nil)
	_ Assembly  = (*bot.Assembly)(nil)
)

// NewRouter returns a router over the bot's use cases that logs nowhere
// and counts nothing until Logger and Metrics are set.
func NewRouter(b Bot, c Community, roles Roles, responder Responder) *Router {
	return &Router{Bot: b, Community: c, Roles: roles, Responder: responder, Logger: slog.New(slog.DiscardHandler)}
}

func (r *Router) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r *Router) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

func (r *Router) table() map[string]*command {
	r.once.Do(func() {
		r.commands = map[string]*command{}
		for _, c := range commandTable(r.Bot.CategoryNames(), r.Bot.CollegeNames()) {
			r.commands[c.name] = c
		}
		r.buttons = buttonTable()
	})
	return r.commands
}

// maxCustomID is the longest custom id Discord gives a component.
const maxCustomID = 100

// button returns the command a click on a button with customID belongs
// to, and the button's argument, or nil for a button docracy did not send.
func (r *Router) button(customID string) (*command, string) {
	if len(customID) > maxCustomID {
		return nil, ""
	}
	action, arg, _ := strings.Cut(customID, ":")
	r.table()
	return r.buttons[action], arg
}

// ownButton reports whether i is a click on a button docracy sent.
func (r *Router) ownButton(i *discordgo.Interaction) bool {
	data, ok := i.Data.(discordgo.MessageComponentInteractionData)
	if !ok {
		return false
	}
	cmd, _ := r.button(data.CustomID)
	return cmd != nil
}

// request is a checked command, or a checked click on one of its
// buttons: who runs it, with which options.
type request struct {
	i      *discordgo.Interaction
	data   discordgo.ApplicationCommandInteractionData
	cmd    *command
	opts   options
	arg    string   // a button's argument, from its custom id
	update bool     // a click: the answer replaces the message clicked
	userID string   // the caller
	name   string   // the caller's display name
	roles  []string // the caller's role ids

	// caller is the caller's member, resolved once before the command
	// runs, so that a command passes it down rather than looking it up.
	caller bot.Member
}

// actor names the caller in the entries they cause.
func (q *request) actor() string { return "discord:" + q.userID }

// deferral acknowledges the request when its answer will follow: a click
// keeps its message as it is until the result replaces it.
func (q *request) deferral() *discordgo.InteractionResponse {
	if q.update {
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	return deferral(q.cmd.ephemeral)
}

// ref is the interaction's idempotency key within the discord source: the
// ledger stores "discord:interaction:<id>", so a retried interaction never
// records twice.
func (q *request) ref() string { return "interaction:" + q.i.ID }

// Handle answers an interaction, a slash command or a click on one of
// docracy's buttons (anything else is refused), and returns the first
// response, which the transport delivers (as the HTTP response, or by REST
// on the gateway) and then closes delivered. A command still working after
// DeferAfter is answered with a deferral, and its result is sent as an
// edit once delivered is closed.
func (r *Router) Handle(ctx context.Context, i *discordgo.Interaction, delivered <-chan struct{}) *discordgo.InteractionResponse {
	start := time.Now()
	var q *request
	var err error
	switch {
	case i.Type == discordgo.InteractionPing:
		return pong
	case i.Type == discordgo.InteractionApplicationCommand:
		q, err = r.check(i)
	case i.Type == discordgo.InteractionMessageComponent && r.ownButton(i):
		q, err = r.checkClick(i)
	default:
		r.Metrics.observe("other", outcomeRefused, 0)
		return errorReply(nil, refused("docracy answers slash commands only: run /help to see them"), i.ID).response()
	}
	if err != nil {
		name := "unknown"
		if q.cmd != nil {
			name = q.cmd.name
		}
		r.Metrics.observe(name, outcome(err), time.Since(start))
		return errorReply(q.cmd, err, i.ID).response()
	}
	return r.ack(ctx, q, delivered, start)
}

// check refuses, before any work, what docracy does not answer: a direct
// message, another server, an unknown command, a caller without the role,
// options that do not fit the command. It returns the request so far.
func (r *Router) check(i *discordgo.Interaction) (*request, error) {
	q := &request{i: i}
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return q, refused("Discord sent a command without its data: run it again")
	}
	q.data = data
	if q.cmd = r.table()[data.Name]; q.cmd == nil {
		return q, refused("docracy has no /%s command: run /help to see its commands", Truncate(data.Name, 32))
	}
	given := data.Options
	var err error
	if len(q.cmd.subs) > 0 {
		if q.cmd, given, err = q.cmd.sub(given); err != nil {
			return q, err
		}
	}
	if err := r.checkCaller(q); err != nil {
		return q, err
	}
	if q.opts, err = parseOptions(given); err != nil {
		return q, err
	}
	if err := r.authorize(q); err != nil {
		return q, err
	}
	return q, q.cmd.checkOptions(q.opts)
}

// checkClick refuses a click on a docracy button (Handle has checked it
// is one) as check refuses a command. The role is checked again at the
// click: it may have been taken away since the button was sent.
func (r *Router) checkClick(i *discordgo.Interaction) (*request, error) {
	q := &request{i: i}
	q.cmd, q.arg = r.button(i.Data.(discordgo.MessageComponentInteractionData).CustomID)
	q.update = !q.cmd.answerClick
	if q.arg == "" {
		return q, refused("this button comes from an older docracy: run /%s again", q.cmd.name)
	}
	if err := r.checkCaller(q); err != nil {
		return q, err
	}
	return q, r.authorize(q)
}

// checkCaller refuses a direct message and another server, and reads
// who the caller is.
func (r *Router) checkCaller(q *request) error {
	i := q.i
	if i.GuildID == "" || i.Member == nil || i.Member.User == nil {
		return refused("docracy's commands work in the cooperative's server, not in direct messages: run /%s there", q.cmd.name)
	}
	if r.GuildID != "" && i.GuildID != r.GuildID {
		return refused("this docracy serves another server: run /%s in your cooperative's server", q.cmd.name)
	}
	if i.Member.User.Bot {
		return refused("docracy answers people, not bots")
	}
	q.userID, q.roles = i.Member.User.ID, i.Member.Roles
	q.name = displayName(i.Member, i.Member.User)
	return nil
}

// authorize checks the caller's roles against discord.roles. Maintainers
// and treasurers may do whatever members may; only treasurers may do what
// treasurers do.
func (r *Router) authorize(q *request) error {
	switch need := q.cmd.levelOf(q.opts); {
	case need == levelTreasurer && len(r.Roles.Treasurer) == 0:
		return forbidden("/%s is for treasurers, and no treasurer role is set: a server admin must list one in discord.roles.treasurer", q.cmd.name)
	case need == levelTreasurer && !hasAny(q.roles, r.Roles.Treasurer):
		return forbidden("/%s is for treasurers: ask someone with a treasurer role to run it", q.cmd.name)
	case need == levelMaintainer && len(r.Roles.Maintainer) == 0:
		return forbidden("/%s is for maintainers, and no maintainer role is set: a server admin must list one in discord.roles.maintainer", q.cmd.name)
	case need == levelMaintainer && !hasAny(q.roles, r.Roles.Maintainer):
		if q.cmd.level < need {
			return forbidden("/%s for someone else is for maintainers: leave out the %s option to run it for yourself", q.cmd.name, optMember)
		}
		return forbidden("/%s is for maintainers: ask someone with a maintainer role to run it", q.cmd.name)
	case need == levelMember && len(r.Roles.Member) > 0 &&
		!hasAny(q.roles, r.Roles.Member, r.Roles.Maintainer, r.Roles.Treasurer):
		return forbidden("/%s is for members of the cooperative: ask a maintainer for the member role", q.cmd.name)
	}
	return nil
}

func hasAny(roles []string, allowed ...[]string) bool {
	for _, set := range allowed {
		for _, role := range roles {
			if slices.Contains(set, role) {
				return true
			}
		}
	}
	return false
}

// ack runs the command and answers with its result if it comes within
// DeferAfter, or else with a deferral, leaving the result to followUp.
func (r *Router) ack(ctx context.Context, q *request, delivered <-chan struct{}, start time.Time) *discordgo.InteractionResponse {
	// The work outlives an HTTP request that has been answered with a deferral.
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.workTimeout())
	done := make(chan reply, 1)
	go func() {
		defer cancel()
		done <- r.handle(work, q, start)
	}()
	timer := time.NewTimer(r.deferAfter())
	defer timer.Stop()
	select {
	case rep := <-done:
		return rep.response()
	case <-timer.C:
	}
	r.Metrics.deferral(q.cmd.name)
	r.wg.Add(1)
	go r.followUp(q, done, delivered)
	return q.deferral()
}

// handle runs the command and turns its outcome into a reply. A click is
// answered, error or not, by replacing the message clicked.
func (r *Router) handle(ctx context.Context, q *request, start time.Time) (rep reply) {
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("panic: %v", p)
			r.logger().Error("discord command", "command", q.cmd.name, "interaction", q.i.ID, "err", err, "stack", string(debug.Stack()))
			r.Metrics.observe(q.cmd.name, outcomeError, time.Since(start))
			rep = errorReply(q.cmd, err, q.i.ID)
		}
		rep.update = q.update
	}()
	rep, err := r.run(ctx, q)
	result := outcome(err)
	r.Metrics.observe(q.cmd.name, result, time.Since(start))
	if err != nil {
		if result == outcomeError || result == outcomeUnavailable {
			r.logger().Error("discord command", "command", q.cmd.name, "interaction", q.i.ID, "user", q.userID, "err", err)
		}
		return errorReply(q.cmd, err, q.i.ID)
	}
	rep.ephemeral = rep.ephemeral || q.cmd.ephemeral
	return rep
}

// run makes the caller a member on first use, places them in a college
// by their roles, then runs the command.
func (r *Router) run(ctx context.Context, q *request) (reply, error) {
	m, err := r.Bot.DiscordMember(ctx, q.userID, q.name)
	if err != nil {
		return reply{}, err
	}
	// Both transports carry the caller's roles: a college's role places
	// them, once, before their command runs (so /rep already shows it).
	if _, _, err := r.Bot.PlaceByRoles(ctx, m, q.roles); err != nil {
		return reply{}, err
	}
	q.caller = m
	return q.cmd.run(r, ctx, q)
}

// followUp delivers a deferred command's result: an edit of the deferral,
// or, for an error after a public deferral (which cannot turn ephemeral),
// an ephemeral follow-up and the deferral deleted.
func (r *Router) followUp(q *request, done <-chan reply, delivered <-chan struct{}) {
	defer r.wg.Done()
	rep := <-done
	select {
	case <-delivered:
	case <-time.After(deliveryWait):
	}
	ctx, cancel := context.WithTimeout(context.Background(), followUpTimeout)
	defer cancel()
	if !rep.ephemeral || q.cmd.ephemeral {
		if err := r.Responder.Edit(ctx, q.i, rep.edit()); err != nil {
			r.logger().Error("discord edit", "command", q.cmd.name, "interaction", q.i.ID, "err", err)
		}
		return
	}
	if err := r.Responder.FollowUp(ctx, q.i, rep.followup()); err != nil {
		r.logger().Error("discord follow-up", "command", q.cmd.name, "interaction", q.i.ID, "err", err)
	}
	if err := r.Responder.Delete(ctx, q.i); err != nil {
		r.logger().Error("discord delete", "command", q.cmd.name, "interaction", q.i.ID, "err", err)
	}
}

// Wait waits until the deferred commands in flight have delivered their
// results, or ctx ends.
func (r *Router) Wait(ctx context.Context) error {
	if err := wait(ctx, &r.wg); err != nil {
		return fmt.Errorf("discord: deferred commands still running: %w", err)
	}
	return nil
}

// wait waits for wg, or until ctx ends, then returns ctx's error.
func wait(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *Router) deferAfter() time.Duration {
	if r.DeferAfter > 0 {
		return r.DeferAfter
	}
	return DefaultDeferAfter
}

func (r *Router) workTimeout() time.Duration {
	if r.WorkTimeout > 0 {
		return r.WorkTimeout
	}
	return DefaultWorkTimeout
}

// source is where every entry this router causes comes from.
const source = bot.SourceDiscord
