package web_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/web"
)

// fakeVerifier answers VerifyAll with a fixed outcome, taking a second of
// the test's clock.
type fakeVerifier struct {
	head    ledger.Head
	entries int64
	err     error
	clock   *time.Time
}

func (f fakeVerifier) VerifyAll(ctx context.Context, _ func(int64)) (ledger.Head, int64, error) {
	*f.clock = f.clock.Add(time.Second)
	if err := ctx.Err(); err != nil {
		return ledger.Head{}, 0, err
	}
	return f.head, f.entries, f.err
}

func TestChecker(t *testing.T) {
	head := ledger.Head{Seq: 7, Hash: strings.Repeat("ab", 32)}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		ctx      context.Context
		verifier fakeVerifier
		want     web.Verification
		recorded bool
	}{
		{"intact", context.Background(), fakeVerifier{head: head, entries: 7},
			web.Verification{OK: true, Head: head, Entries: 7, At: now.Add(time.Second), Took: time.Second}, true},
		{"broken", context.Background(), fakeVerifier{head: ledger.Head{Seq: 2, Hash: "x"}, entries: 2,
			err: &ledger.ChainError{Seq: 3, Reason: "content does not match its hash: the entry was edited"}},
			web.Verification{Head: ledger.Head{Seq: 2, Hash: "x"}, Entries: 2, At: now.Add(time.Second), Took: time.Second,
				Problem: "chain broken at seq 3: content does not match its hash: the entry was edited"}, true},
		{"unreadable", context.Background(), fakeVerifier{err: errors.New("disk I/O error at /srv/secret")},
			web.Verification{At: now.Add(time.Second), Took: time.Second, Problem: "the ledger could not be read to the end"}, true},
		{"canceled", canceled, fakeVerifier{}, web.Verification{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := now
			tt.verifier.clock = &clock
			c := &web.Checker{Ledger: tt.verifier, Now: func() time.Time { return clock }, Logger: slog.New(slog.DiscardHandler)}
			released := 0
			c.Release = func() { released++ }
			if _, ok := c.Last(); ok {
				t.Fatal("Last before any check reports one")
			}
			got, recorded := c.Check(tt.ctx)
			if released != 1 {
				t.Errorf("the check released its memory %d times, want once", released)
			}
			if recorded != tt.recorded {
				t.Errorf("recorded = %v, want %v", recorded, tt.recorded)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			last, ok := c.Last()
			if ok != tt.recorded || (ok && !cmp.Equal(last, got)) {
				t.Errorf("Last = %+v, %v; want %+v, %v", last, ok, got, tt.recorded)
			}
		})
	}
}

// TestCheckerRun checks that Run verifies at once and stops with its
// context.
func TestCheckerRun(t *testing.T) {
	clock := now
	c := &web.Checker{Ledger: fakeVerifier{entries: 1, clock: &clock}, Now: time.Now, Logger: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		c.Run(ctx, time.Hour)
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := c.Last(); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not verify at start")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
}

// TestVerificationMark checks what the home page says of the chain before,
// after a good and after a failed verification.
func TestVerificationMark(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	head, err := f.ledger.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, body := f.get(t, "GET", "/"); !strings.Contains(section(t, body, "verification"), "Not verified yet") {
		t.Errorf("before any check:\n%s", section(t, body, "verification"))
	}
	if v, _ := f.checker.Check(ctx); !v.OK || v.Head != head {
		t.Fatalf("the fixture's chain does not verify: %+v", v)
	}
	f.credit(t, "github:alice", 1, "code", 0, "", "")
	_, body := f.get(t, "GET", "/")
	want := `<span class="badge ok"><span aria-hidden="true">✓</span> Verified</span>
			entries 1 to ` + itoa(head.Seq) + ` match their hashes and every table derived from them agrees (head <code>` + head.Hash[:12] + `</code>), checked <time datetime="2026-03-01T12:00:00Z">1 Mar 2026 12:00 UTC</time>; 1 entry appended since.`
	if got := section(t, body, "verification"); !strings.Contains(got, want) {
		t.Errorf("after a good check:\n%s\nwant\n%s", got, want)
	}

	// A derived table edited behind the ledger's back breaks the mark too:
	// the leaderboard reads it.
	db, err := sql.Open("sqlite", f.ledger.Path())
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec("UPDATE totals SET points = 99 WHERE member_id = 2 AND category = 'doc'")
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	f.checker.Check(ctx)
	_, body = f.get(t, "GET", "/")
	want = `<span class="badge bad"><span aria-hidden="true">✗</span> Broken</span>
			derived table totals: member 2 category doc: table says 99 points, chain says 20 (checked`
	if got := section(t, body, "verification"); !strings.Contains(got, want) {
		t.Errorf("after a derived table was edited:\n%s\nwant\n%s", got, want)
	}

	f.checker.Ledger = fakeVerifier{clock: new(time.Time), err: &ledger.ChainError{Seq: 3, Reason: "an entry was deleted"}}
	f.checker.Check(ctx)
	_, body = f.get(t, "GET", "/")
	want = `<span class="badge bad"><span aria-hidden="true">✗</span> Broken</span>
			chain broken at seq 3: an entry was deleted (checked`
	if got := section(t, body, "verification"); !strings.Contains(got, want) {
		t.Errorf("after a failed check:\n%s\nwant\n%s", got, want)
	}
}
