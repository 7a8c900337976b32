package discord_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
)

func TestRegister(t *testing.T) {
	ctx := context.Background()
	fake := discordtest.New(t)
	rest := newREST(t, fake, nil)
	defs := discord.Definitions(categories, nil)

	steps := []struct {
		name        string
		guild       string
		defs        []*discordgo.ApplicationCommand
		changedOnly bool
		wrote       bool
		overwrites  []string
	}{
		{"first start", discordtest.Guild, defs, true, true, []string{discordtest.Guild}},
		{"restart, same commands", discordtest.Guild, discord.Definitions(categories, nil), true, false, []string{discordtest.Guild}},
		{"a new category", discordtest.Guild, discord.Definitions(append(categories, "ops"), nil), true, true, []string{discordtest.Guild, discordtest.Guild}},
		{"docracy discord register", discordtest.Guild, defs, false, true, []string{discordtest.Guild, discordtest.Guild, discordtest.Guild}},
		{"global", "", defs, true, true, []string{discordtest.Guild, discordtest.Guild, discordtest.Guild, ""}},
	}
	for _, s := range steps {
		wrote, err := discord.Register(ctx, rest, discordtest.AppID, s.guild, s.defs, s.changedOnly)
		if err != nil || wrote != s.wrote {
			t.Errorf("%s: Register = %v, %v; want %v", s.name, wrote, err, s.wrote)
		}
		if diff := cmp.Diff(s.overwrites, fake.Overwrites()); diff != "" {
			t.Errorf("%s: overwrites (-want +got):\n%s", s.name, diff)
		}
	}
	if _, err := discord.Register(ctx, rest, "", "", defs, true); err == nil {
		t.Error("Register without an application id succeeded")
	}
}

// TestDefinitions checks what Discord is told about each command: option
// types, requirements, bounds, choices, permissions, and no DMs.
func TestDefinitions(t *testing.T) {
	type opt struct {
		Name     string
		Type     discordgo.ApplicationCommandOptionType
		Required bool
		Min, Max float64
		MinLen   int
		MaxLen   int
		Choices  int
	}
	shape := func(c *discordgo.ApplicationCommand) []opt {
		var opts []opt
		for _, o := range c.Options {
			x := opt{Name: o.Name, Type: o.Type, Required: o.Required, Max: o.MaxValue, MaxLen: o.MaxLength, Choices: len(o.Choices)}
			if o.MinValue != nil {
				x.Min = *o.MinValue
			}
			if o.MinLength != nil {
				x.MinLen = *o.MinLength
			}
			opts = append(opts, x)
		}
		return opts
	}
	const (
		str  = discordgo.ApplicationCommandOptionString
		num  = discordgo.ApplicationCommandOptionInteger
		user = discordgo.ApplicationCommandOptionUser
		sub  = discordgo.ApplicationCommandOptionSubCommand
	)
	want := map[string][]opt{
		"credit": {{"member", user, true, 0, 0, 0, 0, 0}, {"points", num, true, 1, 10000, 0, 0, 0},
			{"category", str, true, 0, 0, 0, 0, 4}, {"note", str, true, 0, 0, 1, 1000, 0}, {"url", str, false, 0, 0, 0, 2000, 0}},
		"praise":      {{"member", user, true, 0, 0, 0, 0, 0}, {"reason", str, true, 0, 0, 5, 500, 0}},
		"rep":         {{"member", user, false, 0, 0, 0, 0, 0}},
		"leaderboard": {{"window", str, false, 0, 0, 0, 0, 3}, {"category", str, false, 0, 0, 0, 0, 4}},
		"history":     {{"member", user, false, 0, 0, 0, 0, 0}},
		"link":        {{"github", str, true, 0, 0, 1, 100, 0}, {"member", user, false, 0, 0, 0, 0, 0}},
		"wallet":      {{"address", str, true, 0, 0, 4, 200, 0}},
		"revoke":      {{"entry", str, true, 0, 0, 1, 24, 0}, {"reason", str, true, 0, 0, 1, 1000, 0}},
		"payout":      {{"action", str, true, 0, 0, 0, 0, 3}, {"period", str, false, 0, 0, 0, 16, 0}, {"reason", str, false, 0, 0, 0, 60, 0}},
		"digest":      {{"action", str, true, 0, 0, 0, 0, 1}},
		"help":        nil,
		"poll":        {{"open", sub, false, 0, 0, 0, 0, 0}, {"close", sub, false, 0, 0, 0, 0, 0}, {"show", sub, false, 0, 0, 0, 0, 0}},
		"poll open": {{"question", str, true, 0, 0, 1, 300, 0}, {"options", str, false, 0, 0, 3, 810, 0},
			{"mode", str, false, 0, 0, 0, 0, 3}, {"closes", str, false, 0, 0, 2, 40, 0}, {"quorum", num, false, 0, 100, 0, 0, 0},
			{"majority", str, false, 0, 0, 0, 0, 2}},
		"poll close": {{"poll", str, true, 0, 0, 1, 24, 0}},
		"poll show":  {{"poll", str, true, 0, 0, 1, 24, 0}},
		"vote":       {{"poll", str, true, 0, 0, 1, 24, 0}, {"option", str, true, 0, 0, 1, 80, 0}},
	}
	got := map[string][]opt{}
	for _, c := range discord.Definitions(categories, nil) {
		got[c.Name] = shape(c)
		if c.Description == "" || len(c.Description) > 100 || c.Type != discordgo.ChatApplicationCommand {
			t.Errorf("/%s: description %q, type %d", c.Name, c.Description, c.Type)
		}
		if c.Contexts == nil || len(*c.Contexts) != 1 || (*c.Contexts)[0] != discordgo.InteractionContextGuild {
			t.Errorf("/%s may be used outside a server", c.Name)
		}
		privileged := c.Name == "credit" || c.Name == "revoke" || c.Name == "payout" || c.Name == "digest"
		if privileged != (c.DefaultMemberPermissions != nil && *c.DefaultMemberPermissions == discordgo.PermissionManageGuild) {
			t.Errorf("/%s default member permissions = %v", c.Name, c.DefaultMemberPermissions)
		}
		for _, o := range c.Options {
			if o.Description == "" || len(o.Description) > 100 {
				t.Errorf("/%s %s: description %q", c.Name, o.Name, o.Description)
			}
			if o.Type == sub {
				got[c.Name+" "+o.Name] = shape(&discordgo.ApplicationCommand{Options: o.Options})
				for _, so := range o.Options {
					if so.Description == "" || len(so.Description) > 100 {
						t.Errorf("/%s %s %s: description %q", c.Name, o.Name, so.Name, so.Description)
					}
				}
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("definitions (-want +got):\n%s", diff)
	}
}

// TestRegistrationRetriesUntilDiscordAnswers has the fake Discord fail
// the first calls to its commands API, more than REST's own retries of a
// 5xx absorb: registration keeps trying with backoff, and registers once
// Discord answers.
func TestRegistrationRetriesUntilDiscordAnswers(t *testing.T) {
	fake := discordtest.New(t)
	fake.Fail(discordtest.Failure{Path: "/api/v9/applications/", Status: http.StatusServiceUnavailable, Times: 10})
	rest := newREST(t, fake, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var failures []time.Duration
	err := discord.Retry(ctx, 5*time.Millisecond, 20*time.Millisecond, func(ctx context.Context) error {
		_, err := discord.Register(ctx, rest, discordtest.AppID, discordtest.Guild, discord.Definitions(categories, nil), true)
		return err
	}, func(_ error, wait time.Duration) { failures = append(failures, wait) })
	if err != nil {
		t.Fatalf("Retry = %v", err)
	}
	if len(failures) < 2 || failures[0] != 5*time.Millisecond || failures[1] != 10*time.Millisecond || failures[len(failures)-1] > 20*time.Millisecond {
		t.Errorf("waits between tries = %v, want 5ms doubling up to 20ms", failures)
	}
	if n := len(fake.Overwrites()); n != 1 || len(fake.Commands(discordtest.Guild)) == 0 {
		t.Errorf("%d overwrites once Discord answered, want 1", n)
	}
}

// TestRegistrationRetryStopsOnCancel checks that a Discord that never
// answers does not keep registration going past a stop.
func TestRegistrationRetryStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	tries := 0
	done := make(chan error, 1)
	go func() {
		done <- discord.Retry(ctx, time.Millisecond, time.Millisecond, func(context.Context) error {
			tries++
			return errors.New("unreachable")
		}, func(error, time.Duration) {})
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || tries < 2 {
			t.Errorf("Retry = %v after %d tries, want context.Canceled after several", err, tries)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Retry still running after cancel")
	}
}
