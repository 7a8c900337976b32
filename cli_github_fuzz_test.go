package main

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParseSince feeds "docracy github backfill --since" values through
// parseSince. A mistyped date must be refused with a usage error that
// names --since, quotes what was given on one readable line and says what
// to give, never a panic. An accepted one must be an instant that prints
// and reads back as itself, and never before GitHub opened, so never the
// zero time: the reconcile reads a zero Since as "no --since" and would
// resume from its watermark instead of reading back as far as asked. The
// flag takes no clock and reads back from any date, a future one included
// (which reads nothing), so no bound on the future is checked here.
func FuzzParseSince(f *testing.F) {
	for _, s := range []string{
		"", "2026-01-31", "2025-01-01", "2026-01-31T12:00:00Z", "2026-01-31T12:00:00.123456789+05:30",
		"2026-01-31T23:59:59-23:59", "yesterday", "2026-02-30", "2026-1-31", " 2026-01-31", "2026-01-31\n",
		"２０２６-01-31", "9999-12-31T23:59:59Z", "0000-01-01", "0001-01-01T05:00:00+05:00", "2007-12-31T23:59:59Z", "-2026-01-31", "99999-01-01", "1969-12-31T23:59:59Z",
		"2026-01-31T12:00:00", "2026-01-31 12:00:00Z", strings.Repeat("2026-01-31", 1000), "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		since, err := parseSince(s)
		if err != nil {
			checkSinceRefusal(t, s, err)
			return
		}
		if since.IsZero() || since.Before(githubEpoch) {
			t.Fatalf("parseSince(%q) = %v, before GitHub opened (the zero time reads as no --since)", s, since)
		}
		printed := since.Format(time.RFC3339Nano)
		if back, err := parseSince(printed); err != nil || !back.Equal(since) {
			t.Fatalf("parseSince(%q) = %v, printed %q, read back as %v, %v", s, since, printed, back, err)
		}
		if s == "" && !since.Equal(githubEpoch) {
			t.Fatalf("parseSince(\"\") = %v, want everything since %v", since, githubEpoch)
		}
	})
}

// checkSinceRefusal checks that a refused --since is a usage error that a
// person can read on one line.
func checkSinceRefusal(t *testing.T, s string, err error) {
	t.Helper()
	var ue *usageError
	msg := err.Error()
	if !errors.As(err, &ue) || !strings.HasPrefix(msg, "--since "+strconv.Quote(s)+": give a date like") {
		t.Fatalf("parseSince(%q) refused with %q, want a usage error naming --since and quoting the value", s, err)
	}
	if !utf8.ValidString(msg) || strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("parseSince(%q) refused with %q: not one readable line", s, msg)
	}
}
