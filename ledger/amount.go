package ledger

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// MaxDecimals is the most decimals an amount may have: enough for tokens
// such as ETH (18).
const MaxDecimals = 18

// maxAmountDigits bounds the digits of an amount so that a typo cannot
// become an absurd number.
const maxAmountDigits = 40

// ParseAmount reads a decimal string such as "1000.00" as an integer number
// of minor units (100000 with 2 decimals), without floating point. It
// refuses signs, exponents, and more fraction digits than decimals.
func ParseAmount(s string, decimals int) (*big.Int, error) {
	if decimals < 0 || decimals > MaxDecimals {
		return nil, fmt.Errorf("amount %q: decimals must be between 0 and %d", s, MaxDecimals)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case whole == "" || !digits(whole) || (hasPoint && (frac == "" || !digits(frac))):
		return nil, fmt.Errorf("amount %q: write a plain decimal like \"1000.00\"", s)
	case len(frac) > decimals:
		return nil, fmt.Errorf("amount %q: %s", s, decimalsAllowed(decimals))
	case len(whole)+decimals > maxAmountDigits:
		return nil, fmt.Errorf("amount %q: too large: at most %d digits before the point", s, maxAmountDigits-decimals)
	}
	v, _ := new(big.Int).SetString(whole+frac+strings.Repeat("0", decimals-len(frac)), 10)
	return v, nil
}

// decimalsAllowed says how many decimals an amount may have.
func decimalsAllowed(decimals int) string {
	switch decimals {
	case 0:
		return "a whole number, without decimals"
	case 1:
		return "at most 1 decimal"
	}
	return fmt.Sprintf("at most %d decimals", decimals)
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// FormatAmount prints minor units as a decimal string with exactly decimals
// fraction digits: FormatAmount(100000, 2) is "1000.00", FormatAmount(1, 6)
// is "0.000001". It is the inverse of ParseAmount.
func FormatAmount(v *big.Int, decimals int) string {
	s := new(big.Int).Abs(v).String()
	if decimals > 0 {
		if len(s) <= decimals {
			s = strings.Repeat("0", decimals-len(s)+1) + s
		}
		s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	}
	if v.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// Errors of Allocate.
var (
	ErrNothingEarned = errors.New("nobody earned anything in the period")
	ErrAllCapped     = errors.New("every member is capped by max_share_percent: the budget cannot be shared out")
	ErrAllBelowMin   = errors.New("no member's share reaches min_amount")
)
