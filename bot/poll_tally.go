package bot

import (
	"maps"
	"math/big"
	"slices"

	"github.com/docracy/docracy/ledger"
)

// Abstain is the option that counts for the quorum but is not an expressed
// vote.
const Abstain = "abstain"

// The outcomes of a poll.
const (
	OutcomeOpen     = "open"
	OutcomeAdopted  = "adopted"
	OutcomeRejected = "rejected"
	OutcomeTie      = "tie"
	OutcomeNoQuorum = "no quorum"
)

// The majorities a poll may require.
const (
	MajoritySimple    = "simple"     // more than 1/2 of the expressed share
	MajorityTwoThirds = "two-thirds" // at least 2/3 of it
)

// Terms are what a count needs to know of a poll.
type Terms struct {
	Mode          ledger.PollMode
	Options       []string
	QuorumPercent int64
	Majority      string
	Weights       map[string]int64 // college mode: each college's weight
}

// Result is a poll's count: the figures of `poll show --format json` and
// of the tally entry's data. Percentages are exact rationals rounded half
// up to two decimals; an option's is its share of the expressed vote
// (weighted as the mode says), except abstain's, which is its share of
// the voters.
type Result struct {
	Electorate           int64           `json:"electorate"`
	Voters               int64           `json:"voters"`
	ParticipationPercent string          `json:"participation_percent"`
	Options              []OptionResult  `json:"options"`
	Colleges             []CollegeResult `json:"colleges"`
	Outcome              string          `json:"outcome"`
	Adopted              string          `json:"adopted"`
}

// OptionResult is one option's figures; Votes counts members.
type OptionResult struct {
	Name    string `json:"name"`
	Votes   int64  `json:"votes"`
	Percent string `json:"percent"`
}

// CollegeResult is one college's figures in a college-mode poll.
type CollegeResult struct {
	Name    string         `json:"name"`
	Weight  int64          `json:"weight"`
	Voters  int64          `json:"voters"`
	Options []OptionResult `json:"options"`
}

// ballot is a group of electors of one college who gave the same option.
type ballot struct {
	college string
	option  string // "" for none
	n       int64  // electors
	weight  int64  // their summed weight
}

// Count applies the tally rule to the electorate grouped by college and
// live option: abstentions count for the quorum but are not expressed;
// shares are exact over expressed votes; in college mode each college's
// result is weighted by its weight, colleges where nobody expressed a vote
// dropping out and the others scaled up to 100 %. closed says whether to
// state an outcome or "open". The order of the groups does not matter.
func Count(t Terms, groups []ledger.VoteGroup, closed bool) Result {
	ballots := make([]ballot, len(groups))
	for i, g := range groups {
		ballots[i] = ballot{college: g.College, option: g.Option, n: g.Members, weight: g.Weight}
	}
	r := Result{Electorate: sumOf(ballots, func(b ballot) bool { return true }), Colleges: []CollegeResult{}}
	var shares []*big.Rat
	if t.Mode == ledger.PollByCollege {
		shares = collegeShares(t, ballots, &r)
	} else {
		shares = optionShares(t.Options, ballots, t.Mode == ledger.PollByReputation)
	}
	r.Options = optionResults(t.Options, ballots, shares)
	r.Voters = voters(ballots)
	r.ParticipationPercent = percent(ratio(r.Voters, r.Electorate))
	r.Outcome, r.Adopted = OutcomeOpen, ""
	if closed {
		r.Outcome, r.Adopted = outcome(t, r, shares)
	}
	return r
}

// optionShares is each option's share of the expressed vote among
// ballots: counted one each, or by weight.
func optionShares(options []string, ballots []ballot, weighted bool) []*big.Rat {
	sums := make([]int64, len(options))
	var expressed int64
	for _, b := range ballots {
		i := slices.Index(options, b.option)
		if i < 0 || b.option == Abstain {
			continue
		}
		w := b.n
		if weighted {
			w = b.weight
		}
		sums[i] += w
		expressed += w
	}
	shares := make([]*big.Rat, len(options))
	for i := range options {
		shares[i] = ratio(sums[i], expressed)
	}
	return shares
}

// collegeShares computes each college's shares, one member one vote, then
// weighs them; colleges with no expressed vote drop out and the others'
// weights are scaled up to 100 %.
func collegeShares(t Terms, ballots []ballot, r *Result) []*big.Rat {
	total := make([]*big.Rat, len(t.Options))
	for i := range total {
		total[i] = new(big.Rat)
	}
	weights := new(big.Rat)
	for _, name := range slices.Sorted(maps.Keys(t.Weights)) {
		in := slices.DeleteFunc(slices.Clone(ballots), func(b ballot) bool { return b.college != name })
		shares := optionShares(t.Options, in, false)
		r.Colleges = append(r.Colleges, CollegeResult{Name: name, Weight: t.Weights[name], Voters: voters(in),
			Options: optionResults(t.Options, in, shares)})
		if !expressedAny(in) {
			continue
		}
		w := new(big.Rat).SetInt64(t.Weights[name])
		weights.Add(weights, w)
		for i, s := range shares {
			total[i].Add(total[i], new(big.Rat).Mul(w, s))
		}
	}
	for i := range total {
		if weights.Sign() > 0 {
			total[i].Quo(total[i], weights)
		}
	}
	return total
}

func expressedAny(ballots []ballot) bool {
	return slices.ContainsFunc(ballots, func(b ballot) bool { return b.n > 0 && b.option != "" && b.option != Abstain })
}

func voters(ballots []ballot) int64 {
	return sumOf(ballots, func(b ballot) bool { return b.option != "" })
}

// sumOf counts the electors of the ballots that match.
func sumOf(ballots []ballot, match func(ballot) bool) int64 {
	var n int64
	for _, b := range ballots {
		if match(b) {
			n += b.n
		}
	}
	return n
}

// optionResults counts votes per option and prints the shares; abstain's
// percent is its share of the voters.
func optionResults(options []string, ballots []ballot, shares []*big.Rat) []OptionResult {
	out := make([]OptionResult, len(options))
	for i, o := range options {
		n := sumOf(ballots, func(b ballot) bool { return b.option == o })
		share := shares[i]
		if o == Abstain {
			share = ratio(n, voters(ballots))
		}
		out[i] = OptionResult{Name: o, Votes: n, Percent: percent(share)}
	}
	return out
}

// outcome states the result of a closed poll from its exact shares.
func outcome(t Terms, r Result, shares []*big.Rat) (string, string) {
	if r.Voters*100 < t.QuorumPercent*r.Electorate { // participation·100 < quorum, exactly

		return OutcomeNoQuorum, ""
	}
	best, at := new(big.Rat), []int{}
	for i, s := range shares {
		if t.Options[i] == Abstain {
			continue
		}
		switch c := s.Cmp(best); {
		case c > 0:
			best, at = s, []int{i}
		case c == 0 && s.Sign() > 0:
			at = append(at, i)
		}
	}
	threshold, strict := big.NewRat(1, 2), true
	if t.Majority == MajorityTwoThirds {
		threshold, strict = big.NewRat(2, 3), false
	}
	switch c := best.Cmp(threshold); {
	case len(at) == 0:
		return OutcomeRejected, "" // nobody expressed a vote
	case len(at) == 1 && (c > 0 || c == 0 && !strict):
		return OutcomeAdopted, t.Options[at[0]]
	case len(at) > 1:
		return OutcomeTie, ""
	}
	return OutcomeRejected, ""
}

// ratio is n/d, 0 when d is 0.
func ratio(n, d int64) *big.Rat {
	if d == 0 {
		return new(big.Rat)
	}
	return big.NewRat(n, d)
}

// percent prints a share as a percentage with two decimals, rounded half
// up from the exact rational: floor(share·10000 + 1/2) hundredths.
func percent(share *big.Rat) string {
	x := new(big.Rat).Mul(share, big.NewRat(10000, 1))
	x.Add(x, big.NewRat(1, 2))
	h := new(big.Int).Quo(x.Num(), x.Denom()) // shares are >= 0: Quo floors
	s := h.String()
	for len(s) < 3 {
		s = "0" + s
	}
	return s[:len(s)-2] + "." + s[len(s)-2:]
}
