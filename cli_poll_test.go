package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

// placeInColleges puts members in colleges directly in the ledger: the
// command for it is not part of the poll commands.
func placeInColleges(t *testing.T, path string, colleges map[int64]string) {
	t.Helper()
	ctx := context.Background()
	l, err := ledger.Open(ctx, path, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for m, c := range colleges {
		if _, _, err := l.SetCollege(ctx, ledger.CollegeRequest{Member: m, College: c, Source: ledger.SourceCLI,
			SourceRef: fmt.Sprintf("test:college:%d", m), Actor: "cli:test"}); err != nil {
			t.Fatal(err)
		}
	}
}

// pollFixture is a ledger of six members in the default colleges (workers
// 30, volunteers 30, users 20, partners 20) with a poll of each mode.
func pollFixture(t *testing.T) (*testEnv, []string) {
	te := newTestEnv(t)
	for i, login := range []string{"ann", "bea", "cid", "dan", "eve", "fay"} {
		te.must("credit", "--member", "github:"+login, "--points", fmt.Sprint(i+1), "--category", "code")
	}
	placeInColleges(t, te.db, map[int64]string{1: "workers", 2: "workers", 3: "volunteers", 4: "users", 5: "partners"})
	var polls []string
	for _, mode := range []string{"college", "member", "reputation"} {
		id := strings.TrimSpace(te.must("poll", "open", "--question", "Adopt the "+mode+" budget?", "--mode", mode, "--quorum", "50"))
		polls = append(polls, id)
	}
	votes := [][3]string{{"1", "yes", ""}, {"2", "no", ""}, {"3", "abstain", ""}, {"4", "yes", ""}, {"6", "no", ""}, {"2", "yes", "changed"}}
	for _, p := range polls {
		for _, v := range votes {
			if p == polls[0] && v[0] == "6" {
				continue // fay has no college
			}
			te.must("poll", "vote", "--poll", p, "--member", v[0], "--option", v[1])
		}
	}
	return te, polls
}

func TestPollCommands(t *testing.T) {
	te, polls := pollFixture(t)
	college := polls[0]
	_, stderr, code := te.run("poll", "vote", "--poll", college, "--member", "6", "--option", "yes", "--db", te.db)
	if code != exitFailure || !strings.Contains(stderr, "college polls count members who had a college when "+college+" opened") {
		t.Errorf("vote of a member with no college: exit %d, %q", code, stderr)
	}
	seq := strings.TrimSpace(te.must("poll", "vote", "--poll", strings.TrimPrefix(college, "e"), "--member", "1", "--option", "yes"))
	var shown struct {
		Outcome string
		Votes   []struct {
			Member int64
			Seq    json.Number
		}
	}
	if err := json.Unmarshal([]byte(te.must("poll", "show", "--poll", college, "--format", "json")), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Outcome != "open" || len(shown.Votes) != 4 || string(shown.Votes[0].Seq) != seq {
		t.Errorf("show = %+v; the repeated vote printed %s", shown, seq)
	}
	closed := te.must("poll", "close", "--poll", college)
	// workers: ann yes, bea yes (changed) → yes 1; volunteers: abstain only, drops out;
	// users: dan yes → yes 1; partners: nobody. yes = 100 %.
	if !strings.Contains(closed, "4 of 5 voted (80.00 %)") || !strings.Contains(closed, "outcome: adopted: yes") {
		t.Errorf("close printed:\n%s", closed)
	}
	list := te.must("poll", "list")
	if !strings.Contains(list, college+"  closed  adopted") || !strings.Contains(list, polls[1]+"  open    open") {
		t.Errorf("list:\n%s", list)
	}
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"poll", "tally"}, exitUsage, `unknown subcommand "tally": use open, vote, close, show or list`},
		{[]string{"poll", "open", "--mode", "member"}, exitUsage, "--question is required"},
		{[]string{"poll", "open", "--question", "Q", "--mode", "member", "--closes", "soon"}, exitUsage, `--closes "soon"`},
		{[]string{"poll", "open", "--question", "Q", "--mode", "member", "--quorum", "120"}, exitFailure, "quorum 120"},
		{[]string{"poll", "show", "--poll", "e999"}, exitFailure, "poll e999 does not exist"},
		{[]string{"poll", "vote", "--poll", college, "--member", "1", "--option", "no"}, exitFailure, "is closed"},
	} {
		if _, stderr, code := te.run(append(tt.args, "--db", te.db)...); code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("docracy %s: exit %d, %q; want %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.msg)
		}
	}
}

// TestREADMERecountAgreesWithPollShow runs the README's recount script on
// an export, for a poll of each mode, open and closed, and compares its
// figures with `poll show --format json`.
func TestREADMERecountAgreesWithPollShow(t *testing.T) {
	py := python3(t)
	script := filepath.Join(t.TempDir(), "recount.py")
	if err := os.WriteFile(script, []byte(readmeBlock(t, "## Recounting a poll", "python")), 0o600); err != nil {
		t.Fatal(err)
	}
	te, polls := pollFixture(t)
	compare := func() {
		export := te.must("export", "--format", "jsonl")
		for _, p := range polls {
			cmd := exec.Command(py, script, p)
			cmd.Stdin = strings.NewReader(export)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("recount %s: %v\n%s", p, err, out)
			}
			assertSameFigures(t, p, te.must("poll", "show", "--poll", p, "--format", "json"), string(out))
		}
	}
	compare()
	for _, p := range polls {
		te.must("poll", "close", "--poll", p)
	}
	compare()
}

func assertSameFigures(t *testing.T, poll, show, recount string) {
	t.Helper()
	var want, got map[string]any
	if err := json.Unmarshal([]byte(show), &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(recount), &got); err != nil {
		t.Fatalf("recount of %s printed %q: %v", poll, recount, err)
	}
	for _, key := range []string{"id", "electorate", "voters", "participation_percent", "options", "colleges", "outcome", "adopted"} {
		if diff := cmp.Diff(want[key], got[key]); diff != "" {
			t.Errorf("%s: %s differs (-poll show +recount):\n%s", poll, key, diff)
		}
	}
	if want["outcome"] == "" || want["status"] == "closed" && want["outcome"] == "open" {
		t.Errorf("%s: outcome %v", poll, want["outcome"])
	}
}
