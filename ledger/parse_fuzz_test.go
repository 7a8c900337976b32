package ledger_test

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

// hostileText is input that no parser here should accept as it stands:
// signs, exponents, separators, unicode digits and spaces, control
// characters, invalid UTF-8, and sizes far past any real value.
func hostileText() []string {
	return []string{
		"", " ", "\t", "\x00", "-1", "+1", "1e3", "0x10", "1_000", "1,5", "١٢٣", "１２", "٣.٥",
		"\u00a01", "1\u2009000", "NaN", "Inf", "-0", "\xff\xfe", "12\n", ".", "..", "1..2",
		"99999999999999999999999999999999999999999", strings.Repeat("9", 400), strings.Repeat("0", 41) + "1",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
	}
}

// requireRefusal fails unless err refuses the input with a message that
// names each of words, so that the person who typed it learns what to fix.
func requireRefusal(t *testing.T, err error, words ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("refused without an error")
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Fatalf("error %q does not name %q", err, w)
		}
	}
}

// plainDecimal reports whether s is ASCII digits with at most one point
// between digits: the only form an amount may take.
func plainDecimal(s string) bool {
	whole, frac, hasPoint := strings.Cut(s, ".")
	return whole != "" && !strings.ContainsFunc(whole+frac, func(r rune) bool { return r < '0' || r > '9' }) &&
		(!hasPoint || frac != "")
}

// FuzzParseAmount holds budgets and payouts, typed by people and read back
// from exports, to their exact value: an accepted amount is a plain
// decimal, non-negative, at most 40 digits, worth exactly what the
// decimal says in minor units, and FormatAmount prints it back to a string
// that parses to the same value; a refused one gets no value and an error
// quoting the input. Every value of at most 40 digits that FormatAmount
// prints must parse back, since the ledger writes amounts that way.
func FuzzParseAmount(f *testing.F) {
	for _, s := range append(hostileText(), "1000.00", "1000", "5.5", "0.000001",
		"1000.000000000000000001", "12", "1.001", "-1.00", "1e3", "5.", ".5", " 5", "0", "0.00", "007.10") {
		for _, d := range []int{0, 2, 6, 18, 19, -1, math.MaxInt} {
			f.Add(s, d, []byte{0x01, 0x86, 0xa0})
		}
	}
	f.Add("1", 2, []byte(strings.Repeat("\xff", 17)))
	f.Fuzz(func(t *testing.T, s string, decimals int, minor []byte) {
		v, err := ledger.ParseAmount(s, decimals)
		if err != nil {
			requireRefusal(t, err, "amount", strconv.Quote(s))
			if v != nil {
				t.Fatalf("ParseAmount(%q, %d) refused with %v but gave %s", s, decimals, err, v)
			}
		} else {
			checkAmount(t, s, decimals, v)
		}
		d := (decimals%19 + 19) % 19
		m := new(big.Int).SetBytes(minor)
		m.Mod(m, new(big.Int).Exp(big.NewInt(10), big.NewInt(40), nil))
		printed := ledger.FormatAmount(m, d)
		if back, err := ledger.ParseAmount(printed, d); err != nil || back.Cmp(m) != 0 {
			t.Fatalf("FormatAmount(%s, %d) = %q, read back as %v, %v", m, d, printed, back, err)
		}
	})
}

// checkAmount checks an amount ParseAmount accepted from s.
func checkAmount(t *testing.T, s string, decimals int, v *big.Int) {
	t.Helper()
	exact, ok := new(big.Rat).SetString(s)
	if ok {
		exact.Mul(exact, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)), nil)))
	}
	switch {
	case decimals < 0 || decimals > ledger.MaxDecimals:
		t.Fatalf("ParseAmount(%q, %d) accepted decimals out of 0..%d", s, decimals, ledger.MaxDecimals)
	case !plainDecimal(s):
		t.Fatalf("ParseAmount(%q, %d) accepted something other than a plain decimal: %s", s, decimals, v)
	case v.Sign() < 0 || len(v.String()) > 40:
		t.Fatalf("ParseAmount(%q, %d) = %s: negative or more than 40 digits", s, decimals, v)
	case !ok || !exact.IsInt() || exact.Num().Cmp(v) != 0:
		t.Fatalf("ParseAmount(%q, %d) = %s minor units, want %s", s, decimals, v, exact.RatString())
	}
	printed := ledger.FormatAmount(v, decimals)
	back, err := ledger.ParseAmount(printed, decimals)
	if err != nil || back.Cmp(v) != 0 {
		t.Fatalf("ParseAmount(%q, %d) = %s, printed %q, read back as %v, %v", s, decimals, v, printed, back, err)
	}
}

// FuzzParsePayoutNote reads amounts back from payout notes, which tools
// checking an export rely on: every note PayoutNote writes, for a currency
// the configuration allows, gives back its amount and currency; an
// accepted note's amount is what ParseAmount makes of its first word and
// its currency the next word; a refused one gets no amount and an error
// naming the note or the amount.
func FuzzParsePayoutNote(f *testing.F) {
	notes := append(hostileText(), "1000.00 EUR for 2026-10 (proportional)", "33.34 EUR for 2026-W48 (balanced)",
		"0.000001 ETH for 2026-11 (reputation)", "5.00 EUR", "5.00 ", "5.00  EUR", "5.00", "-5.00 EUR",
		"5.001 EUR for 2026-10 (proportional)", " 5.00 EUR", "5,00 EUR", "5.00\tEUR", "٥.٠٠ EUR",
		strings.Repeat("9", 41)+" EUR", "1 "+strings.Repeat("X", 400))
	for _, n := range notes {
		f.Add(n, 2, "EUR", uint64(3334))
	}
	f.Add("1 ETH", 18, "ETH", uint64(math.MaxUint64))
	f.Add("1 EUR", 19, "\u00a0€\u00a0", uint64(0))
	f.Fuzz(func(t *testing.T, note string, decimals int, currency string, minor uint64) {
		v, cur, err := ledger.ParsePayoutNote(note, decimals)
		if err == nil {
			checkPayoutNote(t, note, decimals, v, cur)
		} else if v != nil || !strings.Contains(err.Error(), "payout note") && !strings.Contains(err.Error(), "amount") {
			t.Fatalf("ParsePayoutNote(%q, %d) = %v, %v: want no amount and an error naming it", note, decimals, v, err)
		}
		if currency == "" || strings.ContainsAny(currency, " \t\r\n") {
			return // the configuration refuses such a currency
		}
		run := ledger.PayoutRun{Period: "2026-10", Policy: "proportional", Currency: currency, Decimals: (decimals%19 + 19) % 19}
		amount := new(big.Int).SetUint64(minor)
		written := ledger.PayoutNote(run, amount)
		back, cur, err := ledger.ParsePayoutNote(written, run.Decimals)
		if err != nil || back.Cmp(amount) != 0 || cur != currency {
			t.Fatalf("note %q read back as %v %q, %v; want %s %q", written, back, cur, err, amount, currency)
		}
	})
}

// checkPayoutNote checks the amount and currency ParsePayoutNote read from
// note: the first word as ParseAmount reads it, and the word after it.
func checkPayoutNote(t *testing.T, note string, decimals int, v *big.Int, currency string) {
	t.Helper()
	word, rest, _ := strings.Cut(note, " ")
	want, _ := ledger.ParseAmount(word, decimals)
	if next, _, _ := strings.Cut(rest, " "); want == nil || v.Cmp(want) != 0 || currency != next {
		t.Fatalf("ParsePayoutNote(%q, %d) = %s %q, want %v %q", note, decimals, v, currency, want, next)
	}
}

// FuzzParseWindow reads the leaderboard window people ask for: it accepts
// exactly the spellings 7d, 30d and all (empty meaning all), each parsing
// back to itself with the length its name says; anything else gets an
// error that quotes it and lists the windows there are.
func FuzzParseWindow(f *testing.F) {
	for _, s := range append(hostileText(), "7d", "30d", "all", "1y", "7D", "ALL", " 7d", "7d ", "07d", "7", "d",
		"7dd", "all\x00", "３０d", "30 d", "7d\n", "Window7d") {
		f.Add(s)
	}
	days := map[ledger.Window]time.Duration{ledger.Window7d: 7, ledger.Window30d: 30, ledger.WindowAll: 0}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ledger.ParseWindow(s)
		if err != nil {
			requireRefusal(t, err, "window", strconv.Quote(s), "7d", "30d", "all")
			if w != "" {
				t.Fatalf("ParseWindow(%q) refused with %v but gave %q", s, err, w)
			}
			return
		}
		n, known := days[w]
		switch {
		case !known || s != string(w) && s != "":
			t.Fatalf("ParseWindow(%q) = %q: not one of 7d, 30d, all as written", s, w)
		case s == "" && w != ledger.WindowAll:
			t.Fatalf("ParseWindow(\"\") = %q, want all", w)
		case w.Duration() != n*24*time.Hour || w.Name() == "":
			t.Fatalf("window %q lasts %s, named %q", w, w.Duration(), w.Name())
		}
		if again, err := ledger.ParseWindow(string(w)); err != nil || again != w {
			t.Fatalf("window %q read back as %q, %v", w, again, err)
		}
	})
}

// FuzzParsePollID reads the poll ids people type and that vote entries
// name: an accepted id is a positive seq, written as digits after an
// optional "e" (and "+") with spaces around, and the id the ledger prints
// for it, EntryID, reads back to it; every positive seq reads back from
// its EntryID and from its bare number, and no seq below 1 is a poll.
func FuzzParsePollID(f *testing.F) {
	for _, s := range append(hostileText(), "e42", "42", " e42 ", "e0", "0", "e-1", "E42", "ee42", "e 42", "e+42",
		"e0042", "e9223372036854775807", "e9223372036854775808", "e١", "\u3000e7\u3000", "e42x", "x42") {
		f.Add(s, int64(42))
	}
	for _, seq := range []int64{1, 0, -1, math.MaxInt64, math.MinInt64} {
		f.Add("e1", seq)
	}
	f.Fuzz(func(t *testing.T, s string, seq int64) {
		if n, ok := ledger.ParsePollID(s); ok {
			digits := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "e"), "+")
			if n <= 0 || digits == "" || strings.ContainsFunc(digits, func(r rune) bool { return r < '0' || r > '9' }) {
				t.Fatalf("ParsePollID(%q) accepted %d", s, n)
			}
			if back, ok := ledger.ParsePollID(ledger.PollInfo{Seq: n}.ID()); !ok || back != n {
				t.Fatalf("poll %d: its id %q read back as %d, %v", n, ledger.PollInfo{Seq: n}.ID(), back, ok)
			}
		}
		for _, id := range []string{ledger.EntryID(seq), strconv.FormatInt(seq, 10)} {
			if back, ok := ledger.ParsePollID(id); ok != (seq > 0) || ok && back != seq {
				t.Fatalf("ParsePollID(%q) = %d, %v", id, back, ok)
			}
		}
	})
}
