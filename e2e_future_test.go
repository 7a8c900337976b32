package main_test

// A far-future date, seen from outside: refused by the built binary on
// every door, and a ledger it spoiled before that repaired by rebuild or
// by revoking the entry.

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// postSigned sends a signed GitHub delivery and returns its answer.
func postSigned(t *testing.T, url, secret, event, id string, body []byte) (int, string) {
	t.Helper()
	resp, reply := fetch(t, "POST", url+"/github/webhook", http.Header{
		"Content-Type": {"application/json"}, "X-Github-Event": {event},
		"X-Github-Delivery": {id}, "X-Hub-Signature-256": {sign(secret, body)},
	}, bytes.NewReader(body))
	return resp.StatusCode, reply
}

func datedFixture(t *testing.T, name, field, date string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/github/webhooks/" + name)
	if err != nil {
		t.Fatal(err)
	}
	dated := regexp.MustCompile(`"` + field + `": "[^"]*"`)
	if !dated.Match(b) {
		t.Fatalf("%s has no %s", name, field)
	}
	return dated.ReplaceAll(b, []byte(`"`+field+`": "`+date+`"`))
}

func TestFutureDateRefusedEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	const secret = "e2e-future-secret"
	srv := startServeEnv(t, dir, []string{"GITHUB_WEBHOOK_SECRET=" + secret}, "--db", db)
	for _, d := range []struct{ fixture, event, field, date string }{
		{"pull_request.closed.merged.json", "pull_request", "merged_at", "9999-12-31T23:59:59Z"},
		{"pull_request_review.submitted.json", "pull_request_review", "submitted_at", "9000-01-01T00:00:00Z"},
	} {
		status, reply := postSigned(t, srv.url, secret, d.event, "future-"+d.field, datedFixture(t, d.fixture, d.field, d.date))
		if status != 400 || !strings.Contains(reply, d.field) {
			t.Errorf("%s in the future: %d %s, want 400 naming %s", d.field, status, reply, d.field)
		}
	}
	var page entriesPage
	getJSON(t, srv.url+"/api/v1/entries", &page)
	if len(page.Entries) != 0 {
		t.Errorf("entries stored after the refusals: %+v", page.Entries)
	}
	mustRun(t, dir, "credit", "--db", db, "--member", "github:alice", "--points", "3", "--category", "code")
	resp, body := fetch(t, "GET", srv.url+"/api/v1/leaderboard?window=all", nil, nil)
	var lb leaderboard
	if err := json.Unmarshal([]byte(body), &lb); resp.StatusCode != 200 || err != nil || len(lb.Standings) != 1 {
		t.Errorf("leaderboard: %d %q, want 200 with alice", resp.StatusCode, body)
	}
	_, stderr, code := docracy(t, dir, "credit", "--db", db, "--member", "github:alice", "--points", "1",
		"--category", "code", "--at", "9999-12-31T23:59:59Z")
	if code != 2 || !strings.Contains(stderr, "--at 9999-12-31T23:59:59Z is in the future") {
		t.Errorf("credit --at 9999: exit %d, %s; want 2 naming --at", code, stderr)
	}
}

// copyPoisoned copies the ledger spoiled by the code of b261c2c (see
// testdata/ledger/README.md).
func copyPoisoned(t *testing.T, dir string) string {
	t.Helper()
	src, err := os.Open("testdata/ledger/poisoned-future-date.db")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	db := filepath.Join(dir, "poisoned.db")
	dst, err := os.Create(db)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	return db
}

// checkRepaired runs leaderboard --format json and compares each
// reputation with points × 2^(−age/90 days), the default half-life.
func checkRepaired(t *testing.T, dir, db string, want map[string]time.Time) {
	t.Helper()
	var lb struct {
		Standings []struct {
			Name       string  `json:"name"`
			Points     float64 `json:"points"`
			Reputation float64 `json:"reputation"`
		} `json:"standings"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, dir, "leaderboard", "--db", db, "--format", "json")), &lb); err != nil {
		t.Fatal(err)
	}
	if len(lb.Standings) != len(want) {
		t.Errorf("leaderboard %+v, want %d rows", lb.Standings, len(want))
	}
	for _, s := range lb.Standings {
		at, ok := want[s.Name]
		w := s.Points * math.Exp2(-time.Since(at).Hours()/(90*24))
		if !ok || !(math.Abs(s.Reputation-w) <= 1e-6*w) {
			t.Errorf("%s: reputation %v, want %v", s.Name, s.Reputation, w)
		}
	}
}

func TestRebuildRepairsPoisonedLedgerEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := copyPoisoned(t, dir)
	if out := mustRun(t, dir, "rebuild", "--db", db); out != "rebuilt 3 entries\n" {
		t.Errorf("rebuild printed %q", out)
	}
	checkRepaired(t, dir, db, map[string]time.Time{
		"alice": time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "bob": time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
		// recorded at 06:14:05: counted from 10 minutes later, not from 9999
		"Codertocat": time.Date(2026, 12, 2, 6, 24, 5, 0, time.UTC),
	})
}

func TestRevokeRepairsPoisonedLedgerEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := copyPoisoned(t, dir)
	mustRun(t, dir, "revoke", "--db", db, "--entry", "3", "--reason", "merged_at 9999")
	checkRepaired(t, dir, db, map[string]time.Time{
		"alice": time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "bob": time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC),
	})
}
