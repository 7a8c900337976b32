package main

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A maintainer places members from the CLI; the college shows in the API
// form of the member, excludes from payouts, and is a column of the export.
func TestMemberCollege(t *testing.T) {
	te := newTestEnv(t)
	if err := os.WriteFile("docracy.yaml", []byte(payoutConfig+"  exclude_colleges: [partners]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	te.must("credit", "--member", "github:alice", "--points", "3", "--category", "code", "--at", "2025-10-05T10:00:00Z")
	te.must("credit", "--member", "github:bob", "--points", "1", "--category", "doc", "--at", "2025-10-06T10:00:00Z")
	if seq := te.must("member", "college", "--member", "github:alice", "--college", "workers", "--note", "hired"); seq != "3\n" {
		t.Errorf("member college printed %q, want the entry's seq 3", seq)
	}
	if seq := te.must("member", "college", "--member", "1", "--college", "workers"); seq != "3\n" {
		t.Errorf("repeated move printed %q, want the same seq 3", seq)
	}
	te.must("member", "college", "--member", "github:bob", "--college", "partners", "--ref", "ag-2025")
	if seq := te.must("member", "college", "--member", "github:bob", "--college", "users", "--ref", "ag-2025"); seq != "4\n" {
		t.Errorf("repeated --ref printed %q, want seq 4", seq)
	}
	if rep := te.must("rep", "github:bob", "--format", "json"); !strings.Contains(rep, `"college":"partners"`) {
		t.Errorf("rep --format json: %s", rep)
	}
	te.must("payout", "close", "--period", "2025-10", "--yes")
	rows, err := csv.NewReader(strings.NewReader(te.must("payout", "export", "--period", "2025-10"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"member", "name", "github", "discord", "college", "address", "amount"}, {"1", "alice", "alice", "", "workers", "", "1000.00"}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("export, bob's partners excluded (-want +got):\n%s", diff)
	}
	if head := mustVerify(t, te, te.db); !strings.HasPrefix(head, "ok 5 ") {
		t.Errorf("verify: %s", head)
	}
}

func TestMemberCollegeRefuses(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "3", "--category", "code")
	for _, tt := range []struct {
		config string
		args   []string
		code   int
		stderr string
	}{
		{"", []string{"member", "college", "--member", "github:alice", "--college", "founders"}, exitUsage,
			`docracy member: --college "founders" is not one of partners, users, volunteers, workers`},
		{"colleges: {}\n", []string{"member", "college", "--member", "github:alice", "--college", "workers"}, exitFailure,
			"docracy member: colleges are off in this cooperative (colleges: {} in the configuration)"},
		{"", []string{"member", "college", "--member", "github:alice"}, exitUsage, "--college is required"},
		{"", []string{"member", "--member", "github:alice", "--college", "workers"}, exitUsage, `unknown subcommand "--member": use college or wallet`},
		{"", []string{"member", "move", "--member", "github:alice", "--college", "workers"}, exitUsage, `unknown subcommand "move": use college or wallet`},
	} {
		if err := os.WriteFile("docracy.yaml", []byte(tt.config), 0o600); err != nil {
			t.Fatal(err)
		}
		_, stderr, code := te.run(append(tt.args, "--db", te.db)...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("docracy %s: exit %d, %q; want %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.stderr)
		}
	}
	if head := mustVerify(t, te, te.db); !strings.HasPrefix(head, "ok 1 ") {
		t.Errorf("a refused move wrote: %s", head)
	}
	if _, stderr, code := te.run("member", "-h"); code != exitOK || !strings.Contains(stderr, "college --member M --college C") {
		t.Errorf("member -h: exit %d, %q", code, stderr)
	}
}
