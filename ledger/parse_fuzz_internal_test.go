package ledger

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// hostileMeta is input that stored rows should never hold: signs, spaces,
// unicode digits, invalid UTF-8, numbers past int64 and sizes far past any
// real row.
func hostileMeta() []string {
	return []string{
		"", " ", "\x00", "-1", "+1", "1e3", "0x10", "1_000", "١٢٣", "\u00a01", "NaN", "Inf", "\xff\xfe", ":", ",",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", strings.Repeat("9", 400),
	}
}

// sameDecay reports whether a and b weigh points alike: NaN half-lives
// count as equal, whatever their bits.
func sameDecay(a, b decay) bool {
	nan := math.IsNaN(a.halfLife) && math.IsNaN(b.halfLife)
	return a.anchor == b.anchor && (nan || math.Float64bits(a.halfLife) == math.Float64bits(b.halfLife))
}

// FuzzParseDecay reads the decay meta every write starts from: each decay
// the ledger stores (its String) must read back to the same anchor and
// half-life to the bit, or the weights of later entries would drift from
// those already summed; an accepted meta prints to a form that reads back
// to it; a refused one gives no decay and an error naming the meta and
// quoting it. The half-life is not held to be finite or non-negative:
// open rewrites a meta whose half-life differs from the configured one,
// and refusing it here would leave such a ledger unopenable instead.
func FuzzParseDecay(f *testing.F) {
	for _, s := range append(hostileMeta(), "1780000000 7.776e+06", "0 0", "0 1", "-5 1.5", "1 -0", "1  2", "1 2 3",
		"1 NaN", "1 +Inf", "1 0x1p-2", " 1 2", "1 2 ", "1\t2", "9223372036854775807 1e308", "1 1e400", "1 5e-324") {
		f.Add(s, int64(1780000000), 7.776e6)
	}
	for _, h := range []float64{0, math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.MaxFloat64, math.Inf(1), math.NaN(), -1} {
		f.Add("0 0", int64(math.MinInt64), h)
	}
	f.Fuzz(func(t *testing.T, s string, anchor int64, halfLife float64) {
		d, err := parseDecay(s)
		if err != nil {
			if d != (decay{}) || !strings.Contains(err.Error(), "decay") || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Fatalf("parseDecay(%q) = (%d, %v), %v: want no decay and an error naming the meta", s, d.anchor, d.halfLife, err)
			}
		} else if again, err := parseDecay(d.String()); err != nil || !sameDecay(again, d) {
			t.Fatalf("parseDecay(%q) = (%d, %v), printed %q, read back as (%d, %v), %v",
				s, d.anchor, d.halfLife, d.String(), again.anchor, again.halfLife, err)
		}
		stored := decay{anchor: anchor, halfLife: halfLife}
		if back, err := parseDecay(stored.String()); err != nil || !sameDecay(back, stored) {
			t.Fatalf("decay (%d, %v) stored as %q, read back as (%d, %v), %v",
				anchor, halfLife, stored.String(), back.anchor, back.halfLife, err)
		}
	})
}

// FuzzParseDayPoints reads day_points rows, which leaderboards sum and
// VerifyAll checks: an accepted row is only digits, ":" and ",", every
// pair it gives is non-negative, and the row formatDayPoints writes for
// those pairs (and for any member with positive points added) reads back
// to the same pairs in order; a refused row gets an error naming the
// member or the points at fault.
func FuzzParseDayPoints(f *testing.F) {
	for _, s := range append(hostileMeta(), "1:5", "1:5,2:7", "3:1,1:2", "1:5,", "1:", "1", ":5", "1:5,,2:7", "1:5:6",
		"1:-5", "-1:5", "01:005", "1:0", "1: 5", "1:5 ,2:7", "9223372036854775807:1", "1:9223372036854775807",
		"1:9223372036854775808", strings.Repeat("1:1,", 100)) {
		f.Add([]byte(s), int64(7), int64(3))
	}
	for _, n := range []int64{0, 1, -1, math.MaxInt64, math.MaxInt64 - 7, math.MaxInt64 - 8, math.MinInt64} {
		f.Add([]byte("1:5"), n, n)
	}
	f.Fuzz(func(t *testing.T, row []byte, member, points int64) {
		pairs, err := dayPointsOf(row)
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, "member") && !strings.Contains(msg, "points") {
				t.Fatalf("parseDayPoints(%q): error %q names neither the member nor the points", row, msg)
			}
		} else if strings.ContainsFunc(string(row), func(r rune) bool { return !strings.ContainsRune("0123456789:,", r) }) {
			t.Fatalf("parseDayPoints accepted %q", row)
		}
		var kept []memberPoints
		for _, p := range pairs {
			if err == nil && (p.member < 0 || p.points < 0) {
				t.Fatalf("parseDayPoints(%q) gave member %d points %d", row, p.member, p.points)
			} else if err == nil && p.points > 0 {
				kept = append(kept, p)
			}
		}
		if member >= 0 && points > 0 {
			kept = append(kept, memberPoints{member, points})
		}
		written := formatDayPoints(kept)
		if back, err := dayPointsOf([]byte(written)); err != nil || !slices.Equal(back, kept) {
			t.Fatalf("pairs %v written as %q, read back as %v, %v", kept, written, back, err)
		}
	})
}

// dayPointsOf is every pair of a day_points row, in order.
func dayPointsOf(row []byte) ([]memberPoints, error) {
	var pairs []memberPoints
	err := parseDayPoints(row, func(m, p int64) { pairs = append(pairs, memberPoints{m, p}) })
	return pairs, err
}

// FuzzParseElectorate reads the electorate a poll entry fixed at opening,
// from which the poll's votes are counted: an accepted electorate lists
// each member once (poll_electors holds one row per member), in member
// order, shaped as the mode says (weight 1 unless by reputation, a
// college only by college), and the form OpenPoll writes for those
// electors reads back to them; a refused one gives no electors and a
// non-empty error, naming the mode when it is unknown.
func FuzzParseElectorate(f *testing.F) {
	for _, form := range electorateSeeds() {
		for _, raw := range append(form.raws, hostileMeta()...) {
			f.Add(string(form.mode), []byte(raw))
		}
	}
	f.Fuzz(func(t *testing.T, mode string, raw []byte) {
		electors, err := parseElectorate(PollMode(mode), raw)
		if err != nil {
			unknown := !PollMode(mode).valid() && !strings.Contains(err.Error(), strconv.Quote(mode))
			if electors != nil || err.Error() == "" || unknown {
				t.Fatalf("parseElectorate(%q, %q) = %v, %v: want no electors and an error naming the fault", mode, raw, electors, err)
			}
			return
		}
		checkElectors(t, PollMode(mode), electors)
		written, err := json.Marshal(electorateForm(PollMode(mode), electors))
		if err != nil {
			t.Fatal(err)
		}
		if back, err := parseElectorate(PollMode(mode), written); err != nil || !slices.Equal(back, electors) {
			t.Fatalf("electors %v of %q written as %s, read back as %v, %v", electors, raw, written, back, err)
		}
	})
}

// electorateSeeds are electorates as OpenPoll writes them, and others it
// never would, for each mode and for modes that do not exist.
func electorateSeeds() []electorateSeed {
	return []electorateSeed{
		{PollByMember, []string{`[1,2]`, `[2,1]`, `[]`, `null`, `[1,1]`, `[0,-1]`, `[1,"2"]`, `[1.5]`, `{}`,
			`[9223372036854775807,-1]`, `[-9223372036854775808,1]`, `[9223372036854775808]`, `[1e2]`}},
		{PollByCollege, []string{`{"workers":[1]}`, `{"workers":[1,3],"users":[2]}`, `{"a":[1],"b":[1]}`, `{"":[1]}`,
			`{"a":null}`, `{"a":[2,1],"a":[3]}`, `{"é\u0000":[4]}`, `[1]`, `{"a":[9223372036854775807],"b":[-2]}`}},
		{PollByReputation, []string{`[[1,150],[2,20]]`, `[[2,1],[1,1]]`, `[[1,150],[1,20]]`, `[[1]]`, `[[1,2,3]]`, `[[]]`,
			`[[1,-5]]`, `[1,2]`, `[[9223372036854775807,1],[-9223372036854775808,1]]`}},
		{"", []string{`[1]`}}, {"Member", []string{`[1]`}}, {"member ", []string{`[1]`}}, {"\xff", []string{`[1]`}},
	}
}

// electorateSeed is a mode and electorates to read in it.
type electorateSeed struct {
	mode PollMode
	raws []string
}

// checkElectors checks accepted electors against what mode says of them.
func checkElectors(t *testing.T, mode PollMode, electors []Elector) {
	t.Helper()
	if !mode.valid() {
		t.Fatalf("mode %q accepted", mode)
	}
	for i, e := range electors {
		switch {
		case i > 0 && electors[i-1].Member >= e.Member:
			t.Fatalf("electors %v: not each member once, in member order", electors)
		case mode != PollByReputation && e.Weight != 1:
			t.Fatalf("%s mode: elector %+v weighs other than 1", mode, e)
		case mode != PollByCollege && e.College != "":
			t.Fatalf("%s mode: elector %+v has a college", mode, e)
		}
	}
}

// electorateForm is electors in the form OpenPoll writes for mode.
func electorateForm(mode PollMode, electors []Elector) any {
	switch mode {
	case PollByMember:
		ids := []int64{}
		for _, e := range electors {
			ids = append(ids, e.Member)
		}
		return ids
	case PollByCollege:
		colleges := map[string][]int64{}
		for _, e := range electors {
			colleges[e.College] = append(colleges[e.College], e.Member)
		}
		return colleges
	}
	pairs := [][2]int64{}
	for _, e := range electors {
		pairs = append(pairs, [2]int64{e.Member, e.Weight})
	}
	return pairs
}
