package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// members names, finds and creates members through one ledger handle: the
// Bot's for its use cases, the Community's for its own.
type members struct {
	ledger Ledger
	log    *slog.Logger
}

func (b *Bot) members() members { return members{b.Ledger, b.logger()} }

// ResolveMember returns the member a name designates. Naming an account
// that no member holds yet creates its member, so that a contribution can be
// credited before its author ever talks to the bot.
func (b *Bot) ResolveMember(ctx context.Context, name string) (ledger.Member, error) {
	return b.members().resolveName(ctx, name)
}

func (ms members) resolveName(ctx context.Context, name string) (ledger.Member, error) {
	return ms.byName(ctx, name, ms.resolve)
}

// byName parses a member name and gets its member with get: resolve or
// find.
func (ms members) byName(ctx context.Context, name string, get func(context.Context, memberName) (ledger.Member, error)) (ledger.Member, error) {
	n, err := parseMemberName(name)
	if err != nil {
		return ledger.Member{}, err
	}
	return get(ctx, n)
}

// resolve reads before it writes: a known account costs a read, and only
// an account no member holds yet takes the writer lock, to create it.
func (ms members) resolve(ctx context.Context, n memberName) (ledger.Member, error) {
	m, found, err := ms.known(ctx, n, "resolve member")
	if err != nil || found {
		return m, err
	}
	if m, err = ms.create(ctx, n.account, ""); err != nil {
		return ledger.Member{}, fmt.Errorf("resolve member: %w", err)
	}
	return m, nil
}

// known reads the member n names. An account no member holds yet is not
// found, without an error; a member id that names no member is one.
func (ms members) known(ctx context.Context, n memberName, op string) (m ledger.Member, found bool, err error) {
	if n.id > 0 {
		m, err = ms.byID(ctx, n.id)
		return m, err == nil, err
	}
	m, err = ms.lookup(ctx, n.account)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return ledger.Member{}, false, nil
	case err != nil:
		return ledger.Member{}, false, fmt.Errorf("%s: %w", op, err)
	}
	return m, true, nil
}

// create makes the member holding a, named name (its login or account when
// empty). EnsureAccount looks again inside its write transaction, so that
// of two first uses at once, the second gets the member the first made.
func (ms members) create(ctx context.Context, a ledger.Account, name string) (ledger.Member, error) {
	m, created, err := ms.ledger.EnsureAccount(ctx, a, name)
	if err != nil {
		return ledger.Member{}, err
	}
	if created {
		ms.log.Info("member created", "member", m.ID, "account", a.String())
	}
	return m, nil
}

// FindMember returns the member a name designates, without creating one:
// looking someone up must not change the ledger.
func (b *Bot) FindMember(ctx context.Context, name string) (ledger.Member, error) {
	return b.members().findName(ctx, name)
}

func (ms members) findName(ctx context.Context, name string) (ledger.Member, error) {
	return ms.byName(ctx, name, ms.find)
}

func (ms members) find(ctx context.Context, n memberName) (ledger.Member, error) {
	m, found, err := ms.known(ctx, n, "find member")
	if err == nil && !found {
		return ledger.Member{}, notFoundf("member", "no member holds %s yet: a member appears with their first credit", n)
	}
	return m, err
}

// lookup reads the member holding an account: a GitHub one by login, as
// names give it, a Discord one by user id.
func (ms members) lookup(ctx context.Context, a ledger.Account) (ledger.Member, error) {
	if a.Platform == ledger.PlatformGitHub {
		return ms.ledger.MemberByLogin(ctx, a.Platform, a.Login)
	}
	return ms.ledger.MemberByAccount(ctx, a.Platform, a.ExternalID)
}

func (ms members) byID(ctx context.Context, id int64) (ledger.Member, error) {
	m, err := ms.ledger.Member(ctx, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return ledger.Member{}, notFoundf("member", "member %d does not exist", id)
	} else if err != nil {
		return ledger.Member{}, fmt.Errorf("find member: %w", err)
	}
	return m, nil
}
