package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/docracy/docracy/ledger"
)

// A member is named on every interface the same way: github:<login>,
// discord:<user id> or by member id.
const memberNameHelp = "name a member as github:<login>, discord:<user id> or a member id"

var (
	// githubLogin is looser than GitHub's own rule (no "--", no trailing
	// "-"): a typo then reads as an unknown login rather than a bad name.
	githubLogin = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$`)
)

// memberName is a parsed member name: either a member id or an account.
type memberName struct {
	id      int64
	account ledger.Account
}

func (n memberName) String() string {
	if n.id > 0 {
		return "member " + strconv.FormatInt(n.id, 10)
	}
	return n.account.String()
}

func parseMemberName(name string) (memberName, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return memberName{}, invalidf("member", "member is missing: %s", memberNameHelp)
	}
	platform, value, ok := strings.Cut(name, ":")
	switch {
	case !ok:
		if id, err := strconv.ParseInt(name, 10, 64); err == nil && id > 0 {
			return memberName{id: id}, nil
		}
	case platform == string(ledger.PlatformGitHub):
		login := strings.TrimPrefix(value, "@")
		if githubLogin.MatchString(login) {
			return memberName{account: ledger.Account{Platform: ledger.PlatformGitHub, Login: login}}, nil
		}
	case platform == string(ledger.PlatformDiscord):
		if ledger.IsDiscordID(value) {
			return memberName{account: ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: value}}, nil
		}
	}
	return memberName{}, invalidf("member", "member %q: %s", name, memberNameHelp)
}

// ResolveMember returns the member a name designates. Naming an account
// that no member holds yet creates its member, so that a contribution can be
// credited before its author ever talks to the bot.
func (b *Bot) ResolveMember(ctx context.Context, name string) (ledger.Member, error) {
	n, err := parseMemberName(name)
	if err != nil {
		return ledger.Member{}, err
	}
	return b.resolve(ctx, n)
}

func (b *Bot) resolve(ctx context.Context, n memberName) (ledger.Member, error) {
	if n.id > 0 {
		return b.memberByID(ctx, n.id)
	}
	m, created, err := b.Ledger.EnsureAccount(ctx, n.account, "")
	if err != nil {
		return ledger.Member{}, fmt.Errorf("resolve member: %w", err)
	}
	if created {
		b.logger().Info("member created", "member", m.ID, "account", n.account.String())
	}
	return m, nil
}

// FindMember returns the member a name designates, without creating one:
// looking someone up must not change the ledger.
func (b *Bot) FindMember(ctx context.Context, name string) (ledger.Member, error) {
	n, err := parseMemberName(name)
	if err != nil {
		return ledger.Member{}, err
	}
	return b.find(ctx, n)
}

func (b *Bot) find(ctx context.Context, n memberName) (ledger.Member, error) {
	var m ledger.Member
	var err error
	switch {
	case n.id > 0:
		return b.memberByID(ctx, n.id)
	case n.account.Platform == ledger.PlatformGitHub:
		m, err = b.Ledger.MemberByLogin(ctx, n.account.Platform, n.account.Login)
	default:
		m, err = b.Ledger.MemberByAccount(ctx, n.account.Platform, n.account.ExternalID)
	}
	if errors.Is(err, ledger.ErrNotFound) {
		return ledger.Member{}, notFoundf("member", "no member holds %s yet: a member appears with their first credit", n)
	} else if err != nil {
		return ledger.Member{}, fmt.Errorf("find member: %w", err)
	}
	return m, nil
}

func (b *Bot) memberByID(ctx context.Context, id int64) (ledger.Member, error) {
	m, err := b.Ledger.Member(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return ledger.Member{}, notFoundf("member", "member %d does not exist", id)
	} else if err != nil {
		return ledger.Member{}, fmt.Errorf("find member: %w", err)
	}
	return m, nil
}
