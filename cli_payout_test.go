package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

// payoutConfig pays 1000.00 EUR a month in proportion to points, with no
// cap and no minimum, so three members can share it.
const payoutConfig = `payouts:
  policy: proportional
  budget: "1000.00"
  min_amount: "0"
  max_share_percent: 100
`

func TestPayoutCommands(t *testing.T) {
	te := newTestEnv(t)
	if err := os.WriteFile("docracy.yaml", []byte(payoutConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	te.must("credit", "--member", "github:alice", "--points", "3", "--category", "code", "--at", "2025-10-05T10:00:00Z")
	te.must("credit", "--member", "github:bob", "--points", "1", "--category", "doc", "--at", "2025-10-06T10:00:00Z")
	te.must("credit", "--member", "discord:80351110224678912", "--points", "1", "--category", "community", "--at", "2025-10-07T10:00:00Z")
	setAddress(t, te.db, 1, "FR76 3000 6000 0112 3456 7890 189")

	var preview map[string]any
	if err := json.Unmarshal([]byte(te.must("payout", "preview", "--period", "2025-10", "--format", "json")), &preview); err != nil {
		t.Fatal(err)
	}
	if preview["closed"] != false || strings.Contains(mustJSON(t, preview), "FR76") {
		t.Errorf("preview = %v", preview)
	}
	if head := mustVerify(t, te, te.db); !strings.HasPrefix(head, "ok 3 ") {
		t.Errorf("preview wrote to the ledger: %s", head)
	}

	closed := te.must("payout", "close", "--period", "2025-10", "--yes")
	if !strings.Contains(closed, "payout 2025-10") || !strings.Contains(closed, "600.00") {
		t.Errorf("close printed:\n%s", closed)
	}
	if _, stderr, code := te.run("payout", "close", "--period", "2025-10", "--yes", "--db", te.db); code != exitFailure ||
		!strings.Contains(stderr, "period 2025-10 is already closed") {
		t.Errorf("second close: exit %d, %q", code, stderr)
	}
	if _, stderr, code := te.run("payout", "export", "--period", "2025-09", "--db", te.db); code != exitFailure ||
		!strings.Contains(stderr, "period 2025-09 is not closed") {
		t.Errorf("export of an open period: exit %d, %q", code, stderr)
	}
	if _, stderr, code := te.run("payout", "pay", "--db", te.db); code != exitUsage || !strings.Contains(stderr, `unknown subcommand "pay"`) {
		t.Errorf("unknown subcommand: exit %d, %q", code, stderr)
	}
	testkit.Golden(t, filepath.Join(testdataDir, "payout-export.golden.csv"), []byte(te.must("payout", "export", "--period", "2025-10")))
	if head := mustVerify(t, te, te.db); !strings.HasPrefix(head, "ok 6 ") {
		t.Errorf("after close: %s, want 3 payout entries more", head)
	}
}

func setAddress(t *testing.T, db string, member int64, address string) {
	t.Helper()
	l, err := ledger.Open(context.Background(), db, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.SetPayoutAddress(context.Background(), member, address); err != nil {
		t.Fatal(err)
	}
}

// testdataDir is resolved before tests change directory.
var testdataDir = func() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "testdata")
}()

// TestPayoutReopenCommand: a treasurer reopens a mistaken close with a
// reason; the export then refuses to pay it, and the period closes again.
func TestPayoutReopenCommand(t *testing.T) {
	te := newTestEnv(t)
	if err := os.WriteFile("docracy.yaml", []byte(payoutConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	te.must("credit", "--member", "github:alice", "--points", "3", "--category", "code", "--at", "2025-10-05T10:00:00Z")
	te.must("payout", "close", "--period", "2025-10", "--yes")
	if _, stderr, code := te.run("payout", "reopen", "--period", "2025-10", "--db", te.db); code != exitUsage ||
		!strings.Contains(stderr, "--reason") {
		t.Errorf("reopen without a reason: exit %d, %q", code, stderr)
	}
	out := te.must("payout", "reopen", "--period", "2025-10", "--reason", "wrong budget", "--yes")
	if !strings.Contains(out, "REOPENED") || !strings.Contains(out, "wrong budget") {
		t.Errorf("reopen printed:\n%s", out)
	}
	if _, stderr, code := te.run("payout", "export", "--period", "2025-10", "--db", te.db); code != exitFailure ||
		!strings.Contains(stderr, "was reopened") || !strings.Contains(stderr, "wrong budget") {
		t.Errorf("export of the reopened run: exit %d, %q", code, stderr)
	}
	var reopened map[string]any
	if err := json.Unmarshal([]byte(te.must("payout", "export", "--period", "2025-10", "--format", "json")), &reopened); err != nil {
		t.Fatal(err)
	}
	if r, _ := reopened["reopened"].(map[string]any); r["reason"] != "wrong budget" {
		t.Errorf("export json = %v", reopened)
	}
	again := te.must("payout", "close", "--period", "2025-10", "--yes")
	if !strings.Contains(again, "1000.00") || strings.Contains(again, "REOPENED") {
		t.Errorf("second close printed:\n%s", again)
	}
	// credit, payout, revoke, payout again.
	if head := mustVerify(t, te, te.db); !strings.HasPrefix(head, "ok 4 ") {
		t.Errorf("after reopen and close: %s", head)
	}
}
