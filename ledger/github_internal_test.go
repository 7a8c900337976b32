package ledger

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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
	writes := make([]GitHubWrite, writers)
	for i := range writes {
		writes[i] = write(i, i == 4)
	}
	errs := commitTogether(t, l, writes)
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
	if _, _, err := l.VerifyAll(ctx, nil); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// commitTogether holds l's writer lock while writes queue up, then lets
// go: the first writer to take it commits them all in one transaction. It
// returns each write's error.
func commitTogether(t *testing.T, l *Ledger, writes []GitHubWrite) []error {
	t.Helper()
	l.mu.Lock()
	errs := make([]error, len(writes))
	var wg sync.WaitGroup
	for i, w := range writes {
		wg.Go(func() { _, errs[i] = l.WriteGitHub(context.Background(), w) })
	}
	for deadline := time.Now().Add(10 * time.Second); queued(l) < len(writes); {
		if time.Now().After(deadline) {
			l.mu.Unlock()
			t.Fatalf("%d writes queued, want %d", queued(l), len(writes))
		}
		time.Sleep(time.Millisecond)
	}
	l.mu.Unlock()
	wg.Wait()
	return errs
}

// Credits committed together count as they would one by one: a group
// commit writes their scores, totals and day sums once for the batch, and
// members credited several times, in several categories and on several
// days, end with the same points, reputations and windowed boards.
func TestGroupCommitCountsAsWritesOneByOne(t *testing.T) {
	ctx := context.Background()
	var writes []GitHubWrite
	for n := range 12 {
		prefix := fmt.Sprintf("github:github.com:pr:1:%d:", n)
		credits := []AccountCredit{githubCredit(prefix, 100+n%3, []string{"code", "review"}[n%2])}
		if n%5 == 0 { // a second credit in the same write
			credits = append(credits, githubCredit(prefix, 100+(n+1)%3, "code"))
		}
		for i := range credits {
			credits[i].Entry.Points = int64(n + 1)
			credits[i].Entry.OccurredAt = testNow().Add(-time.Duration(n%4) * 30 * time.Hour)
		}
		writes = append(writes, GitHubWrite{Contributions: []Contribution{{Prefix: prefix, Credits: credits}}})
	}
	together, apart := openAt(t, testNow()), openAt(t, testNow())
	for i, err := range commitTogether(t, together, writes) {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for i, w := range writes {
		if _, err := apart.WriteGitHub(ctx, w); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if got, want := standings(t, together), standings(t, apart); got != want {
		t.Errorf("committed together:\n%s\none by one:\n%s", got, want)
	}
	if _, _, err := together.VerifyAll(ctx, nil); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// standings prints each member's points and reputation on the all-time,
// 30-day and 7-day boards, and in each category, by name.
func standings(t *testing.T, l *Ledger) string {
	t.Helper()
	var lines []string
	for _, window := range []Window{WindowAll, Window30d, Window7d} {
		for _, category := range []string{"", "code", "review"} {
			board, err := l.Leaderboard(context.Background(), LeaderboardQuery{Window: window, Category: category, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range board {
				lines = append(lines, fmt.Sprintf("%s %s %s %d %.9f", window, category, s.Name, s.Points, s.Reputation))
			}
		}
	}
	slices.Sort(lines)
	if len(lines) < 9 {
		t.Fatalf("boards of %d rows: %q", len(lines), lines)
	}
	return strings.Join(lines, "\n")
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

// An entry held for a batch as new, whose source_ref is taken all the
// same, fails the batch when the held entries are inserted, rather than
// leaving a seq the chain skips.
func TestHeldEntryWhoseRefIsTakenFailsTheBatch(t *testing.T) {
	ctx := context.Background()
	l := openAt(t, testNow())
	credit := githubCredit("github:github.com:pr:1:1:", 100, "code")
	if _, err := l.WriteGitHub(ctx, GitHubWrite{Contributions: []Contribution{{Credits: []AccountCredit{credit}}}}); err != nil {
		t.Fatal(err)
	}
	err := l.write(ctx, func(w *writer) error {
		w.ahead = &lookahead{stored: map[string]bool{credit.Entry.SourceRef: false}} // stale on purpose
		n := credit.Entry
		n.Member = 1
		if _, created, err := w.append(ctx, n); err != nil || !created {
			t.Fatalf("held: created %v, %v", created, err)
		}
		return w.insertHeld(ctx)
	})
	if !errors.Is(err, errHeldRefTaken) {
		t.Fatalf("inserting the held entry: %v, want errHeldRefTaken", err)
	}
	if head, _, err := l.Verify(ctx); err != nil || head.Seq != 1 {
		t.Fatalf("head %d, %v; want the one credit", head.Seq, err)
	}
}

// With a half-life of a second, each credit of a group commit dated ten
// minutes after the one before moves the decay's anchor (see rebase),
// which writes the batch's rows so far: the day sum the lookahead read is
// written more than once in the transaction, each time adding to the
// last. The boards and the check come out as for writes one by one.
func TestGroupCommitRebasingMidBatch(t *testing.T) {
	ctx := context.Background()
	var now time.Time
	open := func() *Ledger {
		now = testNow()
		l, err := Open(ctx, filepath.Join(t.TempDir(), "docracy.db"), Options{Now: func() time.Time { return now }, HalfLife: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	together, apart := open(), open()
	now = testNow().Add(time.Hour)
	var writes []GitHubWrite
	for n := range 4 {
		prefix := fmt.Sprintf("github:github.com:pr:1:%d:", n)
		credits := []AccountCredit{githubCredit(prefix, 100, "code"), githubCredit(prefix, 101, "review")}
		for i := range credits {
			credits[i].Entry.OccurredAt = now.Add(time.Duration(n) * 10 * time.Minute)
		}
		writes = append(writes, GitHubWrite{Contributions: []Contribution{{Prefix: prefix, Credits: credits}}})
	}
	now = now.Add(30 * time.Minute) // the last credit is dated now
	for i, err := range commitTogether(t, together, writes) {
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for _, w := range writes {
		if _, err := apart.WriteGitHub(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := standings(t, together), standings(t, apart); got != want {
		t.Errorf("committed together:\n%s\none by one:\n%s", got, want)
	}
	if _, _, err := together.VerifyAll(ctx, nil); err != nil {
		t.Errorf("verify: %v", err)
	}
}
