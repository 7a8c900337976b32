package main_test

// GitHub seen from outside, against the built binary: signed webhooks over
// HTTP into serve, and "docracy github backfill" against a fake REST API.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/integrations/github/githubtest"
)

const mergedRef = "github:github.com:pr:186853002:2:author:21031067"

// entriesPage is /api/v1/entries.
type entriesPage struct {
	Entries []struct {
		Seq       int64  `json:"seq"`
		Member    int64  `json:"member"`
		Kind      string `json:"kind"`
		Category  string `json:"category"`
		Points    int64  `json:"points"`
		Source    string `json:"source"`
		SourceRef string `json:"source_ref"`
		URL       string `json:"url"`
	} `json:"entries"`
	NextAfter int64 `json:"next_after"`
}

func TestGitHubWebhookEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	const secret = "e2e-github-secret"
	srv := startServeEnv(t, dir, []string{"GITHUB_WEBHOOK_SECRET=" + secret}, "--db", db)
	if !strings.Contains(srv.logs.String(), `msg=integration name="github webhook" status=on reason="GITHUB_WEBHOOK_SECRET is set"`) {
		t.Errorf("the log does not say the webhook is on:\n%s", srv.logs)
	}

	merged, err := os.ReadFile("testdata/github/webhooks/pull_request.closed.merged.json")
	if err != nil {
		t.Fatal(err)
	}
	opened, err := os.ReadFile("testdata/github/webhooks/pull_request.opened.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		event   string
		id      string
		body    []byte
		secret  string
		status  int
		outcome string
	}{
		{"merged", "pull_request", "e2e-1", merged, secret, 200, "credited"},
		{"redelivered", "pull_request", "e2e-1", merged, secret, 200, "redelivery"},
		{"another delivery of it", "pull_request", "e2e-2", merged, secret, 200, "duplicate"},
		{"opened", "pull_request", "e2e-3", opened, secret, 204, ""},
		{"forged", "pull_request", "e2e-4", bytes.Replace(merged, []byte(`"number": 2`), []byte(`"number": 3`), 1), "not the secret", 401, ""},
	}
	for _, tt := range tests {
		resp, body := fetch(t, "POST", srv.url+"/github/webhook", http.Header{
			"Content-Type": {"application/json"}, "X-Github-Event": {tt.event},
			"X-Github-Delivery": {tt.id}, "X-Hub-Signature-256": {sign(tt.secret, tt.body)},
		}, bytes.NewReader(tt.body))
		var reply struct{ Outcome string }
		json.Unmarshal([]byte(body), &reply)
		if resp.StatusCode != tt.status || reply.Outcome != tt.outcome {
			t.Errorf("%s: %d %s, want %d %q", tt.name, resp.StatusCode, body, tt.status, tt.outcome)
		}
	}

	var page entriesPage
	getJSON(t, srv.url+"/api/v1/entries", &page)
	if len(page.Entries) != 1 {
		t.Fatalf("/api/v1/entries has %d entries, want the one credit: %+v", len(page.Entries), page)
	}
	e := page.Entries[0]
	if e.Kind != "credit" || e.Category != "code" || e.Points != 5 || e.Source != "github" || e.SourceRef != mergedRef ||
		e.URL != "https://github.com/Codertocat/Hello-World/pull/2" {
		t.Errorf("entry %+v", e)
	}
	var member struct {
		Name     string `json:"name"`
		Accounts []struct {
			Platform string `json:"platform"`
			ID       string `json:"id"`
			Login    string `json:"login"`
		} `json:"accounts"`
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/members/%d", srv.url, e.Member), &member)
	if member.Name != "Codertocat" || len(member.Accounts) != 1 || member.Accounts[0].ID != "21031067" {
		t.Errorf("member %+v: want Codertocat, created with GitHub account 21031067", member)
	}
	_, metrics := fetch(t, "GET", srv.url+"/metrics", nil, nil)
	for _, line := range []string{
		`docracy_github_webhooks_total{event="pull_request",outcome="credited"} 1`,
		`docracy_github_webhooks_total{event="pull_request",outcome="redelivery"} 1`,
		`docracy_github_webhooks_total{event="pull_request",outcome="bad_signature"} 1`,
		`docracy_github_credits_total{path="webhook"} 1`,
	} {
		if !strings.Contains(metrics, "\n"+line+"\n") {
			t.Errorf("/metrics lacks %s", line)
		}
	}
	for _, want := range []string{`delivery=e2e-1 event=pull_request action=closed repo=Codertocat/Hello-World outcome=credited`, `delivery=e2e-4`} {
		if !strings.Contains(srv.logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, srv.logs)
		}
	}
	srv.stop(t)
	if strings.Contains(srv.logs.String(), secret) {
		t.Errorf("the log shows the secret:\n%s", srv.logs)
	}
	if out := mustRun(t, dir, "verify", "--db", db); !strings.HasPrefix(out, "ok 1 ") {
		t.Errorf("verify printed %q, want ok 1", out)
	}
}

// closedPull is pull request n of githubtest's repository by user
// userN, merged and updated at the times given, as the list answers it.
func closedPull(n, user int, merged, updated time.Time) map[string]any {
	return map[string]any{
		"number": n, "state": "closed", "title": fmt.Sprintf("Change %d", n),
		"html_url":   fmt.Sprintf("https://github.com/docracy/coop/pull/%d", n),
		"user":       map[string]any{"id": user, "login": fmt.Sprintf("user%d", user), "type": "User"},
		"updated_at": updated.Format(time.RFC3339), "merged_at": merged.Format(time.RFC3339),
		"base": map[string]any{"repo": map[string]any{"id": githubtest.RepoID, "full_name": "docracy/coop", "html_url": "https://github.com/docracy/coop"}},
	}
}

func TestGitHubBackfillEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	merged := time.Now().Add(-48 * time.Hour).UTC()
	api := githubtest.New(t, nil, 60)
	api.AddPulls(closedPull(7, 70, merged, merged.Add(time.Hour)), closedPull(8, 80, merged, merged.Add(time.Hour)))
	config := fmt.Sprintf("github:\n  api_url: %s\n  repos: [docracy/coop]\n  reconcile: \"\"\n", api.URL())
	if err := os.WriteFile(filepath.Join(dir, "coop.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	backfill := []string{"github", "backfill", "--repo", "docracy/coop", "--since", merged.Add(-24 * time.Hour).Format(time.DateOnly), "--config", "coop.yaml", "--db", db}
	stdout, stderr, code := docracy(t, dir, backfill...)
	if code != 0 {
		t.Fatalf("backfill: exit %d\n%s", code, stderr)
	}
	if want := "docracy/coop: 2 merged pull requests and 0 reviews read since " + merged.Add(-24*time.Hour).Format(time.DateOnly) + ", 2 entries added\n"; stdout != want {
		t.Errorf("backfill printed %q, want %q", stdout, want)
	}
	if want := "docracy/coop: page 1 done: 2 merged pull requests, 0 reviews, 2 entries added\n"; !strings.Contains(stderr, want) {
		t.Errorf("progress %q, want %q", stderr, want)
	}
	for _, r := range api.Requests() {
		if q := r.Query; strings.HasSuffix(r.Path, "/pulls") && (q.Get("state") != "closed" || q.Get("sort") != "updated" || q.Get("direction") != "desc") {
			t.Errorf("list query %s", q.Encode())
		}
	}
	if stdout, _, _ := docracy(t, dir, backfill...); !strings.HasSuffix(stdout, ", 0 entries added\n") {
		t.Errorf("second backfill printed %q, want 0 entries added", stdout)
	}
	var refs []string
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, dir, "export", "--db", db)), "\n") {
		var e struct {
			SourceRef string `json:"source_ref"`
		}
		json.Unmarshal([]byte(line), &e)
		refs = append(refs, e.SourceRef)
	}
	if diff := cmp.Diff([]string{"github:github.com:pr:4242:7:author:70", "github:github.com:pr:4242:8:author:80"}, refs); diff != "" {
		t.Errorf("exported credits (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"github"}, "give the subcommand: docracy github backfill --repo owner/name [--since DATE]"},
		{[]string{"github", "backfill", "--db", db}, "--repo is required"},
		{[]string{"github", "backfill", "--repo", "docracy/coop", "--since", "yesterday", "--db", db}, `--since "yesterday": give a date like 2026-01-31`},
		{[]string{"github", "backfill", "--repo", "other/repo", "--config", "coop.yaml", "--db", db}, "--repo other/repo is not in github.repos: add it there first"},
	} {
		if _, stderr, code := docracy(t, dir, tt.args...); code != 2 || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("docracy %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, stderr, tt.stderr)
		}
	}
}
