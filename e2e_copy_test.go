package main_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docracy/docracy/internal/pgtest"
)

var copied = regexp.MustCompile(`^copied (\d+) entries from .* to .*: head (\d+) ([0-9a-f]{64})\n$`)

// TestCopyToPostgresAndBack moves a ledger from SQLite to PostgreSQL and
// back with the built binary: the head hash is the same at each step and
// verify passes on each, and a copy into a ledger that holds entries is
// refused with exit status 1, changing nothing.
func TestCopyToPostgresAndBack(t *testing.T) {
	dir, dsn := t.TempDir(), pgtest.DSN(t)
	first, back := filepath.Join(dir, "first.db"), filepath.Join(dir, "back.db")
	for i, who := range []string{"github:alice", "github:bob", "github:alice"} {
		mustRun(t, dir, "credit", "--db", first, "--member", who, "--points", "3", "--category", "code", "--ref", "r"+string(rune('a'+i)))
	}
	mustRun(t, dir, "revoke", "--db", first, "--entry", "2", "--reason", "duplicate")
	want := strings.TrimSpace(mustRun(t, dir, "verify", "--db", first))

	for _, step := range [][2]string{{first, dsn}, {dsn, back}} {
		out := mustRun(t, dir, "copy", "--from", step[0], "--to", step[1])
		if m := copied.FindStringSubmatch(out); m == nil || m[1] != "4" || !strings.HasSuffix(want, m[3]) {
			t.Fatalf("copy printed %q, want 4 entries and the head of %q", out, want)
		}
		if got := strings.TrimSpace(mustRun(t, dir, "verify", "--db", step[1])); got != want {
			t.Errorf("verify of the copy: %q, want %q", got, want)
		}
	}
	if strings.Contains(mustRun(t, dir, "copy", "--from", first, "--to", filepath.Join(dir, "other.db")), dsn) {
		t.Error("copy printed the database URL")
	}

	_, stderr, code := docracy(t, dir, "copy", "--from", first, "--to", dsn)
	if code != 1 || !strings.Contains(stderr, "not empty") || strings.Contains(stderr, dsn) {
		t.Errorf("copy into a full ledger: exit %d, %q; want 1 and why, without the URL", code, stderr)
	}
	if got := strings.TrimSpace(mustRun(t, dir, "verify", "--db", dsn)); got != want {
		t.Errorf("the refused copy changed the target: %q, want %q", got, want)
	}
}
