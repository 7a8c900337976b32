package ledger

import (
	"testing"
	"time"
)

// appendTime must write what formatTime gives, quoted, for any instant
// in any zone: the hash of every entry covers it.
func FuzzAppendTime(f *testing.F) {
	for _, at := range []time.Time{
		time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999_999_999, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(1<<40, 0),
	} {
		f.Add(at.Unix(), int64(at.Nanosecond()), 0)
	}
	f.Add(int64(1793610000), int64(5), 14*3600)
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		at := time.Unix(sec, nsec).In(time.FixedZone("", offset%(26*3600)))
		want := string(appendJCSString(nil, formatTime(at)))
		if got := string(appendTime(nil, at)); got != want {
			t.Errorf("appendTime(%v) = %s, want %s", at, got, want)
		}
	})
}
