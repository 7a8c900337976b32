package main_test

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/internal/testkit"
)

// binary is the docracy command built once for every test of this file.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "docracy-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "docracy")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build docracy:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// command prepares docracy to run in dir with a clean environment: no
// secrets and no configuration file but those a test puts there.
func command(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "USER=e2e"}
	return cmd
}

// docracy runs a command to completion.
func docracy(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := command(dir, args...)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("docracy %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// mustRun runs a command that must succeed and returns its stdout.
func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	stdout, stderr, code := docracy(t, dir, args...)
	if code != 0 {
		t.Fatalf("docracy %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

func TestEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")

	// The same --ref twice: the same seq, one entry.
	credit := []string{"credit", "--db", db, "--member", "github:alice", "--points", "5", "--category", "code", "--ref", "pr-1"}
	if got := mustRun(t, dir, credit...); got != "1\n" {
		t.Errorf("first credit printed %q, want \"1\\n\"", got)
	}
	stdout, stderr, code := docracy(t, dir, credit...)
	if code != 0 || stdout != "1\n" || !strings.Contains(stderr, "nothing added") {
		t.Errorf("repeated credit: exit %d, stdout %q, stderr %q; want 0, \"1\\n\", nothing added", code, stdout, stderr)
	}
	for i, c := range [][]string{
		{"--member", "discord:123456789012345678", "--points", "3", "--category", "doc", "--note", "wrote the <install> guide & FAQ"},
		{"--member", "github:bob", "--points", "4", "--category", "code", "--url", "https://github.com/docracy/docracy/pull/2"},
		{"--member", "github:alice", "--points", "2", "--category", "review", "--at", time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)},
	} {
		if got, want := mustRun(t, dir, append([]string{"credit", "--db", db}, c...)...), fmt.Sprintf("%d\n", i+2); got != want {
			t.Errorf("credit %v printed %q, want %q", c, got, want)
		}
	}

	head := checkExport(t, mustRun(t, dir, "export", "--db", db, "--format", "jsonl"), 4)
	verify := mustRun(t, dir, "verify", "--db", db)
	if want := fmt.Sprintf("ok 4 %s\n", head); verify != want {
		t.Errorf("verify printed %q, want %q", verify, want)
	}

	rep := mustRun(t, dir, "rep", "github:alice", "--db", db)
	if !strings.Contains(rep, "rank 1,") || !strings.Contains(rep, "7 points") {
		t.Errorf("rep github:alice:\n%s\nwant rank 1 and 7 points", rep)
	}

	want := []standing{{1, 1, "alice", 7}, {2, 3, "bob", 4}, {3, 2, "discord:123456789012345678", 3}}
	var lb leaderboard
	if err := json.Unmarshal([]byte(mustRun(t, dir, "leaderboard", "--db", db, "--format", "json")), &lb); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, lb.Standings); diff != "" {
		t.Errorf("leaderboard (-want +got):\n%s", diff)
	}

	checkFailures(t, dir, db)
	checkServe(t, dir, db, head, want)
}

// checkExport parses the JSON lines, checks their order, recomputes the
// hash chain from the text alone as any member could, and returns the head.
func checkExport(t *testing.T, export string, entries int) string {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(export, "\n"), "\n")
	if len(lines) != entries {
		t.Fatalf("export has %d lines, want %d:\n%s", len(lines), entries, export)
	}
	prev := strings.Repeat("0", 64)
	for i, line := range lines {
		var e struct {
			Seq      int64  `json:"seq"`
			Hash     string `json:"hash"`
			PrevHash string `json:"prev_hash"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		if e.Seq != int64(i+1) || e.PrevHash != prev {
			t.Errorf("line %d: seq %d, prev_hash %s; want seq %d, prev_hash %s", i+1, e.Seq, e.PrevHash, i+1, prev)
		}
		// The line is canonical JSON: without its hash member, it is what was hashed.
		hashed := strings.Replace(line, `"hash":"`+e.Hash+`",`, "", 1)
		sum := sha256.Sum256([]byte(prev + hashed))
		if got := hex.EncodeToString(sum[:]); got != e.Hash {
			t.Errorf("line %d: sha256(prev_hash ‖ entry) = %s, want its hash %s", i+1, got, e.Hash)
		}
		prev = e.Hash
	}
	if !strings.Contains(export, `"note":"wrote the <install> guide & FAQ"`) {
		t.Errorf("export escaped the note:\n%s", export)
	}
	return prev
}

func checkFailures(t *testing.T, dir, db string) {
	t.Helper()
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"credit", "--db", db, "--member", "github:alice", "--points", "five", "--category", "code"}, 2, `invalid value "five" for flag -points`},
		{[]string{"credit", "--db", db, "--member", "github:alice", "--points", "5"}, 2, "--category is required"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"export", "--db", db, "--format", "xml"}, 2, `--format "xml": use jsonl or csv`},
		{[]string{"credit", "--db", db, "--member", "github:alice", "--points", "5", "--category", "foo"}, 2,
			`docracy credit: --category "foo" is not one of code, review, doc, design, translation, bug, security, infra, community, research, ops`},
		{[]string{"rep", "--db", db, "github:nobody"}, 1, "no member holds github:nobody yet"},
		{[]string{"verify", "--db", filepath.Join(dir, "typo.db")}, 1, "no ledger at"},
	}
	for _, tt := range tests {
		stdout, stderr, code := docracy(t, dir, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) || stdout != "" {
			t.Errorf("docracy %s: exit %d, stdout %q, stderr %q; want exit %d, stderr with %q",
				strings.Join(tt.args, " "), code, stdout, stderr, tt.code, tt.stderr)
		}
	}
	if head := mustRun(t, dir, "export", "--db", db); strings.Count(head, "\n") != 4 {
		t.Errorf("a refused command wrote to the ledger:\n%s", head)
	}
}

type standing struct {
	Rank   int    `json:"rank"`
	Member int64  `json:"member"`
	Name   string `json:"name"`
	Points int64  `json:"points"`
}

type leaderboard struct {
	Standings []standing `json:"standings"`
}

func checkServe(t *testing.T, dir, db, head string, want []standing) {
	t.Helper()
	srv := startServe(t, dir, "--db", db)
	t.Logf("serving at %s", srv.url)
	var got struct {
		Seq  int64  `json:"seq"`
		Hash string `json:"hash"`
	}
	getJSON(t, srv.url+"/api/v1/ledger/head", &got)
	if got.Seq != 4 || got.Hash != head {
		t.Errorf("/api/v1/ledger/head = %d %s, want 4 %s (what verify printed)", got.Seq, got.Hash, head)
	}
	var lb leaderboard
	getJSON(t, srv.url+"/api/v1/leaderboard", &lb)
	if diff := cmp.Diff(want, lb.Standings); diff != "" {
		t.Errorf("/api/v1/leaderboard (-want +got):\n%s", diff)
	}
	srv.stop(t)
}

// server is a running "docracy serve".
type server struct {
	cmd  *exec.Cmd
	url  string
	logs *testkit.LockedBuffer
	done chan struct{} // closed when stderr is drained
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServe starts the server on a port the kernel picks, reads the
// address from its log and waits until it is ready.
func startServe(t testing.TB, dir string, args ...string) *server {
	t.Helper()
	return startServeEnv(t, dir, nil, args...)
}

// startServeEnv is startServe with extra environment variables, such as
// the secrets that switch integrations on.
func startServeEnv(t testing.TB, dir string, env []string, args ...string) *server {
	t.Helper()
	cmd := command(dir, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	srv := &server{cmd: cmd, logs: &testkit.LockedBuffer{}, done: make(chan struct{})}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	addr := make(chan string, 1)
	go srv.readLog(stderr, addr)
	select {
	case a := <-addr:
		srv.url = "http://" + a
	case <-time.After(10 * time.Second):
		t.Fatalf("serve did not log its address:\n%s", srv.logs)
	}
	srv.waitReady(t)
	return srv
}

// fetch sends a request and returns the response with its body read.
func fetch(t *testing.T, method, url string, header http.Header, body io.Reader) (*http.Response, string) {
	t.Helper()
	resp, b := testkit.Do(t, http.DefaultClient, method, url, header, body)
	return resp, string(b)
}

// sign is GitHub's X-Hub-Signature-256 of a payload.
func sign(secret string, payload []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

func (s *server) readLog(r io.Reader, addr chan<- string) {
	defer close(s.done)
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		s.logs.WriteString(sc.Text() + "\n")
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			addr <- m[1]
		}
	}
}

func (s *server) waitReady(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s/readyz never answered 200:\n%s", s.url, s.logs)
}

// stop sends SIGTERM and expects a clean exit.
func (s *server) stop(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-s.done // Wait closes the pipe: read the log out first
	exited := make(chan error, 1)
	go func() { exited <- s.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v\n%s", err, s.logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop after SIGTERM:\n%s", s.logs)
	}
	if !strings.Contains(s.logs.String(), "msg=stopped") {
		t.Errorf("serve did not log a clean stop:\n%s", s.logs)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestInitConfig checks that the starter file init writes is one that serve
// and verify accept.
func TestInitConfig(t *testing.T) {
	dir := t.TempDir()
	if out := mustRun(t, dir, "init", "coop.yaml"); !strings.Contains(out, "wrote coop.yaml") {
		t.Errorf("init printed %q", out)
	}
	written, err := os.ReadFile(filepath.Join(dir, "coop.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("docracy.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != string(example) {
		t.Error("init did not write docracy.example.yaml as it is")
	}
	if _, stderr, code := docracy(t, dir, "init", "coop.yaml"); code != 1 || !strings.Contains(stderr, "coop.yaml already exists: pass --force to overwrite it") {
		t.Errorf("init over an existing file: exit %d, stderr %q", code, stderr)
	}
	mustRun(t, dir, "init", "--force", "--config", "coop.yaml")

	// The file's database, ./docracy.db, is created by serve in dir.
	srv := startServe(t, dir, "--config", "coop.yaml")
	srv.stop(t)
	if got, want := mustRun(t, dir, "verify", "--config", "coop.yaml"), "ok 0 "+strings.Repeat("0", 64)+"\n"; got != want {
		t.Errorf("verify printed %q, want %q", got, want)
	}
}
