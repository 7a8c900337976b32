package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of a payout address: an IBAN, a wallet address or a payment
// handle all fit.
const (
	MinAddressLen = 4
	MaxAddressLen = 200
)

// SetWallet records where the named member is paid. The address is
// private: it appears only in the treasurer's payout export, so the reply
// shows it masked. It returns the masked address.
func (c *Community) SetWallet(ctx context.Context, member, address string) (string, error) {
	address = strings.TrimSpace(address)
	if err := checkAddress(address); err != nil {
		return "", err
	}
	m, err := c.members().findName(ctx, member)
	if err != nil {
		return "", err
	}
	if err := c.Ledger.SetPayoutAddress(ctx, m.ID, address); err != nil {
		return "", fmt.Errorf("wallet: %w", err)
	}
	c.Bot.logger().Info("payout address set", "member", m.ID) // never the address itself
	return MaskAddress(address), nil
}

func checkAddress(s string) error {
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		return invalidf("address", "address: use printable characters only")
	case n < MinAddressLen || n > MaxAddressLen:
		return invalidf("address", "address is %d characters long: give your IBAN or wallet address, %d to %d characters", n, MinAddressLen, MaxAddressLen)
	}
	return nil
}

// MaskAddress shows the last four characters of an address, spaces left
// out: enough for its owner to recognise it, not for anyone to use it.
func MaskAddress(s string) string {
	r := []rune(strings.Join(strings.Fields(s), ""))
	if len(r) <= 4 {
		return strings.Repeat("•", len(r))
	}
	return "•••" + string(r[len(r)-4:])
}
