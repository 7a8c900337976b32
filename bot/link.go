package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docracy/docracy/ledger"
)

// GitHubProfiles reads public GitHub profiles. The integrations implement
// it with the REST API; tests with a fake.
type GitHubProfiles interface {
	Profile(ctx context.Context, login string) (GitHubProfile, error)
}

// GitHubProfile is the part of a GitHub user that linking needs.
type GitHubProfile struct {
	ID    int64
	Login string
	Bio   string
}

// ErrNoGitHubUser is returned (wrapped) by GitHubProfiles for a login that
// GitHub does not know.
var ErrNoGitHubUser = errors.New("no such GitHub user")

// LinkClaimTTL is how long a one-time link code stays valid.
const LinkClaimTTL = 24 * time.Hour

// LinkStatus says where a link stands.
type LinkStatus string

// The states of a link.
const (
	LinkPending LinkStatus = "pending" // waiting for the code in the bio or a maintainer
	LinkLinked  LinkStatus = "linked"  // linked by this request
	LinkAlready LinkStatus = "already" // the accounts already shared a member
)

// Link is the outcome of a link request.
type Link struct {
	Status LinkStatus
	GitHub string // the GitHub login

	// Pending: the one-time code to show in the GitHub bio, until when it
	// is valid, and whether the bio was read (and did not show it).
	Code    string
	Expires time.Time
	Checked bool

	// Linked or already: the member holding both accounts. Linked: the
	// link entry, and what the merge of two members carried over.
	Member  PublicMember
	Entry   ledger.Entry
	Merged  int64
	Carried int
}

// LinkClaimRequest is a Discord user claiming a GitHub account as theirs.
type LinkClaimRequest struct {
	Discord string // the claimant, discord:<user id>
	Name    string // their display name, for a member created on first use
	GitHub  string // the GitHub login claimed
	Source  ledger.Source
}

// ClaimLink handles a self-claim. The first call stores a claim with a
// one-time code and returns it pending; a later call for the same login
// reads the GitHub profile and, when its bio shows the code, links the
// accounts. Until then a maintainer can confirm with ConfirmLink.
func (c *Community) ClaimLink(ctx context.Context, r LinkClaimRequest) (Link, error) {
	login, err := parseGitHubLogin(r.GitHub)
	if err != nil {
		return Link{}, err
	}
	discord, err := discordAccount("member", r.Discord)
	if err != nil {
		return Link{}, err
	}
	m, err := c.members().discord(ctx, discord.ExternalID, r.Name)
	if err != nil {
		return Link{}, err
	}
	if holdsLogin(m, login) {
		return Link{Status: LinkAlready, GitHub: login, Member: Public(m)}, nil
	}
	claim, err := c.Ledger.LinkClaim(ctx, discord.ExternalID)
	switch {
	case err == nil && strings.EqualFold(claim.GitHubLogin, login) && c.now().Before(claim.ExpiresAt):
		return c.checkClaim(ctx, claim, discord, r.Source)
	case err != nil && !errors.Is(err, ledger.ErrNotFound):
		return Link{}, fmt.Errorf("link: %w", err)
	}
	return c.newClaim(ctx, discord, login)
}

func holdsLogin(m ledger.Member, login string) bool {
	for _, a := range m.Accounts {
		if a.Platform == ledger.PlatformGitHub && strings.EqualFold(a.Login, login) {
			return true
		}
	}
	return false
}

func (c *Community) newClaim(ctx context.Context, discord ledger.Account, login string) (Link, error) {
	if c.GitHub != nil {
		// A typo is better caught now than after the claimant edits a bio.
		p, err := c.profile(ctx, login)
		switch {
		case err == nil:
			login = p.Login
		case ErrorCode(err) == CodeInvalid:
			return Link{}, err
		}
	}
	now := c.now()
	claim := ledger.LinkClaim{
		DiscordID: discord.ExternalID, GitHubLogin: login, Code: newLinkCode(),
		CreatedAt: now, ExpiresAt: now.Add(LinkClaimTTL),
	}
	if err := c.Ledger.SaveLinkClaim(ctx, claim); err != nil {
		return Link{}, fmt.Errorf("link: %w", err)
	}
	c.Bot.logger().Info("link claimed", "account", discord.String(), "github", login)
	return Link{Status: LinkPending, GitHub: login, Code: claim.Code, Expires: claim.ExpiresAt}, nil
}

// checkClaim links the accounts when the GitHub bio shows the claim's code.
func (c *Community) checkClaim(ctx context.Context, claim ledger.LinkClaim, discord ledger.Account, source ledger.Source) (Link, error) {
	pending := Link{Status: LinkPending, GitHub: claim.GitHubLogin, Code: claim.Code, Expires: claim.ExpiresAt}
	if c.GitHub == nil {
		return pending, nil
	}
	p, err := c.profile(ctx, claim.GitHubLogin)
	if err != nil {
		return Link{}, err
	}
	if !strings.Contains(strings.ToLower(p.Bio), claim.Code) {
		pending.Checked = true
		return pending, nil
	}
	return c.link(ctx, ledger.LinkRequest{
		Discord: discord, GitHub: githubAccount(p), Source: source, Actor: discord.String(),
		Note: fmt.Sprintf("%s claimed github:%s, confirmed by the code in the GitHub profile bio", discord, p.Login),
	})
}

// LinkRequest is a maintainer (or the CLI) linking a Discord account to a
// GitHub account directly.
type LinkRequest struct {
	Member string // the Discord account, discord:<user id>
	GitHub string // the GitHub login
	Actor  string // who confirms
	Source ledger.Source
}

// ConfirmLink links a Discord account to a GitHub account on a
// maintainer's word, whether or not the account claimed it. When GitHub can
// be reached the account is recorded by its numeric id; otherwise by login,
// and the id is filled in when GitHub first sends it.
func (c *Community) ConfirmLink(ctx context.Context, r LinkRequest) (Link, error) {
	discord, err := discordAccount("member", r.Member)
	if err != nil {
		return Link{}, err
	}
	login, err := parseGitHubLogin(r.GitHub)
	if err != nil {
		return Link{}, err
	}
	if err := checkOrigin(r.Actor, r.Source); err != nil {
		return Link{}, err
	}
	gh := ledger.Account{Platform: ledger.PlatformGitHub, Login: login}
	if c.GitHub != nil {
		p, err := c.profile(ctx, login)
		switch {
		case err == nil:
			gh = githubAccount(p)
		case ErrorCode(err) == CodeInvalid:
			return Link{}, err
		default:
			c.Bot.logger().Warn("link without the GitHub id", "github", login, "err", err)
		}
	}
	return c.link(ctx, ledger.LinkRequest{
		Discord: discord, GitHub: gh, Source: r.Source, Actor: r.Actor,
		Note: fmt.Sprintf("%s linked to github:%s, confirmed by %s", discord, gh.Login, r.Actor),
	})
}

func (c *Community) link(ctx context.Context, r ledger.LinkRequest) (Link, error) {
	res, err := c.Ledger.Link(ctx, r)
	if err != nil {
		return Link{}, fmt.Errorf("link: %w", err)
	}
	m, err := c.members().byID(ctx, res.Member)
	if err != nil {
		return Link{}, err
	}
	l := Link{Status: LinkAlready, GitHub: r.GitHub.Login, Member: Public(m), Entry: res.Entry, Merged: res.Merged, Carried: res.Carried}
	if res.Created {
		l.Status = LinkLinked
		c.Bot.logger().Info("link", "seq", res.Entry.Seq, "member", res.Member, "merged", res.Merged,
			"carried", res.Carried, "dropped", res.Dropped, "actor", r.Actor)
	}
	return l, nil
}

// profile reads a GitHub profile, turning an unknown login into an error
// on the github option and an unreachable GitHub into one that says to
// retry.
func (c *Community) profile(ctx context.Context, login string) (GitHubProfile, error) {
	p, err := c.GitHub.Profile(ctx, login)
	switch {
	case errors.Is(err, ErrNoGitHubUser):
		return GitHubProfile{}, invalidf("github", "GitHub has no user %q: check the spelling of the login", login)
	case err != nil:
		c.Bot.logger().Warn("github profile", "github", login, "err", err)
		return GitHubProfile{}, &Error{Code: CodeUnavailable, Field: "github",
			Message: "GitHub did not answer: try again in a minute"}
	}
	return p, nil
}

func githubAccount(p GitHubProfile) ledger.Account {
	return ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: strconv.FormatInt(p.ID, 10), Login: p.Login}
}

// parseGitHubLogin accepts a login as people paste it: "octocat",
// "@octocat", "github:octocat" or the profile's address.
func parseGitHubLogin(s string) (string, error) {
	login := strings.TrimSpace(s)
	for _, prefix := range []string{"https://github.com/", "http://github.com/", "github.com/", "github:", "@"} {
		if len(login) >= len(prefix) && strings.EqualFold(login[:len(prefix)], prefix) {
			login = login[len(prefix):]
		}
	}
	login = strings.TrimSuffix(login, "/")
	if !githubLogin.MatchString(login) {
		return "", invalidf("github", "github %q: give a GitHub login, e.g. octocat", s)
	}
	return login, nil
}

// newLinkCode returns a one-time code like "docracy-k7m2xq9pabcd": 60
// random bits, so nobody guesses it, and short enough to paste into a bio.
func newLinkCode() string {
	return "docracy-" + strings.ToLower(rand.Text()[:12])
}
