package discord_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
)

// refusal checks that a reply is an ephemeral error whose text contains
// want, and that it pings nobody.
func refusal(t *testing.T, r *discordgo.InteractionResponse, want string) {
	t.Helper()
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Errorf("reply type %d flags %d, want an ephemeral message", r.Type, r.Data.Flags)
	}
	if len(r.Data.Embeds) != 1 || r.Data.Embeds[0].Color != colorError {
		t.Fatalf("reply embeds = %+v, want one error embed", r.Data.Embeds)
	}
	if desc := r.Data.Embeds[0].Description; !strings.Contains(desc, want) {
		t.Errorf("reply says %q, want it to say %q", desc, want)
	}
	if len(r.Data.AllowedMentions.Parse) != 0 || len(r.Data.AllowedMentions.Users) != 0 {
		t.Errorf("an error reply may ping: %+v", r.Data.AllowedMentions)
	}
}

// TestAuthorization runs every privileged command as every role that may
// not use it: refused, and nothing stored, not even a member. Maintainers
// are not treasurers, nor treasurers maintainers.
func TestAuthorization(t *testing.T) {
	notMaintainers := []discordtest.User{bob, tom, eve, nobody}
	privileged := []struct {
		name    string
		opts    []discordtest.Option
		callers []discordtest.User
		want    string
	}{
		{"credit", []discordtest.Option{discordtest.UserOption("member", carol), discordtest.Int("points", 5),
			discordtest.String("category", "doc"), discordtest.String("note", "a note")}, notMaintainers, "/credit is for maintainers"},
		{"revoke", []discordtest.Option{discordtest.String("entry", "1"), discordtest.String("reason", "wrong")}, notMaintainers, "/revoke is for maintainers"},
		{"link", []discordtest.Option{discordtest.String("github", "carol"), discordtest.UserOption("member", carol)},
			notMaintainers, "/link for someone else is for maintainers: leave out the member option"},
		{"digest", []discordtest.Option{discordtest.String("action", "preview")}, notMaintainers,
			"/digest is for maintainers: ask someone with a maintainer role to run it"},
		{"payout", []discordtest.Option{discordtest.String("action", "preview")}, []discordtest.User{alice, bob, eve, nobody},
			"/payout is for treasurers: ask someone with a treasurer role to run it"},
		{"payout", []discordtest.Option{discordtest.String("action", "close"), discordtest.String("period", "2026-02")},
			[]discordtest.User{alice, bob, eve, nobody}, "/payout is for treasurers"},
	}
	for _, cmd := range privileged {
		for _, caller := range cmd.callers {
			t.Run(fmt.Sprintf("%s by %s", cmd.name, caller.Name), func(t *testing.T) {
				h := newHarness(t)
				refusal(t, h.send(h.command(caller, cmd.name, cmd.opts...)), cmd.want)
				if e, m := h.entries(), h.members(); len(e) != 0 || len(m) != 0 {
					t.Errorf("a refused command stored %d entries and %d members", len(e), len(m))
				}
			})
		}
	}
}

// TestMemberCommands checks the member role: without it, only /help.
func TestMemberCommands(t *testing.T) {
	commands := map[string][]discordtest.Option{
		"praise":      {discordtest.UserOption("member", bob), discordtest.String("reason", "for the help")},
		"rep":         nil,
		"leaderboard": nil,
		"history":     nil,
		"link":        {discordtest.String("github", "eve")},
		"wallet":      {discordtest.String("address", "FR7630001007941234567890185")},
	}
	for name, opts := range commands {
		for _, caller := range []discordtest.User{eve, nobody} {
			t.Run(name+" by "+caller.Name, func(t *testing.T) {
				h := newHarness(t)
				refusal(t, h.send(h.command(caller, name, opts...)), "/"+name+" is for members of the cooperative")
				if len(h.members()) != 0 {
					t.Error("a refused command created a member")
				}
			})
		}
	}
	// Treasurers and maintainers are members too; with no member role, everyone is.
	h := newHarness(t)
	for _, caller := range []discordtest.User{tom, alice} {
		if r := h.send(h.command(caller, "rep")); r.Data.Flags != 0 {
			t.Errorf("/rep by %s refused: %s", caller.Name, r.Data.Embeds[0].Description)
		}
	}
	h.router.Roles = discord.Roles{Maintainer: roles.Maintainer}
	if r := h.send(h.command(nobody, "rep")); r.Data.Flags != 0 {
		t.Errorf("/rep with discord.roles.member empty refused: %s", r.Data.Embeds[0].Description)
	}
}

// TestNoTreasurerRole checks that with discord.roles.treasurer empty
// nobody moves money, maintainers included, by command or by button.
func TestNoTreasurerRole(t *testing.T) {
	h := newHarness(t)
	h.router.Roles = discord.Roles{Maintainer: roles.Maintainer, Member: roles.Member}
	const want = "/payout is for treasurers, and no treasurer role is set: a server admin must list one in discord.roles.treasurer"
	for _, caller := range []discordtest.User{tom, alice} {
		refusal(t, h.send(h.command(caller, "payout", discordtest.String("action", "preview"))), want)
		refusal(t, h.send(discordtest.Click(h.id(), caller, "payout-close:2026-02")), want)
	}
	if e, m := h.entries(), h.members(); len(e) != 0 || len(m) != 0 {
		t.Errorf("refused payouts stored %d entries and %d members", len(e), len(m))
	}
}

func TestNoMaintainerRole(t *testing.T) {
	h := newHarness(t)
	h.router.Roles = discord.Roles{}
	refusal(t, h.send(h.command(alice, "revoke", discordtest.String("entry", "1"), discordtest.String("reason", "x"))),
		"no maintainer role is set: a server admin must list one in discord.roles.maintainer")
}

func TestWhereCommandsRun(t *testing.T) {
	h := newHarness(t)
	dm := h.command(bob, "rep")
	dm.GuildID, dm.User, dm.Member = "", dm.Member.User, nil
	refusal(t, h.send(dm), "not in direct messages: run /rep there")

	elsewhere := h.command(bob, "rep")
	elsewhere.GuildID = "800000000000000099"
	refusal(t, h.send(elsewhere), "this docracy serves another server")

	unknown := h.command(bob, "frobnicate")
	refusal(t, h.send(unknown), "docracy has no /frobnicate command: run /help")
	if len(h.members()) != 0 {
		t.Error("a refused command created a member")
	}
}
