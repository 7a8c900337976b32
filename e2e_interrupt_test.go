package main_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Ctrl-C stops a backfill that waits on GitHub: the command returns, says
// why and exits 1, rather than dying by the signal mid-write, and the
// ledger still verifies.
func TestBackfillStopsOnInterrupt(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	asked := make(chan struct{}, 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked <- struct{}{}
		select { // a GitHub that never answers
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
	}))
	t.Cleanup(api.Close)
	config := "github:\n  api_url: " + api.URL + "/api/v3/\n  repos: [docracy/coop]\n  reconcile: \"\"\n"
	if err := os.WriteFile(filepath.Join(dir, "coop.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := command(dir, "github", "backfill", "--repo", "docracy/coop", "--config", "coop.yaml", "--db", db)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	<-asked
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	waitExit(t, cmd.Wait)
	if !cmd.ProcessState.Exited() || cmd.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("backfill after Ctrl-C: %v, stderr %q; want exit 1 saying it was canceled", cmd.ProcessState, stderr.String())
	}
	mustRun(t, dir, "verify", "--db", db)
}

// waitExit waits for a process to end, failing the test after 10 s.
func waitExit(t *testing.T, wait func() error) {
	t.Helper()
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the command did not stop within 10 s of Ctrl-C")
	}
}
