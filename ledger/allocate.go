package ledger

import (
	"fmt"
	"math/big"
	"sort"
)

// Claim is a member's weight in a split: points, reputation or underpay,
// as an exact integer.
type Claim struct {
	Member int64
	Weight *big.Int
}

// Share is what one member receives, in minor units.
type Share struct {
	Member int64
	Amount *big.Int
}

// SplitRules bound a split.
type SplitRules struct {
	Budget          *big.Int // minor units to share out, exactly
	MinAmount       *big.Int // shares below it drop out and are re-split; nil = none
	MaxSharePercent int      // no share above this percent of the budget; 0 or 100 = none
}

// Split is a budget shared out, with what min_amount did to it.
type Split struct {
	Shares   []Share  // by member id
	BelowMin int      // members dropped because their share fell below the minimum
	Resplit  *big.Int // what those members' shares came to before they were dropped
}

// Allocate is Divide without the account of what min_amount did.
func Allocate(claims []Claim, r SplitRules) ([]Share, error) {
	s, err := Divide(claims, r)
	return s.Shares, err
}

// Divide shares the budget out in proportion to the claims' weights,
// exactly: the shares add up to the budget, none is negative, none exceeds
// the cap, none is below the minimum. Members whose share would exceed the
// cap get the cap and the excess is re-split among the others. While a
// share is below the minimum, the smallest share drops out (between equal
// shares, the smaller weight, then the higher member id) and the budget is
// re-split among the rest: one at a time, so that the most deserving are
// kept rather than everyone below the line at once. Each split rounds by
// largest remainder on minor units, ties going to the lower member id, so
// the result does not depend on the order of the claims.
func Divide(claims []Claim, r SplitRules) (Split, error) {
	active := positive(claims)
	if len(active) == 0 {
		return Split{}, ErrNothingEarned
	}
	capAmount := shareCap(r)
	if capAmount != nil && r.MinAmount != nil && capAmount.Cmp(r.MinAmount) < 0 {
		return Split{}, fmt.Errorf("max_share_percent allows %s minor units, less than min_amount", capAmount)
	}
	var capped, dropped []Share
	var before map[int64]*big.Int // shares when the first member dropped out
	for {
		remaining := new(big.Int).Sub(r.Budget, sum(capped))
		if len(active) == 0 {
			if err := leftover(remaining, capped); err != nil {
				return Split{}, err
			}
			return Split{Shares: sorted(capped), BelowMin: len(dropped), Resplit: sum(dropped)}, nil
		}
		shares := split(remaining, active)
		if over := above(shares, capAmount); len(over) > 0 {
			for _, m := range over {
				capped = append(capped, Share{Member: m, Amount: capAmount})
			}
			active = without(active, over)
			continue
		}
		drop := dropOrder(active)[:dropCount(remaining, active, r.MinAmount, capAmount, shares)]
		if len(drop) == 0 {
			return Split{Shares: sorted(nonZero(append(capped, shares...))), BelowMin: len(dropped), Resplit: sum(dropped)}, nil
		}
		if before == nil {
			before = byMember(shares)
		}
		for _, c := range drop {
			dropped = append(dropped, Share{Member: c.Member, Amount: before[c.Member]})
		}
		active = without(active, members(drop))
	}
}

// leftover is why nobody is left to share the remaining budget.
func leftover(remaining *big.Int, capped []Share) error {
	switch {
	case remaining.Sign() == 0:
		return nil
	case len(capped) > 0:
		return ErrAllCapped
	}
	return ErrAllBelowMin
}

// nonZero leaves out members whose weight was too small for a single
// minor unit: a payout of nothing is not a payout.
func nonZero(shares []Share) []Share {
	out := shares[:0]
	for _, s := range shares {
		if s.Amount.Sign() > 0 {
			out = append(out, s)
		}
	}
	return out
}

func shareCap(r SplitRules) *big.Int {
	if r.MaxSharePercent <= 0 || r.MaxSharePercent >= 100 {
		return nil
	}
	c := new(big.Int).Mul(r.Budget, big.NewInt(int64(r.MaxSharePercent)))
	return c.Quo(c, big.NewInt(100))
}

// split divides total by weight with largest-remainder rounding.
func split(total *big.Int, claims []Claim) []Share {
	weights := new(big.Int)
	for _, c := range claims {
		weights.Add(weights, c.Weight)
	}
	shares := make([]Share, len(claims))
	remainders := make([]*big.Int, len(claims))
	given := new(big.Int)
	for i, c := range claims {
		q, rem := new(big.Int).QuoRem(new(big.Int).Mul(total, c.Weight), weights, new(big.Int))
		shares[i] = Share{Member: c.Member, Amount: q}
		remainders[i] = rem
		given.Add(given, q)
	}
	order := make([]int, len(claims))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if c := remainders[i].Cmp(remainders[j]); c != 0 {
			return c > 0
		}
		return claims[i].Member < claims[j].Member
	})
	left := new(big.Int).Sub(total, given).Int64() // fewer units than claims
	for k := int64(0); k < left; k++ {
		s := &shares[order[k]]
		s.Amount = new(big.Int).Add(s.Amount, big.NewInt(1))
	}
	return shares
}

func positive(claims []Claim) []Claim {
	var out []Claim
	for _, c := range claims {
		if c.Weight != nil && c.Weight.Sign() > 0 {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Member < out[j].Member })
	return out
}

func above(shares []Share, limit *big.Int) []int64 {
	var out []int64
	for _, s := range shares {
		if limit != nil && s.Amount.Cmp(limit) > 0 {
			out = append(out, s.Member)
		}
	}
	return out
}

func below(shares []Share, limit *big.Int) []int64 {
	var out []int64
	for _, s := range shares {
		if limit != nil && s.Amount.Cmp(limit) < 0 {
			out = append(out, s.Member)
		}
	}
	return out
}

func without(claims []Claim, members []int64) []Claim {
	drop := make(map[int64]bool, len(members))
	for _, m := range members {
		drop[m] = true
	}
	var out []Claim
	for _, c := range claims {
		if !drop[c.Member] {
			out = append(out, c)
		}
	}
	return out
}

func sum(shares []Share) *big.Int {
	total := new(big.Int)
	for _, s := range shares {
		total.Add(total, s.Amount)
	}
	return total
}

func sorted(shares []Share) []Share {
	sort.Slice(shares, func(i, j int) bool { return shares[i].Member < shares[j].Member })
	return shares
}
