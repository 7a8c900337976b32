package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// LinkRequest attaches a Discord account to the member that holds a GitHub
// account: the same person, known on two platforms.
type LinkRequest struct {
	Discord Account // platform discord; ExternalID is the user's snowflake
	GitHub  Account // platform github; Login, and ExternalID once GitHub gave it
	Name    string  // name of the member created when neither account has one
	Source  Source  // where the confirmation came from
	Actor   string  // who confirmed it
	Note    string  // how it was confirmed, kept in the link entry
}

// LinkResult says what Link did.
type LinkResult struct {
	Entry   Entry // the link entry; zero when the accounts already shared a member
	Created bool  // false when nothing was written: a repeated or needless request
	Member  int64 // the member holding both accounts now
	Merged  int64 // the member folded into Member, or 0
	Carried int   // counted entries carried from Merged to Member
	Dropped int   // praise revoked because it became self-praise
}

// Link attaches r.Discord to the member holding r.GitHub, in one
// transaction, and appends a link entry that records it.
//
// When both accounts already have members, the Discord account's member is
// folded into the GitHub account's one: its accounts move over, and each of
// its counted entries is carried over by appending a revoke of the entry
// (source_ref "revoke:<id>") and a copy for the surviving member
// (source_ref "carry:<id>") with the same kind, category, points,
// occurred_at, actor and note. Nothing is rewritten: the chain stays valid,
// reputation (decay included) and windowed leaderboards add up exactly, and
// an export read alone gives the same totals. Praise that the merge would
// turn into self-praise (given by one of the person's own Discord accounts)
// is revoked and not carried.
//
// The link entry's source_ref is "link:discord:<id>:github:<login>", so a
// repeated confirmation (a retried command, a maintainer and the bio check
// at once) links once. Any pending claim of the Discord account is deleted.
func (l *Ledger) Link(ctx context.Context, r LinkRequest) (res LinkResult, err error) {
	if r.Discord.Platform != PlatformDiscord || r.Discord.ExternalID == "" {
		return LinkResult{}, fmt.Errorf("link: no Discord account")
	}
	if r.GitHub.Platform != PlatformGitHub || r.GitHub.Login == "" {
		return LinkResult{}, fmt.Errorf("link: no GitHub login")
	}
	err = l.write(ctx, func(w *writer) error {
		res, err = w.link(ctx, r)
		return err
	})
	if err != nil {
		return LinkResult{}, fmt.Errorf("link %s to %s: %w", r.Discord, r.GitHub, err)
	}
	return res, nil
}

func linkRef(r LinkRequest) string {
	return "link:discord:" + r.Discord.ExternalID + ":github:" + strings.ToLower(r.GitHub.Login)
}

func (w *writer) link(ctx context.Context, r LinkRequest) (LinkResult, error) {
	ref := linkRef(r)
	if e, err := w.entryByRef(ctx, ref); err == nil {
		return LinkResult{Entry: e, Member: e.Member}, nil
	} else if !errors.Is(err, ErrNotFound) {
		return LinkResult{}, err
	}
	dm, dFound, err := w.claimAccount(ctx, r.Discord)
	if err != nil {
		return LinkResult{}, err
	}
	gm, gFound, err := w.claimAccount(ctx, r.GitHub)
	if err != nil {
		return LinkResult{}, err
	}
	if err := w.exec(ctx, "DELETE FROM link_claims WHERE discord_id = ?", r.Discord.ExternalID); err != nil {
		return LinkResult{}, err
	}
	res := LinkResult{Member: gm}
	switch {
	case dFound && gFound && dm == gm:
		return res, nil // linked already, under another login or by hand
	case dFound && gFound:
		res.Merged = dm
	case gFound:
		err = w.attachAccount(ctx, r.Discord, gm)
	case dFound:
		res.Member = dm
		err = w.attachAccount(ctx, r.GitHub, dm)
	default:
		res.Member, err = w.memberWith(ctx, r.Name, r.Discord, r.GitHub)
	}
	if err != nil {
		return LinkResult{}, err
	}
	if res.Merged == 0 {
		res.Entry, res.Created, err = w.append(ctx, w.linkEntry(r, ref, res.Member, r.Note))
		return res, err
	}
	return w.merge(ctx, r, ref, res)
}

func (w *writer) linkEntry(r LinkRequest, ref string, member int64, note string) NewEntry {
	return NewEntry{
		Kind: KindLink, Member: member, OccurredAt: w.now, Source: r.Source,
		SourceRef: ref, Actor: r.Actor, Note: note,
	}
}

func (w *writer) attachAccount(ctx context.Context, a Account, member int64) error {
	return w.exec(ctx, "INSERT INTO accounts (platform, external_id, login, member_id) VALUES (?, ?, ?, ?)",
		a.Platform, nullable(a.ExternalID), a.Login, member)
}

// memberWith creates a member holding the given accounts.
func (w *writer) memberWith(ctx context.Context, name string, accounts ...Account) (int64, error) {
	if name == "" {
		name = accounts[0].String()
	}
	m, err := w.createMember(ctx, name, "")
	if err != nil {
		return 0, err
	}
	for _, a := range accounts {
		if err := w.attachAccount(ctx, a, m.ID); err != nil {
			return 0, err
		}
	}
	return m.ID, nil
}

// merge folds res.Merged into res.Member: the link entry first, so that
// the revokes and copies that follow can name it, then the accounts, then
// the entries.
func (w *writer) merge(ctx context.Context, r LinkRequest, ref string, res LinkResult) (LinkResult, error) {
	from, to := res.Merged, res.Member
	actors, err := w.discordActors(ctx, from, to)
	if err != nil {
		return LinkResult{}, err
	}
	carry, err := w.countedEntries(ctx, from)
	if err != nil {
		return LinkResult{}, err
	}
	kept, err := w.countedEntries(ctx, to)
	if err != nil {
		return LinkResult{}, err
	}
	var drop []Entry
	carry, drop = splitSelfPraise(carry, actors)
	_, selfPraise := splitSelfPraise(kept, actors)
	drop = append(drop, selfPraise...)
	res.Carried, res.Dropped = len(carry), len(drop)

	note := fmt.Sprintf("member %d merged into member %d: %d entries carried", from, to, len(carry))
	if len(drop) > 0 {
		note += fmt.Sprintf(", %d praise dropped as self-praise", len(drop))
	}
	if r.Note != "" {
		note = r.Note + "; " + note
	}
	if res.Entry, res.Created, err = w.append(ctx, w.linkEntry(r, ref, to, note)); err != nil {
		return LinkResult{}, err
	}
	if err := w.moveMember(ctx, from, to); err != nil {
		return LinkResult{}, err
	}
	if err := w.carryCollege(ctx, r, res.Entry, from, to); err != nil {
		return LinkResult{}, err
	}
	for _, e := range carry {
		why := fmt.Sprintf("carried to member %d by link %s", to, res.Entry.ID)
		if err := w.revokeForLink(ctx, e, r, why); err != nil {
			return LinkResult{}, err
		}
		if _, _, err := w.append(ctx, carried(e, to)); err != nil {
			return LinkResult{}, err
		}
	}
	for _, e := range drop {
		why := fmt.Sprintf("self-praise once linked by %s", res.Entry.ID)
		if err := w.revokeForLink(ctx, e, r, why); err != nil {
			return LinkResult{}, err
		}
	}
	return res, nil
}

// carried is the copy of e that counts for member to.
func carried(e Entry, to int64) NewEntry {
	return NewEntry{
		Kind: e.Kind, Member: to, Category: e.Category, Points: e.Points, OccurredAt: e.OccurredAt,
		Source: e.Source, SourceRef: "carry:" + e.ID, Actor: e.Actor, Note: e.Note, URL: e.URL,
	}
}

// revokeForLink appends the revoke of a counted entry and stops it counting,
// as Revoke does, within the link's transaction.
func (w *writer) revokeForLink(ctx context.Context, e Entry, r LinkRequest, note string) error {
	_, created, err := w.append(ctx, NewEntry{
		Kind: KindRevoke, Member: e.Member, Category: e.Category, Points: -e.Points,
		OccurredAt: w.now, Source: r.Source, SourceRef: "revoke:" + e.ID, Actor: r.Actor, Note: note,
	})
	if err != nil || !created {
		return err
	}
	return w.removeScore(ctx, e)
}

// moveMember gives from's accounts to to, and its payout address where to
// has none (the college follows by a chained entry, see carryCollege). What from was paid is now what to was paid:
// the payout entries stay as they were chained (the link entry says who
// became whom), but the balanced policy must see one person's total.
func (w *writer) moveMember(ctx context.Context, from, to int64) error {
	if err := w.exec(ctx, "UPDATE accounts SET member_id = ? WHERE member_id = ?", to, from); err != nil {
		return err
	}
	if err := w.exec(ctx, "UPDATE payouts SET member_id = ? WHERE member_id = ?", to, from); err != nil {
		return err
	}
	return w.exec(ctx, "UPDATE members SET payout_address = (SELECT payout_address FROM members WHERE id = ?) WHERE id = ? AND payout_address = ''", from, to)
}

// countedEntries returns a member's entries that count (credit and praise,
// not revoked), in seq order: those the scores table holds.
func (w *writer) countedEntries(ctx context.Context, member int64) ([]Entry, error) {
	rows, err := w.tx.QueryContext(ctx, "SELECT "+entryColumns+" FROM entries WHERE seq IN (SELECT seq FROM scores WHERE member_id = ?) ORDER BY seq", member)
	if err != nil {
		return nil, err
	}
	return scanEntries(rows)
}

// discordActors names, as entries' actors do, the Discord accounts of the
// given members: after a merge, praise from any of them is self-praise.
func (w *writer) discordActors(ctx context.Context, members ...int64) ([]string, error) {
	var actors []string
	for _, m := range members {
		rows, err := w.tx.QueryContext(ctx, "SELECT external_id FROM accounts WHERE platform = 'discord' AND member_id = ? AND external_id IS NOT NULL", m)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			actors = append(actors, Account{Platform: PlatformDiscord, ExternalID: id}.String())
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return actors, nil
}

// splitSelfPraise separates the praise given by one of actors.
func splitSelfPraise(entries []Entry, actors []string) (keep, self []Entry) {
	for _, e := range entries {
		if e.Kind == KindPraise && slices.Contains(actors, e.Actor) {
			self = append(self, e)
		} else {
			keep = append(keep, e)
		}
	}
	return keep, self
}

// LinkClaim is a Discord user's pending request to be linked to a GitHub
// account, confirmed when the GitHub profile's bio shows Code.
type LinkClaim struct {
	DiscordID   string
	GitHubLogin string
	Code        string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// SaveLinkClaim stores a claim, replacing any earlier claim of the same
// Discord account.
func (l *Ledger) SaveLinkClaim(ctx context.Context, c LinkClaim) error {
	err := l.write(ctx, func(w *writer) error {
		return w.exec(ctx, `INSERT INTO link_claims (discord_id, github_login, code, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (discord_id) DO UPDATE SET github_login = excluded.github_login,
			code = excluded.code, created_at = excluded.created_at, expires_at = excluded.expires_at`,
			c.DiscordID, c.GitHubLogin, c.Code, c.CreatedAt.Unix(), c.ExpiresAt.Unix())
	})
	if err != nil {
		return fmt.Errorf("save link claim: %w", err)
	}
	return nil
}

// LinkClaim returns the pending claim of a Discord account, expired or not.
func (l *Ledger) LinkClaim(ctx context.Context, discordID string) (LinkClaim, error) {
	c := LinkClaim{DiscordID: discordID}
	var created, expires int64
	err := l.db.QueryRowContext(ctx, "SELECT github_login, code, created_at, expires_at FROM link_claims WHERE discord_id = ?", discordID).
		Scan(&c.GitHubLogin, &c.Code, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return LinkClaim{}, fmt.Errorf("link claim of discord:%s: %w", discordID, ErrNotFound)
	} else if err != nil {
		return LinkClaim{}, fmt.Errorf("link claim of discord:%s: %w", discordID, err)
	}
	c.CreatedAt, c.ExpiresAt = time.Unix(created, 0).UTC(), time.Unix(expires, 0).UTC()
	return c, nil
}
