package ledger_test

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

func TestParseAndFormatAmount(t *testing.T) {
	tests := []struct {
		in       string
		decimals int
		minor    string // "" = refused
		out      string // formatted back, or a part of the refusal
	}{
		{"1000.00", 2, "100000", "1000.00"},
		{"1000", 2, "100000", "1000.00"},
		{"5.5", 2, "550", "5.50"},
		{"0.000001", 6, "1", "0.000001"},
		{"1000.000000000000000001", 18, "1000000000000000000001", "1000.000000000000000001"},
		{"12", 0, "12", "12"},
		{"1.001", 2, "", "at most 2 decimals"},
		{"1.55", 1, "", "at most 1 decimal"},
		{"12.5", 0, "", "a whole number, without decimals"},
		{"-1.00", 2, "", ""},
		{"1e3", 2, "", ""},
		{"1,5", 2, "", ""},
		{"", 2, "", ""},
		{".5", 2, "", ""},
		{"5.", 2, "", ""},
		{" 5", 2, "", ""},
		{"1.0", 19, "", ""},
		{"99999999999999999999999999999999999999999", 2, "", "too large: at most 38 digits before the point"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.in, tt.decimals), func(t *testing.T) {
			v, err := ledger.ParseAmount(tt.in, tt.decimals)
			if tt.minor == "" {
				if err == nil || !strings.Contains(err.Error(), tt.out) {
					t.Fatalf("= %v, %v; want it refused: %s", v, err, tt.out)
				}
				return
			}
			if err != nil || v.String() != tt.minor {
				t.Fatalf("= %v, %v; want %s", v, err, tt.minor)
			}
			if got := ledger.FormatAmount(v, tt.decimals); got != tt.out {
				t.Errorf("format = %q, want %q", got, tt.out)
			}
		})
	}
}

func claims(weights ...int64) []ledger.Claim {
	out := make([]ledger.Claim, len(weights))
	for i, w := range weights {
		out[i] = ledger.Claim{Member: int64(i + 1), Weight: big.NewInt(w)}
	}
	return out
}

func amounts(shares []ledger.Share) map[int64]int64 {
	out := map[int64]int64{}
	for _, s := range shares {
		out[s.Member] = s.Amount.Int64()
	}
	return out
}

// Each case is worked out by hand in its comment.
func TestAllocateByHand(t *testing.T) {
	tests := []struct {
		name    string
		claims  []ledger.Claim
		rules   ledger.SplitRules
		want    map[int64]int64
		wantErr error
	}{
		// 100 × 1/3 = 33.33 each; the one unit left goes to the lowest id.
		{"thirds", claims(1, 1, 1), ledger.SplitRules{Budget: big.NewInt(100)}, map[int64]int64{1: 34, 2: 33, 3: 33}, nil},
		// 1000 × (5, 3, 2)/10 = 500, 300, 200.
		{"exact", claims(5, 3, 2), ledger.SplitRules{Budget: big.NewInt(1000)}, map[int64]int64{1: 500, 2: 300, 3: 200}, nil},
		// 10 × (1, 2, 4)/7 = 1.43, 2.86, 5.71 → floors 1, 2, 5 (8); remainders .43 .86 .71 → +1 to 2 and 3.
		{"largest remainder", claims(1, 2, 4), ledger.SplitRules{Budget: big.NewInt(10)}, map[int64]int64{1: 1, 2: 3, 3: 6}, nil},
		// cap 40% of 100 = 40: member 1 would get 80 → 40; the other 60 split 1:1.
		{"cap", claims(8, 1, 1), ledger.SplitRules{Budget: big.NewInt(100), MaxSharePercent: 40}, map[int64]int64{1: 40, 2: 30, 3: 30}, nil},
		// min 10 of 100: member 3 would get 100×1/21 = 4.76 → drops; 100 split 10:10 = 50, 50.
		{"minimum", claims(10, 10, 1), ledger.SplitRules{Budget: big.NewInt(100), MinAmount: big.NewInt(10)}, map[int64]int64{1: 50, 2: 50}, nil},
		// cap 50 of 100 with two members: exactly capped, nothing left over.
		{"everyone exactly capped", claims(9, 1), ledger.SplitRules{Budget: big.NewInt(100), MaxSharePercent: 50}, map[int64]int64{1: 50, 2: 50}, nil},
		{"everyone capped", claims(1, 1), ledger.SplitRules{Budget: big.NewInt(100), MaxSharePercent: 25}, nil, ledger.ErrAllCapped},
		{"nobody earned", claims(0, 0), ledger.SplitRules{Budget: big.NewInt(100)}, nil, ledger.ErrNothingEarned},
		// 50, 50 < 60: member 2 drops, and member 1 alone gets the 100.
		{"one left above min", claims(1, 1), ledger.SplitRules{Budget: big.NewInt(100), MinAmount: big.NewInt(60)}, map[int64]int64{1: 100}, nil},
		// A budget below min_amount cannot pay even one member.
		{"all below min", claims(1, 1), ledger.SplitRules{Budget: big.NewInt(50), MinAmount: big.NewInt(60)}, nil, ledger.ErrAllBelowMin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shares, err := ledger.Allocate(tt.claims, tt.rules)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if diff := cmp.Diff(tt.want, amounts(shares)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestAllocateProperties checks, on random inputs, what every split must
// hold: exact sum, no negatives, caps and minimums, and independence from
// the order of the members.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 2000 {
		decimals := rng.IntN(19)
		unit := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)
		budget := new(big.Int).Mul(big.NewInt(1+rng.Int64N(100_000)), unit)
		budget.Add(budget, big.NewInt(rng.Int64N(1000)))
		rules := ledger.SplitRules{Budget: budget}
		if rng.IntN(2) == 0 {
			rules.MaxSharePercent = 1 + rng.IntN(100)
		}
		if rng.IntN(2) == 0 {
			rules.MinAmount = new(big.Int).Div(budget, big.NewInt(1+rng.Int64N(500)))
		}
		cs := make([]ledger.Claim, 1+rng.IntN(60))
		for j := range cs {
			cs[j] = ledger.Claim{Member: int64(j*3 + 1), Weight: big.NewInt(rng.Int64N(1000))}
		}
		shares, err := ledger.Allocate(cs, rules)
		if err != nil {
			if !errors.Is(err, ledger.ErrAllCapped) && !errors.Is(err, ledger.ErrAllBelowMin) && !errors.Is(err, ledger.ErrNothingEarned) && rules.MinAmount == nil {
				t.Fatalf("case %d: %v", i, err)
			}
			continue
		}
		checkShares(t, i, shares, rules)
		shuffled := append([]ledger.Claim(nil), cs...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		again, err := ledger.Allocate(shuffled, rules)
		if err != nil {
			t.Fatalf("case %d shuffled: %v", i, err)
		}
		if diff := cmp.Diff(shares, again, cmp.Comparer(func(a, b *big.Int) bool { return a.Cmp(b) == 0 })); diff != "" {
			t.Fatalf("case %d: order changed the result:\n%s", i, diff)
		}
	}
}

func checkShares(t *testing.T, i int, shares []ledger.Share, rules ledger.SplitRules) {
	t.Helper()
	total := new(big.Int)
	capAmount := new(big.Int).Div(new(big.Int).Mul(rules.Budget, big.NewInt(int64(rules.MaxSharePercent))), big.NewInt(100))
	for _, s := range shares {
		total.Add(total, s.Amount)
		if s.Amount.Sign() <= 0 {
			t.Fatalf("case %d: member %d gets %s", i, s.Member, s.Amount)
		}
		if rules.MaxSharePercent > 0 && rules.MaxSharePercent < 100 && s.Amount.Cmp(capAmount) > 0 {
			t.Fatalf("case %d: member %d gets %s over the cap %s", i, s.Member, s.Amount, capAmount)
		}
		if rules.MinAmount != nil && s.Amount.Cmp(rules.MinAmount) < 0 {
			t.Fatalf("case %d: member %d gets %s under the minimum %s", i, s.Member, s.Amount, rules.MinAmount)
		}
	}
	if total.Cmp(rules.Budget) != 0 {
		t.Fatalf("case %d: shares add up to %s, budget %s", i, total, rules.Budget)
	}
}

// TestMinAmountOneAtATime: below min_amount, the smallest share drops out
// alone and the budget is re-split before the next is judged. Each case is
// worked out by hand in its comment.
func TestMinAmountOneAtATime(t *testing.T) {
	tests := []struct {
		name     string
		claims   []ledger.Claim
		rules    ledger.SplitRules
		want     map[int64]int64
		belowMin int
		resplit  int64
	}{
		// 10 × 10 < 11: member 10 (equal shares: the higher id) drops; 100/9 = 11.11
		// → nine 11s (99) and the unit left to member 1. Dropping all ten at once paid nobody.
		{"ten equal", claims(1, 1, 1, 1, 1, 1, 1, 1, 1, 1), ledger.SplitRules{Budget: big.NewInt(100), MinAmount: big.NewInt(11)},
			map[int64]int64{1: 12, 2: 11, 3: 11, 4: 11, 5: 11, 6: 11, 7: 11, 8: 11, 9: 11}, 1, 10},
		// 100 × (10, 3, 3)/16 = 62.5, 18.75, 18.75 → 62, 19, 19 (the .75s get the units, then
		// the .5 none). Both 19s are below 20: member 3 drops alone; 100 × (10, 3)/13 = 76.92,
		// 23.08 → 77, 23, and member 2 stays.
		{"keeps the next", claims(10, 3, 3), ledger.SplitRules{Budget: big.NewInt(100), MinAmount: big.NewInt(20)},
			map[int64]int64{1: 77, 2: 23}, 1, 19},
		// 100 × (10, 4, 3, 3)/20 = 50, 20, 15, 15: member 4 drops; (10, 4, 3)/17 = 58.82, 23.53,
		// 17.65 → member 3 drops too; (10, 4)/14 = 71.43, 28.57 → 71, 29.
		{"two rounds", claims(10, 4, 3, 3), ledger.SplitRules{Budget: big.NewInt(100), MinAmount: big.NewInt(20)},
			map[int64]int64{1: 71, 2: 29}, 2, 30},
		// cap 40 and min 30 of 100, weights (6, 2, 1, 1): 60 → capped at 40; the 60 left over
		// (2, 1, 1)/4 = 30, 15, 15: member 4 drops, (2, 1)/3 → 40, 20: member 3 drops;
		// member 2 alone would get 60 > 40: capped, and 20 is left to nobody.
		{"cap and minimum", claims(6, 2, 1, 1), ledger.SplitRules{Budget: big.NewInt(100), MinAmount: big.NewInt(30), MaxSharePercent: 40},
			nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ledger.Divide(tt.claims, tt.rules)
			if tt.want == nil {
				if !errors.Is(err, ledger.ErrAllCapped) {
					t.Fatalf("err = %v, want %v", err, ledger.ErrAllCapped)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, amounts(got.Shares)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if got.BelowMin != tt.belowMin || got.Resplit.Int64() != tt.resplit {
				t.Errorf("below min %d, re-split %s; want %d, %d", got.BelowMin, got.Resplit, tt.belowMin, tt.resplit)
			}
		})
	}
}

// TestMinAmountMatchesOneAtATime: the binary search gives what dropping
// one member and re-splitting, again and again, gives, caps included.
func TestMinAmountMatchesOneAtATime(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for i := range 800 {
		budget := big.NewInt(1 + rng.Int64N(100_000))
		rules := ledger.SplitRules{Budget: budget, MinAmount: new(big.Int).Div(budget, big.NewInt(1+rng.Int64N(400)))}
		if rng.IntN(2) == 0 {
			rules.MaxSharePercent = 1 + rng.IntN(100)
		}
		cs := make([]ledger.Claim, 1+rng.IntN(120))
		for j := range cs {
			cs[j] = ledger.Claim{Member: int64(j*7 + 2), Weight: big.NewInt(rng.Int64N(1 + rng.Int64N(2000)))}
		}
		got, err := ledger.Allocate(cs, rules)
		want, wantErr := oneAtATime(cs, rules)
		if !errors.Is(err, wantErr) && (err == nil || wantErr == nil || err.Error() != wantErr.Error()) {
			t.Fatalf("case %d: err %v, one at a time %v", i, err, wantErr)
		}
		if diff := cmp.Diff(amounts(want), amounts(got)); diff != "" {
			t.Fatalf("case %d (%+v): (-one at a time +binary search):\n%s", i, rules, diff)
		}
	}
}

// oneAtATime is the rule as DESIGN words it, without shortcuts: cap who
// passes the cap, else drop the single smallest share below the minimum,
// and split again.
func oneAtATime(cs []ledger.Claim, r ledger.SplitRules) ([]ledger.Share, error) {
	active := map[int64]*big.Int{}
	for _, c := range cs {
		if c.Weight.Sign() > 0 {
			active[c.Member] = c.Weight
		}
	}
	if len(active) == 0 {
		return nil, ledger.ErrNothingEarned
	}
	capAmount := new(big.Int).Div(new(big.Int).Mul(r.Budget, big.NewInt(int64(r.MaxSharePercent))), big.NewInt(100))
	if r.MaxSharePercent <= 0 || r.MaxSharePercent >= 100 {
		capAmount = nil
	} else if capAmount.Cmp(r.MinAmount) < 0 {
		_, err := ledger.Allocate(cs, r) // the same refusal, whatever its words
		return nil, err
	}
	var capped []ledger.Share
	remaining := new(big.Int).Set(r.Budget)
	for {
		if len(active) == 0 {
			if remaining.Sign() == 0 {
				return capped, nil
			} else if len(capped) > 0 {
				return nil, ledger.ErrAllCapped
			}
			return nil, ledger.ErrAllBelowMin
		}
		var list []ledger.Claim
		for m, w := range active {
			list = append(list, ledger.Claim{Member: m, Weight: w})
		}
		shares, _ := ledger.Allocate(list, ledger.SplitRules{Budget: remaining})
		full := amountsOf(list, shares)
		if over := overCap(full, capAmount); len(over) > 0 {
			for _, m := range over {
				capped = append(capped, ledger.Share{Member: m, Amount: capAmount})
				remaining.Sub(remaining, capAmount)
				delete(active, m)
			}
			continue
		}
		if m, ok := smallestBelow(full, active, r.MinAmount); ok {
			delete(active, m)
			continue
		}
		return append(capped, shares...), nil
	}
}

// amountsOf gives every claim its share, zero for those too small for a unit.
func amountsOf(list []ledger.Claim, shares []ledger.Share) map[int64]*big.Int {
	out := map[int64]*big.Int{}
	for _, c := range list {
		out[c.Member] = new(big.Int)
	}
	for _, s := range shares {
		out[s.Member] = s.Amount
	}
	return out
}

func overCap(full map[int64]*big.Int, capAmount *big.Int) []int64 {
	var out []int64
	for m, a := range full {
		if capAmount != nil && a.Cmp(capAmount) > 0 {
			out = append(out, m)
		}
	}
	return out
}

// smallestBelow is the smallest share under min: between equal shares the
// smaller weight, then the higher member id.
func smallestBelow(full, weights map[int64]*big.Int, min *big.Int) (int64, bool) {
	var best int64
	found := false
	for m, a := range full {
		if a.Cmp(min) >= 0 {
			continue
		}
		if !found {
			best, found = m, true
			continue
		}
		c := a.Cmp(full[best])
		if c == 0 {
			c = weights[m].Cmp(weights[best])
		}
		if c < 0 || (c == 0 && m > best) {
			best = m
		}
	}
	return best, found
}
