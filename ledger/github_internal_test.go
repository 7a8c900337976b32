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
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l, err := Open(ctx, filepath.Join(t.TempDir(), "docracy.db"), Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	credit := func(prefix string, user int, category string) AccountCredit {
		return AccountCredit{
			Account: Account{Platform: PlatformGitHub, ExternalID: fmt.Sprint(user), Login: fmt.Sprintf("user%d", user)},
			Entry: NewEntry{Kind: KindCredit, Category: category, Points: 5, OccurredAt: at,
				Source: SourceGitHub, SourceRef: prefix + "author:" + fmt.Sprint(user), Actor: "github:test"},
		}
	}
	write := func(n int, failing bool) GitHubWrite {
		prefix := fmt.Sprintf("github:github.com:pr:1:%d:", n)
		credits := []AccountCredit{credit(prefix, 100+n%3, "code")}
		if failing {
			// Its first credit is appended, then its second refused.
			credits = append(credits, credit(prefix, 200, ""))
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

func queued(l *Ledger) int {
	l.github.mu.Lock()
	defer l.github.mu.Unlock()
	return len(l.github.pending)
}
