package main_test

// Hostile clients seen from outside, against the built binary: what an
// unauthenticated sender can make the server hold.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// floodBody is how much each hostile client claims to send: just under
// GitHub's 25 MiB cap, so that only the signature can refuse it.
const floodBody = 24 << 20

// zeros streams n bytes without holding them: the test must not need the
// memory it accuses the server of taking.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

func TestUnsignedFloodKeepsMemoryBoundedAndSignedDeliveryCredited(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	const secret = "e2e-flood-secret"
	// A Discord public key mounts the interactions, whose bodies share the budget.
	env := []string{"GITHUB_WEBHOOK_SECRET=" + secret, "DISCORD_PUBLIC_KEY=" + strings.Repeat("ab", 32)}
	srv := startServeEnv(t, dir, env, "--db", db)
	if !strings.Contains(srv.logs.String(), `name="discord interactions" status=on`) {
		t.Fatalf("the interactions are not mounted:\n%s", srv.logs)
	}

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	statuses := &statusCount{counts: map[string]int{}}
	for i := range 40 {
		wg.Go(func() { flood(ctx, srv.url+"/github/webhook", i, statuses) })
	}
	for i := range 8 {
		wg.Go(func() { flood(ctx, srv.url+"/discord/interactions", 40+i, statuses) })
	}
	time.Sleep(500 * time.Millisecond) // the flood is under way

	merged, err := os.ReadFile("testdata/github/webhooks/pull_request.closed.merged.json")
	if err != nil {
		t.Fatal(err)
	}
	resp, body := fetch(t, "POST", srv.url+"/github/webhook", http.Header{
		"Content-Type": {"application/json"}, "X-Github-Event": {"pull_request"},
		"X-Github-Delivery": {"legit-1"}, "X-Hub-Signature-256": {sign(secret, merged)},
	}, bytes.NewReader(merged))
	time.Sleep(2 * time.Second) // the flood goes on after it
	stop()
	wg.Wait()

	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"outcome":"credited"`) {
		t.Errorf("the signed delivery sent during the flood: %d %s, want 200 credited", resp.StatusCode, body)
	}
	peak := peakRSS(t, srv.cmd.Process.Pid)
	t.Logf("peak RSS (VmHWM) %d MiB; flood answers %v", peak>>20, statuses.snapshot())
	if peak > 300<<20 {
		t.Errorf("peak RSS %d MiB under 40+8 unsigned %d MiB clients, want under 300 MiB", peak>>20, floodBody>>20)
	}
	var page entriesPage
	getJSON(t, srv.url+"/api/v1/entries", &page)
	if len(page.Entries) != 1 || page.Entries[0].SourceRef != mergedRef {
		t.Errorf("/api/v1/entries = %+v, want the signed delivery's credit once", page.Entries)
	}
	srv.stop(t)
}

// flood sends unsigned bodies of floodBody bytes, one after the other,
// until ctx ends; it sends at least one.
func flood(ctx context.Context, url string, client int, statuses *statusCount) {
	for n := 0; n == 0 || ctx.Err() == nil; n++ {
		req, err := http.NewRequest(http.MethodPost, url, &zeros{n: floodBody})
		if err != nil {
			panic(err)
		}
		req.ContentLength = floodBody
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("flood-%d-%d", client, n))
		req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			statuses.add("error") // the server may hang up on a body it refused unread
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses.add(strconv.Itoa(resp.StatusCode))
	}
}

// statusCount tallies the flood's answers, for the log.
type statusCount struct {
	mu     sync.Mutex
	counts map[string]int
}

func (s *statusCount) add(status string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[status]++
}

func (s *statusCount) snapshot() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprint(s.counts)
}

// peakRSS is the process's high-water mark of resident memory, in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc to read the peak RSS from: %v", err)
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("/proc/<pid>/status has no VmHWM")
	return 0
}
