package config_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docracy/docracy/config"
)

// FuzzParseSchedule feeds cron specs, as docracy.yaml gives them for the
// digest and reconcile, through ParseSchedule, with an instant to run the
// schedule from (any time.Unix nanosecond, 1678 to 2262). A bad spec must
// be refused with an error that says what a schedule looks like, never a
// panic at start-up. An accepted one must read back from its String as
// the same schedule, and its next firing after the instant must be
// strictly later, the same twice over, and the same for the spec read
// back; or the zero time, cron's "none within five years", which only a
// rare date can meet (29 February, which skips 2100). From any instant of
// 2000 to 2095, where every date comes back within five years, it must
// fire: the digest's slot loops never end on a schedule that never fires
// (30 February), nor on one that fires at or before the instant.
func FuzzParseSchedule(f *testing.F) {
	from := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC).UnixNano()
	for _, spec := range []string{
		"", "@hourly", "@daily", "@weekly", "@every 90m", "@every -5m", "@every 0s", "@every 2540400h",
		"0 9 * * MON", "30 8 * * FRI", "*/15 * * * *", "0 0 29 2 *", "0 0 30 2 *", "0 0 31 2,4 *", "0 0 30 2 MON", "30 2 * * *", "59 23 31 12 *",
		"CRON_TZ=Europe/Paris 0 9 * * MON", "CRON_TZ=America/New_York 30 8 * * FRI", "TZ=UTC @every 1h",
		"CRON_TZ=Europe/Paris 30 2 * * SUN", "CRON_TZ=America/Sao_Paulo 0 0 * * *", "CRON_TZ=Pacific/Apia 0 0 30 12 *",
		"daily", "CRON_TZ=Europe/Paris", "CRON_TZ=Mars/Olympus 0 9 * * MON", "TZ=", "CRON_TZ= @hourly",
		"CRON_TZ=UTC\t@hourly", "*/0 * * * *", "-1 * * * *", "99999999999999999999 * * * *", "٣ * * * *",
		"0 9 * * MON-", "0-59/70000000000 * * * *", " ", "\t@hourly", "@", "@every", strings.Repeat("* ", 5000),
	} {
		f.Add(spec, from)
	}
	f.Add("CRON_TZ=Europe/Paris 30 2 * * *", time.Date(2026, 3, 29, 0, 59, 59, 999, time.UTC).UnixNano())
	f.Add("0 0 29 2 *", time.Date(2097, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	f.Add("@every 1s", int64(-1<<63))
	f.Add("59 23 31 12 *", int64(1<<63-1))
	f.Fuzz(func(t *testing.T, spec string, at int64) {
		s, err := config.ParseSchedule(spec)
		if err != nil {
			checkScheduleRefusal(t, spec, s, err)
			return
		}
		if spec == "" {
			if !s.Off() || s.Cron() != nil || s.String() != "" {
				t.Fatalf("ParseSchedule(\"\") = %#v, want off", s)
			}
			return
		}
		again, err := config.ParseSchedule(s.String())
		if err != nil || !again.Equal(s) || s.Off() || again.Location().String() != s.Location().String() {
			t.Fatalf("ParseSchedule(%q) = %#v, read back from %q as %#v, %v", spec, s, s.String(), again, err)
		}
		checkNext(t, s, again, time.Unix(0, at).UTC())
		in2000s := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(uint64(at) % uint64(96*365*24*time.Hour)))
		if s.Cron().Next(in2000s).IsZero() {
			t.Fatalf("%q never fires after %v", s, in2000s)
		}
	})
}

// checkScheduleRefusal checks that a refused spec gets no schedule and an
// error that says what to write.
func checkScheduleRefusal(t *testing.T, spec string, s config.Schedule, err error) {
	t.Helper()
	msg := err.Error()
	if !s.Off() || !strings.Contains(msg, "must be a cron schedule like") || !utf8.ValidString(msg) && utf8.ValidString(spec) {
		t.Fatalf("ParseSchedule(%q) = %#v, %q; want off and an error saying what a schedule is", spec, s, msg)
	}
}

// checkNext checks the next firing of s (and of again, the same spec
// read back) after from.
func checkNext(t *testing.T, s, again config.Schedule, from time.Time) {
	t.Helper()
	next := s.Cron().Next(from)
	if !next.IsZero() && !next.After(from) {
		t.Fatalf("%q fires at %v, not after %v", s, next, from)
	}
	if twice := s.Cron().Next(from); !twice.Equal(next) {
		t.Fatalf("%q fires after %v at %v, then at %v", s, from, next, twice)
	}
	if other := again.Cron().Next(from); !other.Equal(next) {
		t.Fatalf("%q fires after %v at %v, read back at %v", s, from, next, other)
	}
}
