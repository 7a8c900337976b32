package ledger

import (
	"math/big"
	"slices"
)

// dropOrder sorts claims in the order min_amount drops them: the smallest
// weight first (it has the smallest share, as largest-remainder rounding
// keeps shares in the order of weights), and between equal weights the
// higher member id, whose share rounding leaves smaller.
func dropOrder(claims []Claim) []Claim {
	out := slices.Clone(claims)
	slices.SortFunc(out, func(a, b Claim) int {
		if c := a.Weight.Cmp(b.Weight); c != 0 {
			return c
		}
		return -cmpInt(a.Member, b.Member)
	})
	return out
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// dropCount is how many of the smallest claims the one-at-a-time rule
// drops before the others' shares all reach min, or before the largest
// share passes the cap (which is then applied first). Dropping one at a
// time would re-split the budget once per member dropped, O(n²) on a large
// cooperative; instead a binary search on exact (unrounded) shares finds
// the first count at which the rounded split can pass, and the rounded
// splits are tried from there: rounding moves a share by less than one
// minor unit, so only the few counts near that point need a real split.
func dropCount(remaining *big.Int, active []Claim, min, capAmount *big.Int, shares []Share) int {
	if min == nil || len(below(shares, min)) == 0 {
		return 0
	}
	order := dropOrder(active)
	left := remainingWeights(order) // left[k]: the weight that stays after dropping k
	k := firstTrue(1, len(order), func(k int) bool { return mayPass(remaining, order, left, k, min, capAmount) })
	for ; k < len(order); k++ {
		s := split(remaining, order[k:])
		if len(below(s, min)) == 0 || len(above(s, capAmount)) > 0 {
			return k
		}
	}
	return len(order)
}

// mayPass says whether, with the k smallest claims dropped, the exact
// smallest share exceeds min-1 or the exact largest exceeds the cap: below
// that count no rounded split can pass, and the condition only grows truer
// as k grows, which the binary search relies on.
func mayPass(remaining *big.Int, order []Claim, left []*big.Int, k int, min, capAmount *big.Int) bool {
	if k >= len(order) {
		return true
	}
	smallest := new(big.Int).Mul(remaining, order[k].Weight)
	floor := new(big.Int).Mul(new(big.Int).Sub(min, big.NewInt(1)), left[k])
	if smallest.Cmp(floor) > 0 {
		return true
	}
	if capAmount == nil {
		return false
	}
	largest := new(big.Int).Mul(remaining, order[len(order)-1].Weight)
	return largest.Cmp(new(big.Int).Mul(capAmount, left[k])) > 0
}

// remainingWeights returns, for each k, the sum of the weights of
// order[k:].
func remainingWeights(order []Claim) []*big.Int {
	left := make([]*big.Int, len(order)+1)
	left[len(order)] = new(big.Int)
	for k := len(order) - 1; k >= 0; k-- {
		left[k] = new(big.Int).Add(left[k+1], order[k].Weight)
	}
	return left
}

// firstTrue is the smallest k in [lo, hi] for which the monotone ok holds,
// or hi.
func firstTrue(lo, hi int, ok func(int) bool) int {
	for lo < hi {
		mid := lo + (hi-lo)/2
		if ok(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func byMember(shares []Share) map[int64]*big.Int {
	out := make(map[int64]*big.Int, len(shares))
	for _, s := range shares {
		out[s.Member] = s.Amount
	}
	return out
}

func members(claims []Claim) []int64 {
	out := make([]int64, len(claims))
	for i, c := range claims {
		out[i] = c.Member
	}
	return out
}
