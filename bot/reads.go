package bot

import (
	"context"

	"github.com/docracy/docracy/ledger"
)

// Reads that an integration needs beside the use cases, so that it asks
// the bot rather than the ledger the bot holds.

// CategoryNames are the categories a contribution may be credited in.
func (b *Bot) CategoryNames() []string { return b.Categories }

// MemberByID is the member with id.
func (b *Bot) MemberByID(ctx context.Context, id int64) (ledger.Member, error) {
	return b.members().byID(ctx, id)
}

// ReadsGitHubProfiles reports whether a link's one-time code can be
// checked on GitHub; when not, every link waits for a maintainer.
func (c *Community) ReadsGitHubProfiles() bool { return c.GitHub != nil }

// ByCollege reports whether the cooperative votes by college.
func (a *Assembly) ByCollege() bool { return len(a.Colleges) > 0 }

// PollInfo is what the ledger holds of the poll at seq.
func (a *Assembly) PollInfo(ctx context.Context, seq int64) (ledger.PollInfo, error) {
	return a.Ledger.PollInfo(ctx, seq)
}
