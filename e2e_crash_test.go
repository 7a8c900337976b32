package main_test

// Crashes seen from outside: the built binary killed with SIGKILL while it
// creates its database, and while it takes webhooks, then started again.

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
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
