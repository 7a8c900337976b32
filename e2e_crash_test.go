package main_test

// Crashes seen from outside: the built binary killed with SIGKILL while it
// creates its database, and while it takes webhooks, then started again.

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/pgtest"
)

var firstStartKills = flag.Int("crash.kills", 40, "first starts to kill in TestFirstStartCrashLeavesAnOpenableLedger")

// creditArgs is the cheapest command that creates and migrates a ledger.
func creditArgs(db string) []string {
	return []string{"credit", "--db", db, "--member", "github:alice", "--points", "1", "--category", "code", "--ref", "first"}
}

// TestFirstStartCrashLeavesAnOpenableLedger kills the very first start at
// random instants, from before the file exists to after the migrations,
// and requires that the next start opens the database, migrates it and
// keeps a chain that verifies.
func TestFirstStartCrashLeavesAnOpenableLedger(t *testing.T) {
	dir := t.TempDir()
	whole, creating := firstStartSpan(t, dir)
	t.Logf("a first start takes %v, %v of it once the file exists", whole, creating)
	kills := make(chan int)
	var mu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range kills {
				if msg := killFirstStart(t, dir, i, whole, creating); msg != "" {
					mu.Lock()
					failed = append(failed, msg)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range *firstStartKills {
		kills <- i
	}
	close(kills)
	wg.Wait()
	t.Logf("first starts killed: %d, databases that failed to open afterwards: %d", *firstStartKills, len(failed))
	for _, msg := range failed[:min(len(failed), 5)] {
		t.Error(msg)
	}
}

// firstStartSpan measures a first start here: how long it takes from the
// exec, and from the moment the database file appears, to its exit.
func firstStartSpan(t *testing.T, dir string) (whole, creating time.Duration) {
	t.Helper()
	db := filepath.Join(dir, "calibrate.db")
	cmd := command(dir, creditArgs(db)...)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	created := waitForFile(db, exited)
	<-exited
	if !cmd.ProcessState.Success() {
		t.Fatalf("first start: %v", cmd.ProcessState)
	}
	return time.Since(start), time.Since(created)
}

// waitForFile polls until path exists or the process exits, and says when.
func waitForFile(path string, exited <-chan struct{}) time.Time {
	for {
		select {
		case <-exited:
			return time.Now()
		default:
		}
		if _, err := os.Lstat(path); err == nil {
			return time.Now()
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// killFirstStart kills one first start and starts again on the same path;
// it describes what went wrong, or returns "". Half the kills fall anywhere
// from the exec on; the other half while the file is being created and
// migrated, the few milliseconds that a uniform draw rarely hits.
func killFirstStart(t *testing.T, dir string, i int, whole, creating time.Duration) string {
	db := filepath.Join(dir, fmt.Sprintf("kill-%04d.db", i))
	cmd := command(dir, creditArgs(db)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if i%2 == 0 {
		time.Sleep(rand.N(whole + whole/4))
	} else {
		waitForFile(db, exited)
		time.Sleep(rand.N(creating + creating/4))
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	if _, stderr, code := docracy(t, dir, creditArgs(db)...); code != 0 {
		return fmt.Sprintf("kill %d: the next start failed: %s(left behind:%s)", i, stderr, files(db))
	}
	if out, stderr, code := docracy(t, dir, "verify", "--db", db); code != 0 || !strings.HasPrefix(out, "ok 1 ") {
		return fmt.Sprintf("kill %d: verify after the next start: %s%s", i, out, stderr)
	}
	return ""
}

// files lists what the crash left next to the database.
func files(db string) string {
	matches, _ := filepath.Glob(db + "*")
	var b strings.Builder
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil {
			fmt.Fprintf(&b, " %s (%d bytes)", filepath.Base(m), fi.Size())
		}
	}
	return b.String()
}

var loadCycles = flag.Int("crash.cycles", 5, "kill -9 cycles in TestKillUnderLoadLosesAndDuplicatesNothing")

// loadRun is the webhook traffic of one test: deliveries numbered from 1,
// and those the server acknowledged with a 2xx.
type loadRun struct {
	body  []byte // a signed merged pull request, "number": 2 to replace
	next  atomic.Int64
	mu    sync.Mutex
	acked map[int64]int // pull request number -> 2xx answers
}

// TestKillUnderLoadLosesAndDuplicatesNothing kills serve with SIGKILL at
// random instants while several clients send signed merged pull requests,
// some of them redelivered, and restarts it on the same database. Every
// delivery acknowledged with a 2xx must be in the ledger exactly once, no
// credit may be doubled, and the chain must verify.
func TestKillUnderLoadLosesAndDuplicatesNothing(t *testing.T) {
	dir := t.TempDir()
	killUnderLoad(t, dir, filepath.Join(dir, "ledger.db"))
}

// TestKillUnderLoadLosesAndDuplicatesNothingPostgres is the same on a
// PostgreSQL ledger, whose group commits send their statements as
// pipelines: a kill may cut one at any statement.
func TestKillUnderLoadLosesAndDuplicatesNothingPostgres(t *testing.T) {
	killUnderLoad(t, t.TempDir(), pgtest.DSN(t))
}

func killUnderLoad(t *testing.T, dir, db string) {
	const secret = "e2e-crash-secret"
	merged, err := os.ReadFile("testdata/github/webhooks/pull_request.closed.merged.json")
	if err != nil {
		t.Fatal(err)
	}
	run := &loadRun{body: merged, acked: map[int64]int{}}
	for cycle := range *loadCycles {
		srv := startServeEnv(t, dir, []string{"GITHUB_WEBHOOK_SECRET=" + secret}, "--db", db)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() { defer wg.Done(); run.client(srv.url, secret) }()
		}
		time.Sleep(100*time.Millisecond + rand.N(600*time.Millisecond))
		kill(srv)
		wg.Wait()
		t.Logf("after kill %d: %d pull requests numbered, %d acknowledged", cycle+1, run.next.Load(), len(run.acked))
	}
	if len(run.acked) == 0 {
		t.Fatal("no delivery was acknowledged: the kills tested nothing")
	}
	checkCreditedOnce(t, dir, db, run.acked)
}

// client sends deliveries until the server stops answering. One in four is
// a redelivery, under the same delivery id, of one sent before.
func (r *loadRun) client(url, secret string) {
	for {
		n := r.next.Add(1)
		if prev := r.next.Load() - 1; n%4 == 0 && prev > 0 {
			n = 1 + rand.Int64N(prev)
		}
		body := bytes.ReplaceAll(r.body, []byte(`"number": 2,`), []byte(fmt.Sprintf(`"number": %d,`, n)))
		req, err := http.NewRequest("POST", url+"/github/webhook", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header = http.Header{"Content-Type": {"application/json"}, "X-Github-Event": {"pull_request"},
			"X-Github-Delivery": {fmt.Sprintf("load-%d", n)}, "X-Hub-Signature-256": {sign(secret, body)}}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // killed
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			r.mu.Lock()
			r.acked[n]++
			r.mu.Unlock()
		}
	}
}

// checkCreditedOnce reads the ledger back with export and verify.
func checkCreditedOnce(t *testing.T, dir, db string, acked map[int64]int) {
	t.Helper()
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(mustRun(t, dir, "export", "--db", db, "--format", "jsonl")), "\n") {
		var e struct {
			SourceRef string `json:"source_ref"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		seen[e.SourceRef]++
	}
	for ref, count := range seen {
		if count != 1 {
			t.Errorf("%s is in the ledger %d times", ref, count)
		}
	}
	for n := range acked {
		if ref := fmt.Sprintf("github:github.com:pr:186853002:%d:author:21031067", n); seen[ref] != 1 {
			t.Errorf("delivery %d was acknowledged but its credit %s is in the ledger %d times", n, ref, seen[ref])
		}
	}
	if out := mustRun(t, dir, "verify", "--db", db); !strings.HasPrefix(out, fmt.Sprintf("ok %d ", len(seen))) {
		t.Errorf("verify printed %q, want ok %d", out, len(seen))
	}
}
