package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/google/go-cmp/cmp"
)

// testEnv runs commands in process, in a fresh directory so that no
// docracy.yaml of the developer's is read, with the given environment.
type testEnv struct {
	t   *testing.T
	db  string
	env map[string]string
	// terminal makes stdin and stderr a terminal; stdin is what is typed.
	terminal bool
	stdin    string
}

func newTestEnv(t *testing.T) *testEnv {
	dir := t.TempDir()
	t.Chdir(dir)
	return &testEnv{t: t, db: filepath.Join(dir, "ledger.db"), env: map[string]string{"USER": "carol"}}
}

func (te *testEnv) run(args ...string) (stdout, stderr string, code int) {
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(k string) (string, bool) {
		v, ok := te.env[k]
		return v, ok
	}, stdin: strings.NewReader(te.stdin), stdinTerminal: te.terminal, stderrTerminal: te.terminal}
	code = run(context.Background(), e, args)
	return out.String(), errOut.String(), code
}

// must runs a command against the test ledger that must succeed.
func (te *testEnv) must(args ...string) string {
	te.t.Helper()
	stdout, stderr, code := te.run(append(args, "--db", te.db)...)
	if code != exitOK {
		te.t.Fatalf("docracy %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

func TestHelp(t *testing.T) {
	te := newTestEnv(t)
	stdout, _, code := te.run("help")
	if code != exitOK {
		t.Errorf("help: exit %d", code)
	}
	for _, c := range commands() {
		if !regexp.MustCompile(`(?m)^  ` + c.name + ` +\S`).MatchString(stdout) {
			t.Errorf("help does not list %s:\n%s", c.name, stdout)
		}
	}
	if _, stderr, code := te.run(); code != exitUsage || !strings.Contains(stderr, "usage: docracy <command>") {
		t.Errorf("no command: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := te.run("credit", "-h"); code != exitOK || !strings.Contains(stderr, "usage: docracy credit --member M") {
		t.Errorf("credit -h: exit %d, stderr %q", code, stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	te := newTestEnv(t)
	tests := []struct {
		args   []string
		stderr string
	}{
		{[]string{"rep"}, "name a member, e.g. docracy rep github:alice"},
		{[]string{"rep", "1", "--member", "2"}, "name the member once"},
		{[]string{"rep", "1", "2"}, `unexpected argument "2"`},
		{[]string{"rep", "1", "--format", "yaml"}, `--format "yaml": use text or json`},
		{[]string{"history"}, "--member is required"},
		{[]string{"history", "--member", "1", "--limit", "0"}, "--limit 0: give a number from 1 to 1000"},
		{[]string{"leaderboard", "--limit", "-1"}, "--limit -1: give a number from 1 to 100"},
		{[]string{"revoke", "--entry", "1"}, "--reason is required"},
		{[]string{"credit", "--member", "1", "--points", "1", "--category", "code", "--at", "yesterday"}, `--at "yesterday": give a time like 2026-03-01T12:00:00Z`},
		{[]string{"backup"}, "name the backup file"},
		{[]string{"serve", "--log-format", "xml"}, `--format "xml": use text or json`},
		{[]string{"verify", "--nope"}, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		_, stderr, code := te.run(tt.args...)
		if code != exitUsage || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("docracy %s: exit %d, stderr %q; want exit 2 and %q", strings.Join(tt.args, " "), code, stderr, tt.stderr)
		}
	}
}

func TestListings(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "5", "--category", "code", "--note", "tabs\tand\nnewlines")
	te.must("credit", "--member", "github:bob", "--points", "2", "--category", "doc")
	te.must("credit", "--member", "github:alice", "--points", "1", "--category", "review")

	board := te.must("leaderboard")
	want := "RANK  MEMBER  NAME   POINTS  REPUTATION\n" +
		"1     1       alice  6       6.0\n" +
		"2     2       bob    2       2.0\n"
	if diff := cmp.Diff(want, board); diff != "" {
		t.Errorf("leaderboard (-want +got):\n%s", diff)
	}
	if got := te.must("leaderboard", "--category", "security"); got != "no points in this window yet\n" {
		t.Errorf("empty leaderboard = %q", got)
	}

	rep := te.must("rep", "github:alice")
	want = "alice (member 1, github:alice)\n" +
		"rank 1, reputation 6.0, 6 points\n\n" +
		"CATEGORY  POINTS  REPUTATION\n" +
		"code      5       5.0\n" +
		"review    1       1.0\n"
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("rep (-want +got):\n%s", diff)
	}

	history := te.must("history", "--member", "1", "--limit", "5")
	rows := regexp.MustCompile(`(?m)^(\d+) +\S+ \S+ +credit +(\w+) +(\d+) +(.*)$`).FindAllStringSubmatch(history, -1)
	var got [][]string
	for _, r := range rows {
		got = append(got, r[1:])
	}
	wantRows := [][]string{{"3", "review", "1", ""}, {"1", "code", "5", "tabs and newlines"}}
	if diff := cmp.Diff(wantRows, got); diff != "" {
		t.Errorf("history rows (-want +got):\n%s\n%s", diff, history)
	}

	var h struct {
		Member  struct{ ID int64 }
		Entries []struct {
			Seq   int64
			Actor string
		}
	}
	if err := json.Unmarshal([]byte(te.must("history", "--member", "github:alice", "--format", "json")), &h); err != nil {
		t.Fatal(err)
	}
	if h.Member.ID != 1 || len(h.Entries) != 2 || h.Entries[0].Actor != "cli:carol" {
		t.Errorf("history json = %+v, want member 1, 2 entries by cli:carol", h)
	}
}

func TestRevokeCommand(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "5", "--category", "code")
	if got := te.must("revoke", "--entry", "1", "--reason", "duplicate"); got != "2\n" {
		t.Errorf("revoke printed %q, want \"2\\n\"", got)
	}
	stdout, stderr, code := te.run("revoke", "--entry", "e1", "--reason", "again", "--db", te.db)
	if code != exitOK || stdout != "2\n" || !strings.Contains(stderr, "already revoked by seq 2") {
		t.Errorf("second revoke: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	_, stderr, code = te.run("revoke", "--entry", "2", "--reason", "x", "--db", te.db)
	if code != exitUsage || !strings.Contains(stderr, "--entry 2 is a revoke entry: only credit and praise entries can be revoked") {
		t.Errorf("revoking a revoke: exit %d, stderr %q", code, stderr)
	}
}

func TestExportCSV(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "5", "--category", "code", "--note", `say "hi", then leave`)
	var line map[string]any
	if err := json.Unmarshal([]byte(te.must("export")), &line); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(strings.NewReader(te.must("export", "--format", "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 2 {
		t.Fatalf("csv has %d records, want a header and 1 entry", len(records))
	}
	// The CSV carries the same fields, under the same names, as the JSON line.
	row := map[string]string{}
	for i, name := range records[0] {
		row[name] = records[1][i]
	}
	want := map[string]string{}
	for k, v := range line {
		want[k] = strings.TrimSuffix(strings.TrimPrefix(mustJSON(t, v), `"`), `"`)
	}
	want["note"] = `say "hi", then leave`
	if diff := cmp.Diff(want, row); diff != "" {
		t.Errorf("csv row (-json +csv):\n%s", diff)
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBackup(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "5", "--category", "code")
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	te.must("backup", copyPath)
	if got, want := te.must("verify"), mustVerify(t, te, copyPath); got != want {
		t.Errorf("backup verifies as %q, the ledger as %q", want, got)
	}
	if _, stderr, code := te.run("backup", copyPath, "--db", te.db); code != exitFailure || !strings.Contains(stderr, "already exists") {
		t.Errorf("backup over a file: exit %d, stderr %q", code, stderr)
	}
}

func mustVerify(t *testing.T, te *testEnv, db string) string {
	stdout, stderr, code := te.run("verify", "--db", db)
	if code != exitOK {
		t.Fatalf("verify %s: %s", db, stderr)
	}
	return stdout
}

func TestConfigFile(t *testing.T) {
	te := newTestEnv(t)
	os.WriteFile("docracy.yaml", []byte("database: from-file.db\nscoring:\n  categories: [code, doc, security, art]\n"), 0o644)
	if _, stderr, code := te.run("credit", "--member", "1", "--points", "1", "--category", "art", "--db", te.db); code != exitFailure || !strings.Contains(stderr, "member 1 does not exist") {
		t.Errorf("credit with ./docracy.yaml: exit %d, stderr %q; want the art category accepted", code, stderr)
	}
	if _, err := os.Stat(te.db); err != nil {
		t.Errorf("--db did not override the file's database: %v", err)
	}
	os.WriteFile("bad.yaml", []byte("scoring:\n  half_life_days: -1\n"), 0o644)
	_, stderr, code := te.run("verify", "--config", "bad.yaml")
	if want := "config: scoring.half_life_days (line 2): must be >= 0"; code != exitFailure || !strings.Contains(stderr, want) {
		t.Errorf("bad config: exit %d, stderr %q; want %q", code, stderr, want)
	}
}

func TestIntegrations(t *testing.T) {
	off := func(name, variable string) integration { return integration{name, "off", variable + " not set"} }
	noRepos := integration{"github reconcile", "off", "github.repos is empty: nothing to read"}
	tests := []struct {
		name string
		edit func(c *config.Config)
		want []integration
	}{
		{"nothing set", func(c *config.Config) {}, []integration{
			off("github webhook", "GITHUB_WEBHOOK_SECRET"),
			noRepos,
			off("discord gateway", "DISCORD_TOKEN"),
			off("discord interactions", "DISCORD_PUBLIC_KEY"),
			{"digest", "on", "posting to the log: set DISCORD_TOKEN and discord.digest_channel_id, or DISCORD_WEBHOOK_URL, to post to Discord"},
		}},
		{"every secret", func(c *config.Config) {
			c.GitHub.WebhookSecret, c.Discord.Token, c.Discord.PublicKey = "s", "t", "k"
		}, []integration{
			{"github webhook", "on", "GITHUB_WEBHOOK_SECRET is set"},
			noRepos,
			{"discord gateway", "on", "DISCORD_TOKEN is set"},
			{"discord interactions", "on", "DISCORD_PUBLIC_KEY is set"},
			{"digest", "on", "posting to the log: set DISCORD_TOKEN and discord.digest_channel_id, or DISCORD_WEBHOOK_URL, to post to Discord"},
		}},
		{"bot token and channel", func(c *config.Config) { c.Discord.Token, c.Discord.DigestChannelID = "t", "42" }, []integration{
			off("github webhook", "GITHUB_WEBHOOK_SECRET"),
			noRepos,
			{"discord gateway", "on", "DISCORD_TOKEN is set"},
			off("discord interactions", "DISCORD_PUBLIC_KEY"),
			{"digest", "on", "posting to channel 42 as the bot"},
		}},
		{"webhook", func(c *config.Config) { c.Discord.WebhookURL = "https://discord.com/api/webhooks/1/x" }, []integration{
			off("github webhook", "GITHUB_WEBHOOK_SECRET"),
			noRepos,
			off("discord gateway", "DISCORD_TOKEN"),
			off("discord interactions", "DISCORD_PUBLIC_KEY"),
			{"digest", "on", "posting through DISCORD_WEBHOOK_URL"},
		}},
		{"repositories", func(c *config.Config) { c.GitHub.Repos = []string{"o/a", "o/b"} }, []integration{
			off("github webhook", "GITHUB_WEBHOOK_SECRET"),
			{"github reconcile", "on", `2 repositories at start-up and on "@hourly"`},
			off("discord gateway", "DISCORD_TOKEN"),
			off("discord interactions", "DISCORD_PUBLIC_KEY"),
			{"digest", "on", "posting to the log: set DISCORD_TOKEN and discord.digest_channel_id, or DISCORD_WEBHOOK_URL, to post to Discord"},
		}},
		{"webhook, no schedule", func(c *config.Config) { c.Discord.WebhookURL = "https://x"; c.Digest.Schedule = config.Schedule{} }, []integration{
			off("github webhook", "GITHUB_WEBHOOK_SECRET"),
			noRepos,
			off("discord gateway", "DISCORD_TOKEN"),
			off("discord interactions", "DISCORD_PUBLIC_KEY"),
			{"digest", "off", "digest.schedule is empty"},
		}},
	}
	for _, tt := range tests {
		c := config.Default()
		tt.edit(c)
		if diff := cmp.Diff(tt.want, integrations(c)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestServeStops checks that serve returns cleanly when its context ends,
// and that its log names the variables of the secrets, never their values.
func TestServeStops(t *testing.T) {
	te := newTestEnv(t)
	te.env["GITHUB_WEBHOOK_SECRET"] = "hunter2-webhook"
	te.env["DISCORD_TOKEN"] = "hunter2-token"
	var log testkit.LockedBuffer
	e := &env{stdout: &bytes.Buffer{}, stderr: &log, getenv: func(k string) (string, bool) {
		v, ok := te.env[k]
		return v, ok
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, e, []string{"serve", "--db", te.db, "--listen", "127.0.0.1:0", "--log-format", "json"})
	}()

	var addr string
	for deadline := time.Now().Add(10 * time.Second); addr == "" && time.Now().Before(deadline); {
		if m := regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`).FindStringSubmatch(log.String()); m != nil {
			addr = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if addr == "" {
		t.Fatalf("no address logged:\n%s", log.String())
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("readyz: %s", resp.Status)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d:\n%s", code, log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if strings.Contains(log.String(), "hunter2") {
		t.Errorf("the log shows a secret:\n%s", log.String())
	}
	if !strings.Contains(log.String(), `"reason":"GITHUB_WEBHOOK_SECRET is set"`) {
		t.Errorf("the log does not say why the GitHub webhook is unavailable:\n%s", log.String())
	}
}

func TestVerifyTampered(t *testing.T) {
	te := newTestEnv(t)
	for range 3 {
		te.must("credit", "--member", "github:alice", "--points", "1", "--category", "code")
	}
	db, err := sql.Open("sqlite", te.db)
	if err != nil {
		t.Fatal(err)
	}
	// Someone with the file drops the guard and edits an entry in place.
	_, err = db.Exec("DROP TRIGGER entries_append_only_update; UPDATE entries SET points = 50 WHERE seq = 2")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := te.run("verify", "--db", te.db)
	want := "docracy verify: chain broken at seq 2: content does not match its hash: the entry was edited\n"
	if code != exitFailure || stdout != "" || stderr != want {
		t.Errorf("verify: exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout, stderr, want)
	}
}
