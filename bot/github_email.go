package bot

import (
	"context"
	"net/mail"
	"strings"

	"github.com/docracy/docracy/ledger"
)

// EmailLinker records which member a commit e-mail address belongs to.
type EmailLinker interface {
	LinkEmail(ctx context.Context, member int64, email string) error
}

// LinkEmail records that a member commits with address, so that a
// "Co-authored-by: Name <address>" trailer credits them. Addresses are
// kept in lower case: GitHub matches them without regard to case.
func LinkEmail(ctx context.Context, l EmailLinker, m ledger.Member, address string) (string, error) {
	parsed, err := mail.ParseAddress(strings.TrimSpace(address))
	if err != nil || parsed.Name != "" || strings.ContainsAny(parsed.Address, " <>") {
		return "", invalidf("email", "email %q: give a plain address like alice@example.org", address)
	}
	email := strings.ToLower(parsed.Address)
	if err := l.LinkEmail(ctx, m.ID, email); err != nil {
		return "", err
	}
	return email, nil
}
