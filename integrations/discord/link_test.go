package discord_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/integrations/github/githubtest"
	"github.com/docracy/docracy/ledger"
)

var dana = discordtest.User{ID: "100000000000000007", Name: "Dana", Roles: []string{memberRole}}

var linkCode = regexp.MustCompile(`docracy-[a-z2-7]{12}`)

// githubCredits gives the GitHub account dana (id 583231) 15 points, as
// merged pull requests would, before Dana ever uses Discord.
func (h *harness) githubCredits() ledger.Member {
	h.t.Helper()
	ctx := context.Background()
	m, _, err := h.ledger.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: "583231", Login: "dana"}, "")
	if err != nil {
		h.t.Fatal(err)
	}
	for _, c := range []struct {
		points   int64
		category string
		ago      time.Duration
	}{{10, "code", 30 * 24 * time.Hour}, {5, "review", 2 * time.Hour}} {
		_, _, err := h.bot.Credit(ctx, bot.CreditRequest{Member: "github:dana", Points: c.points, Category: c.category,
			At: start.Add(-c.ago), Ref: "pr-" + c.category, Actor: "github:ci", Source: ledger.SourceGitHub})
		if err != nil {
			h.t.Fatal(err)
		}
	}
	return m
}

func (h *harness) link(caller discordtest.User, opts ...discordtest.Option) (*discordgo.Interaction, *discordgo.MessageEmbed) {
	h.t.Helper()
	i := h.command(caller, "link", opts...)
	r := h.send(i)
	if r.Data.Flags != discordgo.MessageFlagsEphemeral || len(r.Data.Embeds) != 1 {
		h.t.Fatalf("/link reply = %+v, want one ephemeral embed", r.Data)
	}
	return i, r.Data.Embeds[0]
}

// TestLinkByBioCode is the whole self-claim: GitHub credit first, praise
// on Discord, then /link confirmed by the code in the GitHub bio. The
// result is one member, with the sum of both reputations, and a chain that
// verifies.
func TestLinkByBioCode(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	github := h.githubCredits()
	accepted(t, h.praise(bob, dana, "great onboarding docs"))
	discordMember := h.member(dana)
	if discordMember.ID == github.ID {
		t.Fatal("Dana's Discord account already belongs to the GitHub member")
	}

	h.github.SetUser(githubtest.User{ID: 583231, Login: "dana", Bio: "Gardener of docs."})
	_, pending := h.link(dana, discordtest.String("github", "@Dana"))
	code := linkCode.FindString(pending.Description)
	if pending.Title != "Prove that github:dana is yours" || code == "" {
		t.Fatalf("first /link: %q\n%s", pending.Title, pending.Description)
	}
	_, notYet := h.link(dana, discordtest.String("github", "dana"))
	if !strings.HasPrefix(notYet.Description, "Your GitHub bio does not show the code yet.") || linkCode.FindString(notYet.Description) != code {
		t.Errorf("/link before the bio shows the code:\n%s", notYet.Description)
	}

	h.github.SetUser(githubtest.User{ID: 583231, Login: "dana", Bio: "Gardener of docs. " + strings.ToUpper(code)})
	confirm, linked := h.link(dana, discordtest.String("github", "https://github.com/dana"))
	if linked.Title != "Linked" || !strings.Contains(linked.Description, "1 entries were carried over") {
		t.Errorf("/link with the code in the bio: %q\n%s", linked.Title, linked.Description)
	}

	byDiscord := h.member(dana)
	byGitHub, err := h.ledger.MemberByLogin(ctx, ledger.PlatformGitHub, "dana")
	if err != nil {
		t.Fatal(err)
	}
	if byDiscord.ID != github.ID || byGitHub.ID != github.ID {
		t.Errorf("Discord account held by member %d, GitHub by %d; want both %d", byDiscord.ID, byGitHub.ID, github.ID)
	}
	rep, err := h.ledger.Reputation(ctx, github.ID, start)
	if err != nil || rep.Points != 16 {
		t.Errorf("reputation of the linked member = %d points, %v; want 10 + 5 + 1 = 16", rep.Points, err)
	}
	old, err := h.ledger.Reputation(ctx, discordMember.ID, start)
	if err != nil || old.Points != 0 {
		t.Errorf("the merged member still has %d points, %v", old.Points, err)
	}
	lb, err := h.bot.Leaderboard(ctx, bot.LeaderboardRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{github.ID}, standingsOf(lb.Standings)); diff != "" {
		t.Errorf("leaderboard members (-want +got):\n%s", diff)
	}
	head, n, err := h.ledger.Verify(ctx)
	if err != nil || n != int64(len(h.entries())) || head.Seq != n {
		t.Errorf("verify: %d entries, head %d, %v", n, head.Seq, err)
	}

	// The claim was one-time: retrying the confirming interaction adds nothing.
	before := len(h.entries())
	h.send(confirm)
	if after := len(h.entries()); after != before {
		t.Errorf("a retried /link added %d entries", after-before)
	}
	_, again := h.link(dana, discordtest.String("github", "dana"))
	if again.Title != "Already linked" {
		t.Errorf("/link once linked: %q", again.Title)
	}
}

func standingsOf(s []ledger.Standing) []int64 {
	ids := make([]int64, len(s))
	for i, x := range s {
		ids[i] = x.Member
	}
	return ids
}

// TestLinkByMaintainer checks /link member github: no code needed, the
// GitHub account recorded by its numeric id.
func TestLinkByMaintainer(t *testing.T) {
	h := newHarness(t)
	h.github.SetUser(githubtest.User{ID: 77, Login: "Carol-Dev", Bio: ""})
	_, linked := h.link(alice, discordtest.UserOption("member", carol), discordtest.String("github", "carol-dev"))
	if linked.Title != "Linked" {
		t.Fatalf("/link by a maintainer: %q %s", linked.Title, linked.Description)
	}
	m, err := h.ledger.MemberByAccount(context.Background(), ledger.PlatformGitHub, "77")
	if err != nil || m.ID != h.member(carol).ID {
		t.Errorf("GitHub id 77 held by %+v, %v; want Carol's member", m, err)
	}
	e := h.entries()
	if len(e) != 1 || e[0].Kind != ledger.KindLink || e[0].Actor != "discord:"+alice.ID || e[0].Points != 0 {
		t.Errorf("ledger after a maintainer's link: %+v", e)
	}
}

func TestLinkUnknownLogin(t *testing.T) {
	h := newHarness(t)
	refusal(t, h.send(h.command(dana, "link", discordtest.String("github", "nosuchuser"))),
		"**Option `github`**: GitHub has no user \"nosuchuser\": check the spelling of the login")
}
