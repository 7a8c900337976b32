package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// What the chain says about accounts, and what it cannot say.
//
// The chain determines, for two kinds of account, which member holds it:
// a GitHub account by numeric user id, from the source_ref of the first
// pull request credit under it (github:<host>:pr:…:author:<user id>), and
// a Discord account, from the source_ref of the link entry that attached
// it (link:discord:<id>:github:<login>); a link that folded one member
// into another says so in its note, and the accounts followed. Those are
// checked and rebuilt. The chain does not determine the rest of a
// member's row or accounts: display names, GitHub logins (they change,
// and the table follows GitHub), accounts never credited nor linked
// (a member named on the CLI before any credit, a Discord account known
// only by slash commands), linked e-mail addresses and payout addresses.
// Those are working state that no entry records, and rebuild leaves them
// as they are.

// accountKey names an account by platform and external id.
type accountKey struct {
	platform Platform
	id       string
}

// chainAccounts lists the accounts the chain determines, with their
// member now, in a stable order.
func (s *chainState) chainAccounts() ([]accountKey, map[accountKey]int64) {
	want := map[accountKey]int64{}
	for id, m := range s.github {
		want[accountKey{PlatformGitHub, id}] = s.member(m)
	}
	for id, m := range s.discord {
		want[accountKey{PlatformDiscord, id}] = s.member(m)
	}
	keys := make([]accountKey, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b accountKey) int {
		if a.platform != b.platform {
			return compareStrings(string(a.platform), string(b.platform))
		}
		return compareStrings(a.id, b.id)
	})
	return keys, want
}

func compareStrings(a, b string) int {
	switch {
	case len(a) != len(b): // numeric ids: shorter is smaller
		return len(a) - len(b)
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// checkAccounts names the first account the chain determines whose row is
// missing or names another member.
func checkAccounts(ctx context.Context, q queryer, s *chainState) error {
	keys, want := s.chainAccounts()
	for _, k := range keys {
		var member int64
		err := q.QueryRowContext(ctx, "SELECT member_id FROM accounts WHERE platform = ? AND external_id = ?",
			k.platform, k.id).Scan(&member)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return derivedf("accounts", "%s account %s: table has none, chain says member %d", k.platform, k.id, want[k])
		case err != nil:
			return fmt.Errorf("verify accounts: %w", err)
		case member != want[k]:
			return derivedf("accounts", "%s account %s: table says member %d, chain says member %d", k.platform, k.id, member, want[k])
		}
	}
	return nil
}

// rebuildAccounts gives each account the chain determines to its member,
// restoring a deleted row without its login, which the chain does not
// hold (GitHub sends it again with the next credit).
func rebuildAccounts(ctx context.Context, w *writer, s *chainState) error {
	keys, want := s.chainAccounts()
	for _, k := range keys {
		res, err := w.tx.ExecContext(ctx, "UPDATE accounts SET member_id = ? WHERE platform = ? AND external_id = ?",
			want[k], k.platform, k.id)
		if err != nil {
			return fmt.Errorf("rebuild accounts: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			continue
		}
		err = w.exec(ctx, "INSERT INTO accounts (platform, external_id, login, member_id) VALUES (?, ?, '', ?)",
			k.platform, k.id, want[k])
		if err != nil {
			return fmt.Errorf("rebuild accounts: %w", err)
		}
	}
	return nil
}

// checkCollegeColumn names the first member, by id, whose members.college
// is not the category of their latest college entry ("" when none).
func checkCollegeColumn(ctx context.Context, q queryer, s *chainState) error {
	var found error
	err := eachRowOf(ctx, q, func(row scanner) error {
		var id int64
		var college string
		if err := row.Scan(&id, &college); err != nil {
			return err
		}
		if chain := s.college[id]; college != chain && found == nil {
			found = derivedf("members", "member %d: table says college %s, chain says %s", id, placeName(college), placeName(chain))
		}
		return nil
	}, "SELECT id, college FROM members ORDER BY id")
	if err != nil {
		return fmt.Errorf("verify colleges: %w", err)
	}
	return found
}

func placeName(c string) string {
	if c == "" {
		return "none"
	}
	return c
}

// rebuildCollegeColumn sets every member's college to the chain's.
func rebuildCollegeColumn(ctx context.Context, w *writer, s *chainState) error {
	if err := w.exec(ctx, "UPDATE members SET college = '' WHERE college <> ''"); err != nil {
		return fmt.Errorf("rebuild colleges: %w", err)
	}
	for m, c := range s.college {
		if err := w.exec(ctx, "UPDATE members SET college = ? WHERE id = ?", c, m); err != nil {
			return fmt.Errorf("rebuild colleges: %w", err)
		}
	}
	return nil
}
