package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A command that only reads refuses a ledger that does not exist, naming
// the path, and creates nothing: a typo in --db must not answer from an
// empty ledger. A command that writes may create it, and says so.
func TestReadCommandsRefuseAMissingLedger(t *testing.T) {
	te := newTestEnv(t)
	missing := filepath.Join(t.TempDir(), "typo.db")
	for _, args := range [][]string{
		{"rep", "github:alice"}, {"leaderboard"}, {"history", "--member", "github:alice"}, {"verify"}, {"export"},
		{"rebuild"}, {"backup", filepath.Join(t.TempDir(), "copy.db")}, {"revoke", "--entry", "1", "--reason", "x"},
		{"payout", "preview", "--period", "2026-10"}, {"payout", "close", "--period", "2026-10", "--yes"},
		{"payout", "export", "--period", "2026-10"}, {"digest", "preview"},
	} {
		stdout, stderr, code := te.run(append(args, "--db", missing)...)
		if code != exitFailure || stdout != "" || !strings.Contains(stderr, "no ledger at "+missing+": fix --db") ||
			!strings.Contains(stderr, "docracy serve") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 naming the path", strings.Join(args, " "), code, stdout, stderr)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("%s created %s", args[0], missing)
		}
	}
	credit := []string{"credit", "--member", "github:alice", "--points", "1", "--category", "code", "--db", missing}
	if _, stderr, code := te.run(credit...); code != exitOK || stderr != "creating a new ledger at "+missing+"\n" {
		t.Errorf("first credit: exit %d, stderr %q; want it to say it creates the ledger", code, stderr)
	}
	if _, stderr, code := te.run(credit...); code != exitOK || stderr != "" {
		t.Errorf("second credit: exit %d, stderr %q; want nothing on stderr", code, stderr)
	}
}

// Every flag value a command refuses is a usage error (exit 2) naming the
// flag, like a missing flag.
func TestFlagValuesAreUsageErrors(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "1", "--category", "code")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"leaderboard", "--window", "14d"}, `--window "14d": use 7d, 30d or all`},
		{[]string{"leaderboard", "--limit", "0"}, "--limit 0: give a number from 1 to"},
		{[]string{"leaderboard", "--category", "cooking"}, `--category "cooking" is not one of`},
		{[]string{"history", "--member", "github:alice", "--limit", "0"}, "--limit 0: give a number from 1 to"},
		{[]string{"history", "--member", "gitlab:alice"}, `--member "gitlab:alice":`},
		{[]string{"rep", "--member", "gitlab:alice"}, `--member "gitlab:alice":`},
		{[]string{"credit", "--member", "github:alice", "--points", "0", "--category", "code"}, "--points 0: give a whole number"},
		{[]string{"credit", "--member", "github:alice", "--points", "1", "--category", "cooking"}, `--category "cooking" is not one of`},
		{[]string{"credit", "--member", "github:alice", "--points", "1", "--category", "code", "--at", "yesterday"}, `--at "yesterday"`},
		{[]string{"credit", "--member", "github:alice", "--points", "1", "--category", "code", "--at", "2999-01-01T00:00:00Z"}, "--at "},
		{[]string{"payout", "preview", "--period", "2026-13"}, `--period "2026-13": there is no month 13`},
		{[]string{"payout", "export", "--period", "2026-W60"}, `--period "2026-W60": 2026 has no week 60`},
		{[]string{"digest", "preview", "--at", "monday"}, `--at "monday"`},
		{[]string{"leaderboard", "--format", "xml"}, `--format "xml"`},
	} {
		stdout, stderr, code := te.run(append(tt.args, "--db", te.db)...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), code, stdout, stderr, tt.want)
		}
	}
	// A period well named but refused by the ledger is no usage error.
	if _, stderr, code := te.run("payout", "export", "--period", "2026-10", "--db", te.db); code != exitFailure ||
		!strings.Contains(stderr, "period 2026-10 is not closed") {
		t.Errorf("export of an open period: exit %d, %q; want exit 1", code, stderr)
	}
}

// Help asked for, on a command with subcommands or on a subcommand, is
// shown with exit 0.
func TestSubcommandHelp(t *testing.T) {
	te := newTestEnv(t)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"payout", "-h"}, "usage: docracy payout <subcommand>"},
		{[]string{"payout", "--help"}, "  close [--period P] [--yes]"},
		{[]string{"digest", "-h"}, "usage: docracy digest <subcommand>"},
		{[]string{"member", "-h"}, "  wallet --member M --address A"},
		{[]string{"payout", "preview", "-h"}, "usage: docracy payout preview [flags]"},
		{[]string{"payout", "close", "-h"}, "-yes"},
		{[]string{"digest", "preview", "-h"}, "-png FILE"},
		{[]string{"member", "wallet", "-h"}, "-address"},
		{[]string{"poll", "-h"}, "  vote --poll ID --member M --option O"},
		{[]string{"poll", "open", "-h"}, "usage: docracy poll open [flags]"},
	} {
		if _, stderr, code := te.run(tt.args...); code != exitOK || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 0 and %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
	for _, args := range [][]string{{"payout"}, {"digest"}, {"member"}, {"poll"}, {"payout", "pay"}, {"poll", "cast"}} {
		if _, stderr, code := te.run(args...); code != exitUsage || !strings.Contains(stderr, "subcommand") {
			t.Errorf("%s: exit %d, stderr %q; want exit 2", strings.Join(args, " "), code, stderr)
		}
	}
}
