package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

// readmeBlock returns the first fenced block of the given language that
// follows heading in README.md: the code a member copies.
func readmeBlock(t *testing.T, heading, lang string) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), heading)
	if !ok {
		t.Fatalf("README has no %q", heading)
	}
	m := regexp.MustCompile("(?s)```" + lang + "\n(.*?)```").FindStringSubmatch(rest)
	if m == nil {
		t.Fatalf("README has no %s block after %q", lang, heading)
	}
	return m[1]
}

// python3 finds the interpreter; CI installs it, a developer may not have it.
func python3(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 is missing: .ci/run installs it")
		}
		t.Skip("python3 not installed: the README's verifier is checked in CI")
	}
	return p
}

// TestREADMEVerifierChecksExports runs the README's Python verifier, as a
// member would, on exports of ledgers with and without entry data, and on
// one whose data was edited.
func TestREADMEVerifierChecksExports(t *testing.T) {
	py := python3(t)
	script := filepath.Join(t.TempDir(), "verify.py")
	if err := os.WriteFile(script, []byte(readmeBlock(t, "## Checking the ledger yourself", "python")), 0o600); err != nil {
		t.Fatal(err)
	}
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "5", "--category", "code", "--note", "é <b> \u2028", "--ref", "r1")
	plain := te.must("export", "--format", "jsonl")
	assertPython(t, py, script, plain, "ok "+lastHash(t, plain))

	appendWithData(t, te.db)
	withData := te.must("export", "--format", "jsonl")
	if !strings.Contains(withData, `"data":{`) {
		t.Fatalf("export has no data:\n%s", withData)
	}
	assertPython(t, py, script, withData, "ok "+lastHash(t, withData))
	edited := strings.Replace(withData, `"no"`, `"non"`, 1)
	assertPython(t, py, script, edited, "chain broken at seq 2")
}

func appendWithData(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	l, err := ledger.Open(ctx, path, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	data, err := ledger.NewData(map[string]any{"question": "Adopt? 😀", "options": []string{"yes", "no"},
		"terms": map[string]any{"quorum": 25, "majority": "simple"}})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = l.Append(ctx, ledger.NewEntry{Kind: ledger.KindPoll, Member: 0, OccurredAt: time.Now(),
		Source: ledger.SourceCLI, SourceRef: "poll:test", Actor: "cli:carol", Data: data})
	if err != nil {
		t.Fatal(err)
	}
}

func assertPython(t *testing.T, py, script, stdin, want string) {
	t.Helper()
	cmd := exec.Command(py, script)
	cmd.Stdin = strings.NewReader(stdin)
	out, _ := cmd.CombinedOutput()
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("README verifier says %q, want %q", got, want)
	}
}

func lastHash(t *testing.T, jsonl string) string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(jsonl), "\n")
	var e struct{ Hash string }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &e); err != nil {
		t.Fatal(err)
	}
	return e.Hash
}
