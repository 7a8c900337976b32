package discord_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/ledger"
)

const workerRole = "910000000000000009"

var (
	collegesWithRoles = []bot.College{{Name: "partners"}, {Name: "users"}, {Name: "workers", Roles: []string{workerRole}}}
	wendy             = discordtest.User{ID: "100000000000000011", Name: "Wendy", Roles: []string{memberRole, workerRole}}
	walt              = discordtest.User{ID: "100000000000000012", Name: "Walt", Roles: []string{memberRole, workerRole}}
)

func collegeHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.bot.Colleges = collegesWithRoles
	return h
}

func placeCommand(h *harness, caller, who discordtest.User, college string) *discordgo.Interaction {
	return h.command(caller, "member", discordtest.String("action", "college"),
		discordtest.UserOption("member", who), discordtest.String("college", college))
}

// collegeOf returns the college of a Discord user's member.
func (h *harness) collegeOf(u discordtest.User) string {
	h.t.Helper()
	return h.member(u).College
}

// A maintainer places a member over HTTP interactions; a retried
// interaction adds nothing, and /rep shows the college.
func TestMemberCollegeOverHTTP(t *testing.T) {
	h := collegeHarness(t)
	i := placeCommand(h, alice, bob, "users")
	r := h.send(i)
	if r.Type != discordgo.InteractionResponseChannelMessageWithSource || r.Data.Flags != 0 ||
		len(r.Data.Embeds) != 1 || r.Data.Embeds[0].Title != "Bob is in college users" {
		t.Fatalf("reply = %+v", r.Data)
	}
	h.send(i)
	entries := h.entries()
	if len(entries) != 1 || entries[0].Kind != ledger.KindCollege || entries[0].Category != "users" ||
		entries[0].SourceRef != "discord:interaction:"+i.ID || entries[0].Actor != "discord:"+alice.ID {
		t.Fatalf("ledger = %+v", entries)
	}
	if c := h.collegeOf(bob); c != "users" {
		t.Errorf("bob's college = %q, want users", c)
	}
	rep := h.send(h.command(carol, "rep", discordtest.UserOption("member", bob)))
	if !hasField(rep.Data.Embeds[0], "College", "users") {
		t.Errorf("/rep of bob: %+v", rep.Data.Embeds[0].Fields)
	}
}

func hasField(e *discordgo.MessageEmbed, name, value string) bool {
	return slices.ContainsFunc(e.Fields, func(f *discordgo.MessageEmbedField) bool { return f.Name == name && f.Value == value })
}

// Only maintainers place members, in a configured college; refusals are
// ephemeral, say what to do, and write nothing.
func TestMemberCollegeRefusals(t *testing.T) {
	h := collegeHarness(t)
	refusal(t, h.send(placeCommand(h, bob, carol, "users")), "/member is for maintainers: ask someone with a maintainer role to run it")
	refusal(t, h.send(placeCommand(h, alice, carol, "founders")), `college "founders": pick one of the offered choices`)
	refusal(t, h.send(h.command(alice, "member", discordtest.String("action", "college"), discordtest.UserOption("member", carol))),
		"college is missing: fill it in")
	for _, e := range h.entries() {
		if e.Kind == ledger.KindCollege {
			t.Errorf("a refused /member wrote %+v", e)
		}
	}
}

// With colleges off, /member is neither registered nor answered.
func TestMemberCollegeOff(t *testing.T) {
	names := func(defs []*discordgo.ApplicationCommand) []string {
		var out []string
		for _, d := range defs {
			out = append(out, d.Name)
		}
		return out
	}
	if n := names(discord.Definitions(categories, nil)); slices.Contains(n, "member") {
		t.Errorf("colleges off, yet /member is registered: %v", n)
	}
	defs := discord.Definitions(categories, []string{"partners", "users", "workers"})
	i := slices.IndexFunc(defs, func(d *discordgo.ApplicationCommand) bool { return d.Name == "member" })
	if i < 0 || len(defs[i].Options) != 3 || len(defs[i].Options[2].Choices) != 3 || defs[i].Options[2].Choices[2].Value != "workers" {
		t.Fatalf("/member definition with colleges: %+v", defs)
	}
	h := newHarness(t)
	refusal(t, h.send(placeCommand(h, alice, bob, "users")), "docracy has no /member command")
}

// A member seen with a college's role and no college is placed in it, once,
// by a chained entry, and shown in it at once.
func TestCollegeRoleOverHTTP(t *testing.T) {
	h := collegeHarness(t)
	rep := h.send(h.command(wendy, "rep"))
	if !hasField(rep.Data.Embeds[0], "College", "workers") {
		t.Errorf("/rep of wendy: %+v", rep.Data.Embeds[0].Fields)
	}
	h.send(h.command(wendy, "rep"))
	var placed []ledger.Entry
	for _, e := range h.entries() {
		if e.Kind == ledger.KindCollege {
			placed = append(placed, e)
		}
	}
	if len(placed) != 1 || placed[0].Category != "workers" || placed[0].Actor != bot.AutoCollegeActor ||
		placed[0].Member != h.member(wendy).ID || placed[0].Source != ledger.SourceDiscord {
		t.Fatalf("college entries = %+v", placed)
	}
	// A member placed elsewhere keeps their college whatever their roles.
	h.send(placeCommand(h, alice, walt, "partners"))
	h.send(h.command(walt, "rep"))
	if c := h.collegeOf(walt); c != "partners" {
		t.Errorf("walt's college = %q, want partners", c)
	}
	if err := h.ledger.CheckColleges(context.Background()); err != nil {
		t.Error(err)
	}
}

// The gateway carries the same command and the same roles.
func TestMemberCollegeOverGateway(t *testing.T) {
	h := collegeHarness(t)
	gw := newGateway(t, h)
	if err := gw.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	h.discord.WaitReady(t, 5*time.Second)

	h.discord.Dispatch(t, "INTERACTION_CREATE", placeCommand(h, alice, carol, "partners"))
	h.discord.Dispatch(t, "INTERACTION_CREATE", h.command(wendy, "rep"))
	h.discord.WaitFor(t, 5*time.Second, "two interaction callbacks", func() bool { return len(h.discord.Callbacks()) == 2 })
	var said []string
	for _, cb := range h.discord.Callbacks() {
		if e := cb.Response.Data.Embeds; len(e) == 1 {
			said = append(said, e[0].Title+"\n"+fieldsText(e[0]))
		}
	}
	slices.Sort(said)
	if len(said) != 2 || !strings.HasPrefix(said[0], "Carol is in college partners\n") ||
		!strings.HasPrefix(said[1], "Wendy\n") || !strings.Contains(said[1], "College:workers\n") {
		t.Errorf("gateway replies:\n%s", strings.Join(said, "---\n"))
	}
	if c := h.collegeOf(carol); c != "partners" {
		t.Errorf("carol's college = %q, want partners", c)
	}
	if c := h.collegeOf(wendy); c != "workers" {
		t.Errorf("wendy's college = %q, want workers (placed by her role)", c)
	}
}

func fieldsText(e *discordgo.MessageEmbed) string {
	var b strings.Builder
	for _, f := range e.Fields {
		b.WriteString(f.Name + ":" + f.Value + "\n")
	}
	return b.String()
}
