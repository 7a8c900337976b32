package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/docracy/docracy/ledger"
)

// Community runs the use cases between people rather than about a single
// contribution: praise, linking a Discord account to a GitHub one, and
// payout addresses. Slash commands and the CLI call the same methods. It
// names members, validates and logs as its Bot does, but reads and writes
// through its own Ledger only, so that one handle sees all it does.
type Community struct {
	Bot         *Bot // the clock and the logger
	Ledger      CommunityLedger
	PraiseRules PraiseRules

	// GitHub reads public GitHub profiles to check a link's one-time code;
	// nil leaves every link to a maintainer's confirmation.
	GitHub GitHubProfiles
}

// CommunityLedger is what a Community needs from the ledger: the Bot's
// Ledger and the writes between people; *ledger.Ledger provides it.
type CommunityLedger interface {
	Ledger
	AppendPraise(ctx context.Context, n ledger.NewEntry, lim ledger.PraiseLimits) (ledger.Entry, bool, error)
	Link(ctx context.Context, r ledger.LinkRequest) (ledger.LinkResult, error)
	SaveLinkClaim(ctx context.Context, c ledger.LinkClaim) error
	LinkClaim(ctx context.Context, discordID string) (ledger.LinkClaim, error)
	SetPayoutAddress(ctx context.Context, member int64, address string) error
}

// NewCommunity returns the community use cases on ledger l, which is
// usually the very ledger b writes to, with b's clock and logger.
func NewCommunity(b *Bot, l CommunityLedger, rules PraiseRules) *Community {
	return &Community{Bot: b, Ledger: l, PraiseRules: rules}
}

func (c *Community) now() time.Time { return c.Bot.now().UTC().Truncate(time.Second) }

func (c *Community) members() members { return members{c.Ledger, c.Bot.logger()} }

// DiscordMember returns the member holding a Discord account, creating one
// named name on first use: whoever talks to the bot becomes a member, so
// that praise and links have someone to attach to. A known account costs a
// read, not a write.
func (b *Bot) DiscordMember(ctx context.Context, userID, name string) (ledger.Member, error) {
	return b.members().discord(ctx, userID, name)
}

func (ms members) discord(ctx context.Context, userID, name string) (ledger.Member, error) {
	if !ledger.IsDiscordID(userID) {
		return ledger.Member{}, invalidf("member", "discord user id %q: expected digits only", userID)
	}
	a := ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: userID}
	m, err := ms.lookup(ctx, a)
	if errors.Is(err, ledger.ErrNotFound) {
		m, err = ms.create(ctx, a, name)
	}
	if err != nil {
		return ledger.Member{}, fmt.Errorf("discord member: %w", err)
	}
	return m, nil
}

// discordAccount reads a member name that must be a Discord account.
func discordAccount(field, name string) (ledger.Account, error) {
	n, err := parseMemberName(name)
	if err != nil {
		return ledger.Account{}, err
	}
	if n.account.Platform != ledger.PlatformDiscord {
		return ledger.Account{}, invalidf(field, "%s %q: name a Discord account, discord:<user id>", field, name)
	}
	return n.account, nil
}
