package bot_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/docracy/docracy/bot"
)

// FuzzParseCoauthors reads pull request descriptions, which anyone who
// opens a pull request writes, for Co-authored-by trailers: each address
// found is a person credited for the merge. It must never panic, and
// return exactly the lines git would read as such a trailer, in order, the
// first of each address (compared without case) only: a name trimmed and
// without "<", an address trimmed, not empty, and without ">" or a line
// break; at most a limit of them, and a count of the trailers past them.
// Anything more would credit someone nobody named; anything less would
// drop a co-author.
func FuzzParseCoauthors(f *testing.F) {
	for _, body := range []string{
		"Fixes #1.\n\nCo-authored-by: Mona Lisa <583231+octocat@users.noreply.github.com>\r\n" +
			"  co-authored-by:Hubot <hubot@users.noreply.github.com>\n" +
			"CO-AUTHORED-BY: Same Again <583231+OCTOCAT@users.noreply.github.com>\n" +
			"Signed-off-by: Someone <s@example.org>\n" +
			"Co-authored-by: <anon@example.org>\n" +
			"Not a trailer: Co-authored-by: X <x@example.org>\n" +
			"Co-authored-by: Broken <no closing bracket\n",
		"", "Co-authored-by: A <a@example.org>", "Co-authored-by: A <a@example.org>\r",
		"Co-authored-by: A <a@example.org>\r\r\n", "Co-authored-by: A\r<a@example.org>",
		"Co-authored-by: A <a@example.org\r>", "Co-authored-by: A <a@example.org> trailing",
		"Co-authored-by: A < >\nCo-authored-by: B <\t>", "Co-authored-by: A <<a@example.org>",
		"Co-authored-by: A> <a@example.org>", "Co-authored-by: A <a@example.org>>",
		"\tCo-authored-by:\tTab\t<\ta@example.org\t>\t", "Co-authored-by: \u00a0Nbsp\u00a0 <\u00a0a@example.org\u00a0>",
		"Co‐authored‐by: Hyphen Lookalike <a@example.org>", "Co-authored-by: Fullwidth ＜a@example.org＞",
		"Co-authored-by： Fullwidth Colon <a@example.org>", "Co-authored-by: Kelvin <\u212a@example.org>\nCo-authored-by: K <k@example.org>",
		"Co-authored-by: Ünïcödé <ÉMILE@example.org>\nCo-authored-by: again <émile@example.org>",
		"Co-authored-by: \x00\x1b[31mred <a@example.org>", "Co-authored-by: \u202eevil <a@example.org>",
		"Co-authored-by: bad \xff\xfe utf8 <a\xff@example.org>", "Co-authored-by: A <a@example.org>\x85",
		strings.Repeat("Co-authored-by: A <a@example.org>\n", 100), "Co-authored-by: A <a@x>\nCo-authored-by: B <b@x>\nCo-authored-by: C <c@x>\nco-authored-by: a <A@x>\nCo-authored-by: C <c@x>",
		strings.Repeat("Co-authored-by: ", 100) + "<a@example.org>",
		"Co-authored-by: " + strings.Repeat("n", 1000) + " <" + strings.Repeat("e", 1000) + ">",
	} {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, limit := range []int{bot.MaxCoauthors, 2} {
			got, more := bot.ParseCoauthors(body, limit)
			for _, c := range got {
				checkCoauthorShape(t, c)
			}
			if want, wantMore := trailersOf(body, limit); !slices.Equal(got, want) || more != wantMore {
				t.Fatalf("ParseCoauthors(%q, %d) = %q and %d more, want the trailers %q and %d more", body, limit, got, more, want, wantMore)
			}
		}
	})
}

// checkCoauthorShape checks the co-author as ParseCoauthors documents it.
func checkCoauthorShape(t *testing.T, c bot.Coauthor) {
	t.Helper()
	switch {
	case c.Email == "" || c.Email != strings.TrimSpace(c.Email) || strings.ContainsAny(c.Email, ">\r\n"):
		t.Fatalf("co-author %q: address %q is empty, untrimmed or holds > or a line break", c.Name, c.Email)
	case c.Name != strings.TrimSpace(c.Name) || strings.ContainsAny(c.Name, "<\r\n"):
		t.Fatalf("co-author <%s>: name %q is untrimmed or holds < or a line break", c.Email, c.Name)
	}
}

// trailersOf reads body line by line: the Co-authored-by trailers in
// order, the first of each address, compared without case, up to limit
// of them; and how many trailer lines come past those, but for the
// addresses kept.
func trailersOf(body string, limit int) (trailers []bot.Coauthor, more int) {
	seen := map[string]bool{}
	for line := range strings.SplitSeq(body, "\n") {
		c, ok := trailerOf(line)
		switch key := strings.ToLower(c.Email); {
		case !ok || seen[key]:
		case len(trailers) == limit:
			more++
		default:
			seen[key] = true
			trailers = append(trailers, c)
		}
	}
	return trailers, more
}

// trailerOf reads one line as a trailer: "Co-authored-by:" in any case,
// after blanks; a name without "<"; then an address in angle brackets,
// with no ">" in it, that ends the line but for blanks and a carriage
// return.
func trailerOf(line string) (bot.Coauthor, bool) {
	const key = "co-authored-by:"
	line = strings.TrimLeft(line, " \t")
	if len(line) < len(key) || !strings.EqualFold(line[:len(key)], key) {
		return bot.Coauthor{}, false
	}
	rest := strings.TrimRight(strings.TrimSuffix(line[len(key):], "\r"), " \t")
	name, addr, opened := strings.Cut(rest, "<")
	addr, closed := strings.CutSuffix(addr, ">")
	if !opened || !closed || strings.ContainsRune(name, '\r') || strings.ContainsAny(addr, ">\r") {
		return bot.Coauthor{}, false
	}
	c := bot.Coauthor{Name: strings.TrimSpace(name), Email: strings.TrimSpace(addr)}
	return c, c.Email != ""
}

// FuzzParsePeriod reads payout period names, which a treasurer types, in
// time zones with awkward clock changes. It must never panic; a refused
// name gets an invalid-request error naming the period, and is one that
// UTC refuses too: whether a period exists does not depend on the zone. An
// accepted name is of the kind asked for only (payouts tell the kinds
// apart by "-W"), keeps its name, reads back as the same period, and fits
// between the periods around it with neither gap nor overlap, so that
// every contribution is paid in exactly one period.
func FuzzParsePeriod(f *testing.F) {
	var zones []*time.Location
	for _, name := range []string{"UTC", "Europe/Paris", "America/Havana", "America/Asuncion",
		"America/Sao_Paulo", "Pacific/Apia", "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Jerusalem"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			f.Fatal(err)
		}
		zones = append(zones, loc)
	}
	for i, name := range []string{
		"2026-11", "2026-03", "2026-W48", "2026-W01", "2026-W53", "2025-W52", "2026-13", "2026-W54", "2025-W53",
		"nov", "2026-11-01", "", " 2026-11", "2026-11 ", "2026-11\n", "2026-W48\r\n", "2026-w48", "2026-00",
		"2026-W00", "2026-W99", "0000-01", "0000-W01", "9999-12", "9999-W52", "99999-01", "-001-01", "+2026-11",
		"２０２６-11", "٢٠٢٦-11", "2026‐11", "2026-Ｗ48", "2026-11\x00", "2026-1", "2026-W4", strings.Repeat("9", 200),
	} {
		f.Add(name, i%2 == 0, uint8(i))
	}
	// Periods whose first midnight a clock change skips: daylight saving
	// time began at 0:00 on 1 October 2017 in Paraguay, on 1 April 2012 in
	// Cuba, and on Monday 1 October 1990 (week 40) in Paraguay. And one
	// that has two: in Israel, it ended at 1:00 on Monday 7 October 2002
	// (week 41), turning the clocks back to 0:00.
	f.Add("2017-10", false, uint8(3))
	f.Add("2012-04", false, uint8(2))
	f.Add("1990-W40", true, uint8(3))
	f.Add("2002-W41", true, uint8(8))
	f.Fuzz(func(t *testing.T, name string, weekly bool, zone uint8) {
		kind, other, loc := bot.Monthly, bot.Weekly, zones[int(zone)%len(zones)]
		if weekly {
			kind, other = bot.Weekly, bot.Monthly
		}
		p, err := bot.ParsePeriod(name, kind, loc)
		if err != nil {
			checkParseRefusal(t, err, "period", strconv.Quote(name))
			if _, utcErr := bot.ParsePeriod(name, kind, time.UTC); utcErr == nil {
				t.Fatalf("%s period %q exists in UTC, yet not in %s: %v", kind, name, loc, err)
			}
			return
		}
		if _, err := bot.ParsePeriod(name, other, loc); err == nil || strings.Contains(name, "-W") != weekly {
			t.Fatalf("%q is read as both a %s and a %s period, or not by its -W", name, kind, other)
		}
		checkPeriod(t, name, kind, loc, p)
	})
}

// checkPeriod checks an accepted period: its name, its span, and its
// neighbours.
func checkPeriod(t *testing.T, name string, kind bot.PeriodKind, loc *time.Location, p bot.Period) {
	t.Helper()
	again, err := bot.ParsePeriod(p.Name, kind, loc)
	switch {
	case p.Name != name:
		t.Fatalf("period %q in %s is named %q", name, loc, p.Name)
	case !p.Start.Before(p.End):
		t.Fatalf("period %q in %s: start %v is not before end %v", name, loc, p.Start, p.End)
	case err != nil || !samePeriod(again, p):
		t.Fatalf("period %q in %s = %v, read back as %v, %v", name, loc, p, again, err)
	}
	at := func(t time.Time) bot.Period { return bot.PeriodAt(t, kind, loc) }
	if !samePeriod(at(p.Start), p) || !samePeriod(at(p.End.Add(-time.Nanosecond)), p) ||
		!at(p.End).Start.Equal(p.End) || !p.Previous(kind).End.Equal(p.Start) {
		t.Fatalf("period %q in %s (%v .. %v) does not fit between %v and %v", name, loc, p.Start, p.End,
			p.Previous(kind), at(p.End))
	}
}

func samePeriod(a, b bot.Period) bool {
	return a.Name == b.Name && a.Start.Equal(b.Start) && a.End.Equal(b.End)
}

// checkParseRefusal checks that err is an invalid-request error for field,
// whose message names the field and quotes the input, and that a person can
// read: valid UTF-8 with no control or invisible characters.
func checkParseRefusal(t *testing.T, err error, field, quoted string) {
	t.Helper()
	var e *bot.Error
	if !errors.As(err, &e) || e.Code != bot.CodeInvalid || e.Field != field {
		t.Fatalf("refusal %#v is not an invalid-request error for %s", err, field)
	}
	readable := utf8.ValidString(e.Message) && !strings.ContainsFunc(e.Message, func(r rune) bool { return !unicode.IsPrint(r) })
	if !readable || !strings.Contains(e.Message, field) || !strings.Contains(e.Message, quoted) {
		t.Fatalf("refusal %q does not name %s and quote %s readably", e.Message, field, quoted)
	}
}
