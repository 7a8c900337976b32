package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// profiles is an in-memory GitHub; err, when set, is what GitHub answers.
type profiles struct {
	users map[string]bot.GitHubProfile
	err   error
	calls int
}

func (p *profiles) Profile(ctx context.Context, login string) (bot.GitHubProfile, error) {
	p.calls++
	if p.err != nil {
		return bot.GitHubProfile{}, p.err
	}
	u, ok := p.users[strings.ToLower(login)]
	if !ok {
		return bot.GitHubProfile{}, fmt.Errorf("github user %s: %w", login, bot.ErrNoGitHubUser)
	}
	return u, nil
}

func claim(discord, login string) bot.LinkClaimRequest {
	return bot.LinkClaimRequest{Discord: discord, Name: "Dana", GitHub: login, Source: ledger.SourceDiscord}
}

func TestClaimLink(t *testing.T) {
	c, l, clock := newCommunity(t)
	ctx := context.Background()
	gh := &profiles{users: map[string]bot.GitHubProfile{"dana": {ID: 583231, Login: "Dana"}}}
	c.GitHub = gh
	credit(t, c.Bot, "github:dana", 7, "code", time.Hour)

	first, err := c.ClaimLink(ctx, claim("discord:7", "github:dana"))
	if err != nil || first.Status != bot.LinkPending || first.GitHub != "Dana" || !strings.HasPrefix(first.Code, "docracy-") ||
		!first.Expires.Equal(now.Add(bot.LinkClaimTTL)) || first.Checked {
		t.Fatalf("first claim = %+v, %v", first, err)
	}
	second, err := c.ClaimLink(ctx, claim("discord:7", "dana"))
	if err != nil || second.Status != bot.LinkPending || second.Code != first.Code || !second.Checked {
		t.Errorf("claim before the bio shows the code = %+v, %v", second, err)
	}
	gh.users["dana"] = bot.GitHubProfile{ID: 583231, Login: "Dana", Bio: "docs " + first.Code}
	linked, err := c.ClaimLink(ctx, claim("discord:7", "dana"))
	if err != nil || linked.Status != bot.LinkLinked || linked.Merged == 0 || linked.Entry.Kind != ledger.KindLink {
		t.Fatalf("claim with the code in the bio = %+v, %v", linked, err)
	}
	if want := "discord:7 claimed github:Dana, confirmed by the code in the GitHub profile bio; member 2 merged into member 1: 0 entries carried"; linked.Entry.Note != want {
		t.Errorf("link note = %q, want %q", linked.Entry.Note, want)
	}
	m, _ := l.MemberByAccount(ctx, ledger.PlatformDiscord, "7")
	if diff := cmp.Diff([]ledger.Account{{Platform: ledger.PlatformDiscord, ExternalID: "7"}, {Platform: ledger.PlatformGitHub, ExternalID: "583231", Login: "Dana"}}, m.Accounts); diff != "" {
		t.Errorf("accounts of the linked member (-want +got):\n%s", diff)
	}
	already, err := c.ClaimLink(ctx, claim("discord:7", "DANA"))
	if err != nil || already.Status != bot.LinkAlready {
		t.Errorf("claim once linked = %+v, %v", already, err)
	}

	// An expired claim starts over with a new code.
	gh.users["erin"] = bot.GitHubProfile{ID: 9, Login: "erin"}
	old, _ := c.ClaimLink(ctx, claim("discord:8", "erin"))
	*clock = clock.Add(bot.LinkClaimTTL + time.Second)
	fresh, err := c.ClaimLink(ctx, claim("discord:8", "erin"))
	if err != nil || fresh.Status != bot.LinkPending || fresh.Code == old.Code || fresh.Checked {
		t.Errorf("claim after expiry = %+v, %v; want a new code", fresh, err)
	}
}

func TestClaimLinkErrors(t *testing.T) {
	c, l, _ := newCommunity(t)
	ctx := context.Background()
	c.GitHub = &profiles{users: map[string]bot.GitHubProfile{}}
	tests := []struct {
		req  bot.LinkClaimRequest
		want *bot.Error
	}{
		{claim("discord:7", "not a login"), &bot.Error{Code: bot.CodeInvalid, Field: "github", Message: `github "not a login": give a GitHub login, e.g. octocat`}},
		{claim("discord:7", "nobody"), &bot.Error{Code: bot.CodeInvalid, Field: "github", Message: `GitHub has no user "nobody": check the spelling of the login`}},
		{claim("github:dana", "dana"), &bot.Error{Code: bot.CodeInvalid, Field: "member", Message: `member "github:dana": name a Discord account, discord:<user id>`}},
	}
	for _, tt := range tests {
		_, err := c.ClaimLink(ctx, tt.req)
		if diff := cmp.Diff(tt.want, err); diff != "" {
			t.Errorf("ClaimLink(%+v) (-want +got):\n%s", tt.req, diff)
		}
	}
	// A GitHub that does not answer blocks the check, never the claim.
	c.GitHub = &profiles{err: errors.New("connection refused")}
	l1, err := c.ClaimLink(ctx, claim("discord:7", "dana"))
	if err != nil || l1.Status != bot.LinkPending {
		t.Fatalf("claim while GitHub is down = %+v, %v", l1, err)
	}
	_, err = c.ClaimLink(ctx, claim("discord:7", "dana"))
	if want := (&bot.Error{Code: bot.CodeUnavailable, Field: "github", Message: "GitHub did not answer: try again in a minute"}); cmp.Diff(want, err) != "" {
		t.Errorf("check while GitHub is down = %v", err)
	}
	if head, _ := l.Head(ctx); head.Seq != 0 {
		t.Errorf("failed claims wrote %d entries", head.Seq)
	}
}

func TestConfirmLink(t *testing.T) {
	c, l, _ := newCommunity(t)
	ctx := context.Background()
	credit(t, c.Bot, "discord:7", 3, "code", time.Hour)
	r := bot.LinkRequest{Member: "discord:7", GitHub: "@dana", Actor: "cli:alice", Source: ledger.SourceCLI}

	// Without GitHub, the account is recorded by login.
	linked, err := c.ConfirmLink(ctx, r)
	if err != nil || linked.Status != bot.LinkLinked || linked.Merged != 0 {
		t.Fatalf("ConfirmLink = %+v, %v", linked, err)
	}
	if linked.Entry.Actor != "cli:alice" || linked.Entry.Note != "discord:7 linked to github:dana, confirmed by cli:alice" {
		t.Errorf("link entry = %+v", linked.Entry)
	}
	m, err := l.MemberByLogin(ctx, ledger.PlatformGitHub, "dana")
	if err != nil || m.ID != linked.Member.ID {
		t.Errorf("github:dana held by %+v, %v", m, err)
	}
	again, err := c.ConfirmLink(ctx, r)
	if err != nil || again.Status != bot.LinkAlready {
		t.Errorf("second ConfirmLink = %+v, %v", again, err)
	}
	// With GitHub, an unknown login is refused.
	c.GitHub = &profiles{users: map[string]bot.GitHubProfile{}}
	r.GitHub = "nobody"
	if _, err := c.ConfirmLink(ctx, r); bot.ErrorCode(err) != bot.CodeInvalid {
		t.Errorf("ConfirmLink of an unknown login = %v", err)
	}
	r.Member = "7"
	if _, err := c.ConfirmLink(ctx, r); bot.ErrorCode(err) != bot.CodeInvalid || !strings.Contains(err.Error(), "name a Discord account") {
		t.Errorf("ConfirmLink of a member id = %v", err)
	}
}
