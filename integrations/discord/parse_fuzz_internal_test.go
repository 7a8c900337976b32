package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
)

// FuzzParseCloses feeds /poll open's closes option through parseCloses. A
// maintainer types it by hand, so it must never panic, and a mistyped one
// must be refused with an invalid-option error naming closes rather than
// open a poll that closes at some other time. An accepted RFC 3339 time is
// kept as written (the assembly checks its range); an accepted duration
// lands after now, and "Nd" means exactly what N*24 hours means, so a day
// count too large to represent is refused instead of wrapping around.
func FuzzParseCloses(f *testing.F) {
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // fixed, so that a failure replays
	for _, s := range []string{
		"", "3d", "12h", "90m", "1h30m", " 3d ", "2026-03-08T18:00:00Z", "2026-03-08T18:00:00+01:00",
		"0d", "-3d", "+3d", "-90m", "d", "3 d", "1.5d", "٣d", "３d", "1e3h", "2026-13-01T00:00:00Z",
		"106751d", "106752d", "213503982336d", "-1070000d", "9223372036854775807d", "-9223372036854775808d",
		"2562047h", "9999999999h", strings.Repeat("9", 400) + "d", "\u00a03d", "3d\x00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		closes, err := parseCloses(s, now)
		trimmed := strings.TrimSpace(s)
		if err != nil {
			checkClosesRefusal(t, s, closes, err)
			return
		}
		if trimmed == "" {
			if !closes.IsZero() {
				t.Fatalf("parseCloses(%q) = %v, want no closing time", s, closes)
			}
			return
		}
		if rfc, rfcErr := time.Parse(time.RFC3339, trimmed); rfcErr == nil {
			if !closes.Equal(rfc) {
				t.Fatalf("parseCloses(%q) = %v, want the time as written, %v", s, closes, rfc)
			}
			return
		}
		if !closes.After(now) {
			t.Fatalf("parseCloses(%q) = %v, not after now %v", s, closes, now)
		}
		if days, ok := strings.CutSuffix(trimmed, "d"); ok {
			checkDaysAsHours(t, s, days, closes, now)
		}
	})
}

// checkClosesRefusal checks that a refused closing time is an
// invalid-option error naming closes, with no time attached.
func checkClosesRefusal(t *testing.T, s string, closes time.Time, err error) {
	t.Helper()
	checkRefusal(t, err)
	var e *bot.Error
	if errors.As(err, &e) && e.Field != optCloses {
		t.Fatalf("parseCloses(%q) refused with field %q, want %q", s, e.Field, optCloses)
	}
	if !strings.Contains(err.Error(), "closes") || !closes.IsZero() {
		t.Fatalf("parseCloses(%q) = %v, %q: want a zero time and an error that names closes", s, closes, err)
	}
}

// checkDaysAsHours parses the same span written in hours, which
// time.ParseDuration refuses when it overflows, and wants the same time.
func checkDaysAsHours(t *testing.T, s, days string, closes, now time.Time) {
	t.Helper()
	n, ok := new(big.Int).SetString(days, 10)
	if !ok {
		t.Fatalf("parseCloses(%q) = %v: accepted a day count that is not a decimal number", s, closes)
	}
	hours := new(big.Int).Mul(n, big.NewInt(24)).String() + "h"
	want, err := parseCloses(hours, now)
	if err != nil || !closes.Equal(want) {
		t.Fatalf("parseCloses(%q) = %v, but %q = %v, %v", s, closes, hours, want, err)
	}
}

// FuzzParsePublicKey feeds DISCORD_PUBLIC_KEY values through
// ParsePublicKey. Every interaction is verified with the key it returns, so
// an accepted one must be an Ed25519 key of the right size that is the
// hex the operator pasted (in lower case); a refused one must get an error
// that says what to give and never repeats the value, which the logs keep.
func FuzzParsePublicKey(f *testing.F) {
	valid := hex.EncodeToString(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey))
	for _, s := range []string{
		valid, strings.ToUpper(valid), "", "abc", valid[:62], valid + "00", strings.Repeat("g", 64),
		" " + valid, valid + "\n", "0x" + valid[2:], valid[:63] + "٣", strings.Repeat(valid, 100), "-" + valid[1:],
	} {
		f.Add(s)
	}
	_, refusal := ParsePublicKey("")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := ParsePublicKey(s)
		if err != nil {
			if key != nil || err.Error() != refusal.Error() {
				t.Fatalf("ParsePublicKey(%q) = %x, %q; want no key and the same error as for any bad key, %q", s, key, err, refusal)
			}
			if !strings.Contains(err.Error(), "public key") || !strings.Contains(err.Error(), strconv.Itoa(2*ed25519.PublicKeySize)) {
				t.Fatalf("error %q does not say what a public key must be", err)
			}
			return
		}
		if len(key) != ed25519.PublicKeySize {
			t.Fatalf("ParsePublicKey(%q) accepted a %d-byte key", s, len(key))
		}
		if got := hex.EncodeToString(key); got != strings.ToLower(s) {
			t.Fatalf("ParsePublicKey(%q) = %s, not the key written", s, got)
		}
	})
}
