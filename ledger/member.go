package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Member is a person of the cooperative: the one who is credited, ranked
// and paid. A member may hold several accounts.
type Member struct {
	ID            int64     `json:"id"`
	Name          string    `json:"name"`
	College       string    `json:"college"`
	PayoutAddress string    `json:"-"` // never published
	CreatedAt     time.Time `json:"created_at"`
	Accounts      []Account `json:"accounts"`
}

// Platform is where an account lives.
type Platform string

// The platforms a member can hold an account on.
const (
	PlatformGitHub  Platform = "github"
	PlatformDiscord Platform = "discord"
)

// IsDiscordID reports whether s is a Discord id (a snowflake) as Discord
// writes it: an unsigned 64-bit integer in decimal, without a sign or
// leading zeros. A channel or role name in its place is the usual mistake.
func IsDiscordID(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// Account ties a platform identity to a member. GitHub accounts are keyed by
// numeric user id (logins change) and keep the login for display; Discord
// accounts by snowflake. ExternalID is empty for a GitHub account named by
// login whose id GitHub has not sent yet.
type Account struct {
	Platform   Platform `json:"platform"`
	ExternalID string   `json:"id,omitempty"`
	Login      string   `json:"login,omitempty"`
}

// String names the account the way the CLI accepts it.
func (a Account) String() string {
	if a.Platform == PlatformGitHub && a.Login != "" {
		return "github:" + a.Login
	}
	return string(a.Platform) + ":" + a.ExternalID
}

// CreateMember adds a member with no account.
func (l *Ledger) CreateMember(ctx context.Context, name, college string) (m Member, err error) {
	err = l.write(ctx, func(w *writer) error {
		m, err = w.createMember(ctx, name, college)
		return err
	})
	return m, err
}

func (w *writer) createMember(ctx context.Context, name, college string) (Member, error) {
	var id int64
	err := w.scan(ctx, "INSERT INTO members (name, college, created_at) VALUES (?, ?, ?) RETURNING id",
		[]any{name, college, w.now.Unix()}, &id)
	if err != nil {
		return Member{}, fmt.Errorf("create member: %w", err)
	}
	return Member{ID: id, Name: name, College: college, CreatedAt: w.now, Accounts: []Account{}}, nil
}

// EnsureAccount returns the member holding the account, creating the member
// (named name, or the login) on first sight. A GitHub account known only by
// login receives its numeric id here, and a changed login is updated.
func (l *Ledger) EnsureAccount(ctx context.Context, a Account, name string) (m Member, created bool, err error) {
	if a.ExternalID == "" && a.Login == "" {
		return Member{}, false, fmt.Errorf("ensure account: no id or login")
	}
	err = l.write(ctx, func(w *writer) error {
		m.ID, created, err = w.ensureAccount(ctx, a, name)
		return err
	})
	if err != nil {
		return Member{}, false, fmt.Errorf("ensure account %s: %w", a, err)
	}
	m, err = l.Member(ctx, m.ID)
	return m, created, err
}

// ensureAccount is EnsureAccount within a write: it returns the id of the
// member holding a, creating the member and the account on first sight.
func (w *writer) ensureAccount(ctx context.Context, a Account, name string) (member int64, created bool, err error) {
	github := a.Platform == PlatformGitHub
	if id, known := w.ahead.holder(a.ExternalID, a.Login); github && known {
		return id, false, nil
	}
	member, created, err = w.claimOrCreate(ctx, a, name)
	if err == nil && github {
		w.ahead.hold(a.ExternalID, a.Login, member)
	}
	return member, created, err
}

// claimOrCreate is ensureAccount past the lookahead.
func (w *writer) claimOrCreate(ctx context.Context, a Account, name string) (member int64, created bool, err error) {
	id, found, err := w.claimAccount(ctx, a)
	if err != nil || found {
		return id, false, err
	}
	if name == "" {
		name = a.Login
	}
	if name == "" {
		name = a.String()
	}
	m, err := w.createMember(ctx, name, "")
	if err != nil {
		return 0, false, err
	}
	err = w.exec(ctx, "INSERT INTO accounts (platform, external_id, login, member_id) VALUES (?, ?, ?, ?)",
		a.Platform, nullable(a.ExternalID), a.Login, m.ID)
	return m.ID, true, err
}

// claimAccount finds an existing account by id, then by login among the
// accounts whose id is not known yet, and brings its id and login up to date.
func (w *writer) claimAccount(ctx context.Context, a Account) (member int64, found bool, err error) {
	if a.ExternalID != "" {
		var login string
		err = w.scan(ctx, "SELECT member_id, login FROM accounts WHERE platform = ? AND external_id = ?",
			[]any{a.Platform, a.ExternalID}, &member, &login)
		if err == nil {
			if a.Login != "" && a.Login != login { // rewriting it unchanged would cost every credit a page write
				err = w.exec(ctx, "UPDATE accounts SET login = ? WHERE platform = ? AND external_id = ?",
					a.Login, a.Platform, a.ExternalID)
			}
			return member, true, err
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, false, err
		}
	}
	if a.Login == "" {
		return 0, false, nil
	}
	var rowid int64
	err = w.scan(ctx, `SELECT rowid, member_id FROM accounts WHERE platform = ? AND login = ? COLLATE NOCASE
		AND (external_id IS NULL OR ? = '') ORDER BY external_id IS NULL LIMIT 1`,
		[]any{a.Platform, a.Login, a.ExternalID}, &rowid, &member)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	} else if err != nil {
		return 0, false, err
	}
	if a.ExternalID != "" {
		err = w.exec(ctx, "UPDATE accounts SET external_id = ?, login = ? WHERE rowid = ?", a.ExternalID, a.Login, rowid)
	}
	return member, true, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Member returns a member with its accounts.
func (l *Ledger) Member(ctx context.Context, id int64) (Member, error) {
	var m Member
	var created int64
	err := l.db.QueryRowContext(ctx, "SELECT id, name, college, payout_address, created_at FROM members WHERE id = ?", id).
		Scan(&m.ID, &m.Name, &m.College, &m.PayoutAddress, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("member %d: %w", id, ErrNotFound)
	} else if err != nil {
		return Member{}, fmt.Errorf("member %d: %w", id, err)
	}
	m.CreatedAt = time.Unix(created, 0).UTC()
	m.Accounts, err = l.accounts(ctx, id)
	return m, err
}

func (l *Ledger) accounts(ctx context.Context, member int64) ([]Account, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT platform, coalesce(external_id, ''), login FROM accounts WHERE member_id = ? ORDER BY platform, rowid", member)
	if err != nil {
		return nil, fmt.Errorf("accounts of member %d: %w", member, err)
	}
	defer rows.Close()
	accounts := []Account{}
	for rows.Next() {
		var a Account
		if err := rows.Scan(&a.Platform, &a.ExternalID, &a.Login); err != nil {
			return nil, err
		}
		accounts = append(accounts, a)
	}
	return accounts, rows.Err()
}

// MemberByAccount returns the member holding a platform account, by
// external id, or for GitHub by login when the id is not numeric.
func (l *Ledger) MemberByAccount(ctx context.Context, p Platform, externalID string) (Member, error) {
	var id int64
	err := l.db.QueryRowContext(ctx, "SELECT member_id FROM accounts WHERE platform = ? AND external_id = ?", p, externalID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("%s account %s: %w", p, externalID, ErrNotFound)
	} else if err != nil {
		return Member{}, err
	}
	return l.Member(ctx, id)
}

// MemberByLogin returns the member holding a login on a platform (case
// insensitive, as GitHub logins are).
func (l *Ledger) MemberByLogin(ctx context.Context, p Platform, login string) (Member, error) {
	var id int64
	err := l.db.QueryRowContext(ctx, "SELECT member_id FROM accounts WHERE platform = ? AND login = ? COLLATE NOCASE ORDER BY external_id IS NULL LIMIT 1",
		p, strings.TrimPrefix(login, "@")).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("%s account %s: %w", p, login, ErrNotFound)
	} else if err != nil {
		return Member{}, err
	}
	return l.Member(ctx, id)
}

// Members returns every member in id order, without accounts.
func (l *Ledger) Members(ctx context.Context) ([]Member, error) {
	rows, err := l.db.QueryContext(ctx, "SELECT id, name, college, payout_address, created_at FROM members ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	members := []Member{}
	for rows.Next() {
		var m Member
		var created int64
		if err := rows.Scan(&m.ID, &m.Name, &m.College, &m.PayoutAddress, &created); err != nil {
			return nil, fmt.Errorf("members: %w", err)
		}
		m.CreatedAt = time.Unix(created, 0).UTC()
		members = append(members, m)
	}
	return members, rows.Err()
}

// CollegeRequest places a member in a college from now on.
type CollegeRequest struct {
	Member    int64
	College   string // "" takes the member out of every college
	Source    Source
	SourceRef string // idempotency key
	Actor     string
	Note      string
}

// SetCollege appends a college entry: the chain, not the members table,
// says who belongs where, and the table follows it in the same transaction.
func (l *Ledger) SetCollege(ctx context.Context, r CollegeRequest) (Entry, bool, error) {
	return l.Append(ctx, NewEntry{
		Kind: KindCollege, Member: r.Member, Category: r.College, OccurredAt: l.now(),
		Source: r.Source, SourceRef: r.SourceRef, Actor: r.Actor, Note: r.Note,
	})
}

// placeMember applies a college entry to the members table.
func (w *writer) placeMember(ctx context.Context, e Entry) error {
	if err := w.exec(ctx, "UPDATE members SET college = ? WHERE id = ?", e.Category, e.Member); err != nil {
		return fmt.Errorf("place member %d: %w", e.Member, err)
	}
	return nil
}

// CollegesAt returns each member's college just before seq (the latest
// college entry before it): the membership a poll opened at seq counts.
// Members with no college are left out.
func (l *Ledger) CollegesAt(ctx context.Context, seq int64) (map[int64]string, error) {
	colleges := map[int64]string{}
	err := l.eachRow(ctx, func(row scanner) error {
		var member int64
		var college string
		if err := row.Scan(&member, &college); err != nil {
			return err
		}
		colleges[member] = college
		return nil
	}, "SELECT member_id, category FROM entries WHERE kind = 'college' AND seq < ? ORDER BY seq", seq)
	for m, c := range colleges {
		if c == "" {
			delete(colleges, m)
		}
	}
	return colleges, err
}

// SetPayoutAddress records where a member is paid.
func (l *Ledger) SetPayoutAddress(ctx context.Context, member int64, address string) error {
	return l.setMemberField(ctx, member, "payout_address", address)
}

func (l *Ledger) setMemberField(ctx context.Context, member int64, column, value string) error {
	return l.write(ctx, func(w *writer) error {
		res, err := w.tx.ExecContext(ctx, "UPDATE members SET "+column+" = ? WHERE id = ?", value, member)
		if err != nil {
			return fmt.Errorf("set %s of member %d: %w", column, member, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("member %d: %w", member, ErrNotFound)
		}
		return nil
	})
}

// Accounts returns every member's accounts, by member id: one query for
// listings that show many members.
func (l *Ledger) Accounts(ctx context.Context) (map[int64][]Account, error) {
	accounts := map[int64][]Account{}
	err := l.eachRow(ctx, func(row scanner) error {
		var member int64
		var a Account
		err := row.Scan(&member, &a.Platform, &a.ExternalID, &a.Login)
		accounts[member] = append(accounts[member], a)
		return err
	}, "SELECT member_id, platform, coalesce(external_id, ''), login FROM accounts ORDER BY member_id, platform, rowid")
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return accounts, nil
}
