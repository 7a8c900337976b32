package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestGroupCommit holds the writer's lock while writes queue up, then lets
// go: one transaction commits them all, a failing write is undone alone,
// and the chain stays whole.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	l := openAt(t, testNow())
	write := func(n int, failing bool) GitHubWrite {
		prefix := fmt.Sprintf("github:github.com:pr:1:%d:", n)
		credits := []AccountCredit{githubCredit(prefix, 100+n%3, "code")}
		if failing {
			// Its first credit is appended, then its second refused.
			credits = append(credits, githubCredit(prefix, 200, ""))
		}
		return GitHubWrite{
			Contributions: []Contribution{{Prefix: prefix, Credits: credits}},
			Delivery:      &Delivery{ID: fmt.Sprintf("d-%d", n), Event: "pull_request"},
		}
	}

	const writers = 10
	l.mu.Lock()
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() { _, errs[i] = l.WriteGitHub(ctx, write(i, i == 4)) })
	}
	for deadline := time.Now().Add(10 * time.Second); queued(l) < writers; {
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued, want %d", queued(l), writers)
		}
		time.Sleep(time.Millisecond)
	}
	l.mu.Unlock() // the first writer to take it commits all ten
	wg.Wait()

	for i, err := range errs {
		if (err != nil) != (i == 4) {
			t.Errorf("write %d: %v", i, err)
		}
	}
	head, err := l.Head(ctx)
	if err != nil || head.Seq != writers-1 {
		t.Fatalf("head %d, %v; want %d entries", head.Seq, err, writers-1)
	}
	if _, err := l.Delivery(ctx, "d-4"); err == nil {
		t.Error("the failed write's delivery was recorded")
	}
	if _, err := l.MemberByAccount(ctx, PlatformGitHub, "200"); err == nil {
		t.Error("the failed write's member was kept")
	}
	var deliveries int
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM github_deliveries").Scan(&deliveries); err != nil || deliveries != writers-1 {
		t.Errorf("%d deliveries, %v; want %d", deliveries, err, writers-1)
	}
	if _, _, err := l.Verify(ctx); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// TestWritesParseAStatementOnce writes the same kind of GitHub credit
// twice: the first transaction parses its statements and hands them to
// the ledger's cache, the second parses none, and both are chained.
func TestWritesParseAStatementOnce(t *testing.T) {
	ctx := context.Background()
	l := openAt(t, testNow())
	var parsed [][]string
	for n := range 2 {
		prefix := fmt.Sprintf("github:github.com:pr:1:%d:", n)
		err := l.write(ctx, func(w *writer) error {
			defer func() { parsed = append(parsed, w.parsed) }()
			_, err := w.writeGitHub(ctx, GitHubWrite{
				Contributions: []Contribution{{Prefix: prefix, Credits: []AccountCredit{githubCredit(prefix, 100+n, "code")}}},
				Delivery:      &Delivery{ID: fmt.Sprintf("d-%d", n), Event: "pull_request"},
			})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(parsed[0]) < 5 {
		t.Errorf("the first write parsed %d statements: %q; it reads and writes more", len(parsed[0]), parsed[0])
	}
	if len(parsed[1]) != 0 {
		t.Errorf("the second write parsed %q again", parsed[1])
	}
	if head, _, err := l.Verify(ctx); err != nil || head.Seq != 2 {
		t.Fatalf("verified head %d, %v; want 2 credits", head.Seq, err)
	}
}

// testNow is the clock of the tests' ledgers, and when githubCredit's
// contributions happen.
func testNow() time.Time { return time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) }

// openAt opens a new SQLite ledger whose clock stands at now.
func openAt(t testing.TB, now time.Time) *Ledger {
	t.Helper()
	l, err := Open(context.Background(), filepath.Join(t.TempDir(), "docracy.db"), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// githubCredit credits GitHub user number user, under prefix, at testNow.
func githubCredit(prefix string, user int, category string) AccountCredit {
	return AccountCredit{
		Account: Account{Platform: PlatformGitHub, ExternalID: fmt.Sprint(user), Login: fmt.Sprintf("user%d", user)},
		Entry: NewEntry{Kind: KindCredit, Category: category, Points: 5, OccurredAt: testNow(),
			Source: SourceGitHub, SourceRef: prefix + "author:" + fmt.Sprint(user), Actor: "github:test"},
	}
}

func queued(l *Ledger) int {
	l.github.mu.Lock()
	defer l.github.mu.Unlock()
	return len(l.github.pending)
}
