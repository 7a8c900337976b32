package main

import (
	"strings"
	"testing"
)

// The digest shows its period in the schedule's zone: a digest due at
// 09:00 Paris time says 09:00 CET, not 08:00 UTC.
func TestDigestInTheSchedulesZone(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "1", "--category", "code", "--at", "2026-11-18T10:00:00Z")
	out := te.must("digest", "preview", "--at", "2026-11-23T09:30:00Z")
	if want := "docracy digest, Mon 16 Nov 2026 09:00 to Mon 23 Nov 2026 09:00 CET\n"; !strings.HasPrefix(out, want) {
		t.Errorf("digest preview starts %q, want %q", strings.SplitAfter(out, "\n")[0], want)
	}
}
