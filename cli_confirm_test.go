package main

import (
	"os"
	"strings"
	"testing"
)

// payout close shows the run and asks on a terminal; --yes skips the
// question; without a terminal and without --yes it refuses, exit 2. Only
// a yes writes anything.
func TestPayoutCloseConfirms(t *testing.T) {
	for _, tt := range []struct {
		name     string
		terminal bool
		stdin    string
		yes      bool
		code     int
		stderr   []string
	}{
		{"no terminal", false, "y\n", false, exitUsage, []string{"stdin is not a terminal: run it on a terminal, or add --yes"}},
		{"declined", true, "n\n", false, exitFailure, []string{"payout 2025-10", "alice", "700.00", "1000.00 EUR in all", "Go ahead? [y/N] ", "not confirmed: nothing written"}},
		{"empty answer", true, "\n", false, exitFailure, []string{"Go ahead? [y/N] ", "not confirmed"}},
		{"end of input", true, "", false, exitFailure, []string{"not confirmed"}},
		{"confirmed", true, "yes\n", false, exitOK, []string{"1000.00 EUR in all", "Go ahead? [y/N] "}},
		{"--yes on a terminal", true, "", true, exitOK, nil},
		{"--yes in a script", false, "", true, exitOK, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t)
			if err := os.WriteFile("docracy.yaml", []byte(payoutConfig), 0o600); err != nil {
				t.Fatal(err)
			}
			te.must("credit", "--member", "github:alice", "--points", "7", "--category", "code", "--at", "2025-10-05T10:00:00Z")
			te.must("credit", "--member", "github:bob", "--points", "3", "--category", "doc", "--at", "2025-10-06T10:00:00Z")
			te.terminal, te.stdin = tt.terminal, tt.stdin
			args := []string{"payout", "close", "--period", "2025-10", "--db", te.db}
			if tt.yes {
				args = append(args, "--yes")
			}
			stdout, stderr, code := te.run(args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			if tt.yes && strings.Contains(stderr, "Go ahead?") {
				t.Errorf("--yes asked anyway: %q", stderr)
			}
			te.terminal = false
			entries := "ok 2 "
			if tt.code == exitOK {
				entries = "ok 4 "
				if !strings.Contains(stdout, "closed") {
					t.Errorf("close printed %q", stdout)
				}
			}
			if got := te.must("verify"); !strings.HasPrefix(got, entries) {
				t.Errorf("after close: %s, want %s…", got, entries)
			}
		})
	}
}

// docracy member wallet sets the address /wallet sets, prints it masked,
// and the treasurer's export carries it.
func TestMemberWallet(t *testing.T) {
	te := newTestEnv(t)
	if err := os.WriteFile("docracy.yaml", []byte(payoutConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	te.must("credit", "--member", "github:alice", "--points", "7", "--category", "code", "--at", "2025-10-05T10:00:00Z")
	out := te.must("member", "wallet", "--member", "github:alice", "--address", "FR76 3000 6000 0112 3456 7890 189")
	if out != "payout address of github:alice set: •••0189\n" {
		t.Errorf("wallet printed %q", out)
	}
	te.must("payout", "close", "--period", "2025-10", "--yes")
	if export := te.must("payout", "export", "--period", "2025-10"); !strings.Contains(export, ",FR76 3000 6000 0112 3456 7890 189,1000.00") {
		t.Errorf("export does not pay the address set:\n%s", export)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--member", "github:alice", "--address", "x"}, exitUsage, "--address is 1 characters long"},
		{[]string{"--member", "github:nobody", "--address", "FR76 3000"}, exitFailure, "nobody"},
		{[]string{"--member", "github:alice"}, exitUsage, "--address is required"},
	} {
		_, stderr, code := te.run(append(append([]string{"member", "wallet"}, tt.args...), "--db", te.db)...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("member wallet %v: exit %d, stderr %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}
