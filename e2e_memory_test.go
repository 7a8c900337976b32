package main_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// BenchmarkServeStartupMemory measures what serve's start-up check of the
// 1,000,000-entry ledger costs in memory, as the system sees it: the
// resident set of the real process, read from /proc every few
// milliseconds from its start until a second after the check, against a
// server idle on an empty ledger started in the same run. It fails when
// the check holds more than 64 MB above idle.
func BenchmarkServeStartupMemory(b *testing.B) {
	if testkit.ResidentBytes(os.Getpid()) == 0 {
		b.Skip("no /proc to read a resident set from")
	}
	fixture := ledgertest.Path(b, ledgertest.Large)
	var peak, held int64
	for range b.N {
		idle := serveRSS(b, b.TempDir()).after
		dir := b.TempDir()
		backupTo(b, fixture, filepath.Join(dir, "docracy.db"))
		m := serveRSS(b, dir)
		peak, held = max(peak, m.peak-idle), max(held, m.after-idle)
	}
	b.ReportMetric(float64(peak)/(1<<20), "MB-peak-above-idle")
	b.ReportMetric(float64(held)/(1<<20), "MB-held-after-check")
	if peak > 64<<20 {
		b.Errorf("the start-up check held %d MB above idle, more than 64", peak>>20)
	}
}

// rssRun is what one serve held: its peak resident set until a second
// after its start-up check, and what it held then.
type rssRun struct{ peak, after int64 }

// serveRSS runs serve on dir's ledger until its start-up check has been
// logged, sampling its resident set all along.
func serveRSS(b *testing.B, dir string) rssRun {
	b.Helper()
	srv := startServe(b, dir)
	var peak atomic.Int64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			peak.Store(max(peak.Load(), testkit.ResidentBytes(srv.cmd.Process.Pid)))
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(srv.logs.String(), `msg="ledger verified"`) {
		if time.Now().After(deadline) {
			b.Fatalf("serve never logged its start-up check:\n%s", srv.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Second)
	close(stop)
	<-sampled
	run := rssRun{peak: peak.Load(), after: testkit.ResidentBytes(srv.cmd.Process.Pid)}
	srv.stop(b)
	return run
}

// backupTo copies the ledger at from to a new file to, as docracy backup
// does.
func backupTo(b *testing.B, from, to string) {
	b.Helper()
	ctx := context.Background()
	l, err := ledger.Open(ctx, from, ledger.Options{HalfLife: ledgertest.HalfLife})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := l.Backup(ctx, to); err != nil {
		b.Fatal(err)
	}
}
