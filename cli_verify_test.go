package main

import (
	"database/sql"
	"os"
	"strings"
	"testing"
)

// A derived table edited behind the ledger's back, guard triggers dropped
// first, fails docracy verify with the table and the difference named;
// docracy rebuild puts the chain's figures back and verify is ok again.
func TestVerifyNamesTamperedTablesAndRebuildRepairs(t *testing.T) {
	te := newTestEnv(t)
	if err := os.WriteFile("docracy.yaml", []byte(payoutConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	te.must("credit", "--member", "github:alice", "--points", "7", "--category", "code", "--at", "2025-10-05T10:00:00Z")
	te.must("credit", "--member", "github:bob", "--points", "3", "--category", "doc", "--at", "2025-10-06T10:00:00Z")
	te.must("payout", "close", "--period", "2025-10", "--yes")
	ok := te.must("verify")
	for _, tt := range []struct{ name, table, script, want string }{
		{"totals", "totals", "UPDATE totals SET points = 12 WHERE member_id = 1 AND category = 'code'",
			"totals: member 1 category code: table says 12 points, chain says 7"},
		{"scores", "scores", "DELETE FROM scores WHERE seq = 2",
			"scores: member 2 category doc: table says 0 entries (0 points), chain says 1 (3 points)"},
		{"payouts", "payouts", "UPDATE payouts SET amount = '999999' WHERE member_id = 2",
			"payouts: run 2025-10 member 2: table says 9999.99, chain says 300.00"},
		{"payout amount", "payouts", "UPDATE payouts SET amount = '999999' WHERE member_id = 1",
			"payouts: run 2025-10 member 1: table says 9999.99, chain says 700.00"},
		{"colleges", "members", "UPDATE members SET college = 'workers' WHERE id = 2",
			"members: member 2: table says college workers, chain says none"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tamperDB(t, te.db, tt.table, tt.script)
			stdout, stderr, code := te.run("verify", "--db", te.db)
			if want := "docracy verify: " + tt.want + "\n"; code != exitFailure || stdout != "" || stderr != want {
				t.Errorf("verify: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
			}
			if out := te.must("rebuild"); out != "rebuilt 4 entries\n" {
				t.Errorf("rebuild printed %q", out)
			}
			if got := te.must("verify"); got != ok {
				t.Errorf("verify after rebuild = %q, want %q", got, ok)
			}
		})
	}
}

// tamperDB runs script on the database file after dropping the guard
// triggers of table, as a deliberate tamperer would.
func tamperDB(t *testing.T, path, table, script string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var triggers []string
	rows, err := db.Query("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?", table)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		triggers = append(triggers, name)
	}
	rows.Close()
	for _, name := range triggers {
		script = `DROP TRIGGER "` + name + `"; ` + script
	}
	if _, err := db.Exec(script); err != nil {
		t.Fatalf("tamper %s: %v", strings.Fields(script)[0], err)
	}
}

// verify, rebuild and export show a progress line on a terminal, and
// nothing on stderr otherwise (a log or a pipe).
func TestProgressOnlyOnTerminal(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "7", "--category", "code")
	te.must("credit", "--member", "github:bob", "--points", "3", "--category", "doc")
	for _, args := range [][]string{{"verify"}, {"rebuild"}, {"export"}} {
		for _, terminal := range []bool{false, true} {
			te.terminal = terminal
			_, stderr, code := te.run(append(args, "--db", te.db)...)
			want := ""
			if terminal {
				want = "\r" + args[0] + ": 2/2 entries (100%)\033[K\r\033[K"
				if args[0] == "export" { // one line per entry as it goes
					want = "\rexport: 1/2 entries (50%)\033[K" + want
				}
			}
			if code != exitOK || stderr != want {
				t.Errorf("%s on a terminal %v: exit %d, stderr %q; want %q", args[0], terminal, code, stderr, want)
			}
		}
	}
}
