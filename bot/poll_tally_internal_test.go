package bot

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

// randomCollegePoll draws an electorate spread over colleges and a vote
// (or none) for each elector.
func randomCollegePoll(rng *rand.Rand) (Terms, []ledger.Elector, []ledger.LiveVote) {
	t := Terms{Mode: ledger.PollByCollege, Options: []string{"yes", "no", "later", Abstain}, Majority: MajoritySimple,
		Weights: map[string]int64{"a": 1 + rng.Int64N(50), "b": 1 + rng.Int64N(50), "c": 1 + rng.Int64N(50), "d": 1 + rng.Int64N(50)}}
	colleges := []string{"a", "b", "c", "d"}
	var electors []ledger.Elector
	var votes []ledger.LiveVote
	for m := range int64(rng.IntN(40)) {
		electors = append(electors, ledger.Elector{Member: m + 1, College: colleges[rng.IntN(4)], Weight: 1})
		if i := rng.IntN(len(t.Options) + 1); i < len(t.Options) {
			votes = append(votes, ledger.LiveVote{Member: m + 1, Option: t.Options[i], Seq: m + 100})
		}
	}
	return t, electors, votes
}

// College-mode shares always add up to exactly 100 % of the expressed
// votes (or to nothing when nobody expressed one), and the order of
// electors and votes never changes the result.
func TestCollegeSharesProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 6))
	for i := range 2000 {
		terms, electors, votes := randomCollegePoll(rng)
		var r Result
		groups := groupsOf(electors, votes)
		ballots := make([]ballot, len(groups))
		for i, g := range groups {
			ballots[i] = ballot{college: g.College, option: g.Option, n: g.Members, weight: g.Weight}
		}
		shares := collegeShares(terms, ballots, &r)
		sum := new(big.Rat)
		for _, s := range shares {
			sum.Add(sum, s)
		}
		expressed := false
		for _, v := range votes {
			expressed = expressed || v.Option != Abstain
		}
		if want := big.NewRat(map[bool]int64{true: 1, false: 0}[expressed], 1); sum.Cmp(want) != 0 {
			t.Fatalf("case %d: shares add up to %s, want %s", i, sum, want)
		}
		want := Count(terms, groups, true)
		rng.Shuffle(len(electors), func(i, j int) { electors[i], electors[j] = electors[j], electors[i] })
		rng.Shuffle(len(votes), func(i, j int) { votes[i], votes[j] = votes[j], votes[i] })
		permuted := groupsOf(electors, votes)
		rng.Shuffle(len(permuted), func(i, j int) { permuted[i], permuted[j] = permuted[j], permuted[i] })
		if diff := cmp.Diff(want, Count(terms, permuted, true)); diff != "" {
			t.Fatalf("case %d: permuting changed the result (-before +after):\n%s", i, diff)
		}
	}
}

// groupsOf groups electors by college and live option, in the order
// they come, as the ledger's query does.
func groupsOf(electors []ledger.Elector, votes []ledger.LiveVote) []ledger.VoteGroup {
	byMember := map[int64]string{}
	for _, v := range votes {
		byMember[v.Member] = v.Option
	}
	var groups []ledger.VoteGroup
	at := map[[2]string]int{}
	for _, e := range electors {
		k := [2]string{e.College, byMember[e.Member]}
		i, ok := at[k]
		if !ok {
			i, at[k] = len(groups), len(groups)
			groups = append(groups, ledger.VoteGroup{College: k[0], Option: k[1]})
		}
		groups[i].Members++
		groups[i].Weight += e.Weight
	}
	return groups
}

func TestPercentRoundsHalfUp(t *testing.T) {
	for _, tt := range []struct {
		share *big.Rat
		want  string
	}{
		{big.NewRat(381, 1000), "38.10"}, {big.NewRat(1, 3), "33.33"}, {big.NewRat(2, 3), "66.67"},
		{big.NewRat(1, 80000), "0.00"}, {big.NewRat(1, 20000), "0.01"}, {big.NewRat(1, 20001), "0.00"}, {big.NewRat(1, 1), "100.00"}, {new(big.Rat), "0.00"},
	} {
		if got := percent(tt.share); got != tt.want {
			t.Errorf("percent(%s) = %s, want %s", tt.share, got, tt.want)
		}
	}
}
