package ledger

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// TestWritesParseAStatementOnce writes the same kind of GitHub credit
// twice: the first transaction parses its statements and hands them to
// the ledger's cache, the second parses none, and both are chained.
func TestWritesParseAStatementOnce(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	l, err := Open(ctx, filepath.Join(t.TempDir(), "docracy.db"), Options{Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var parsed [][]string
	for n := range 2 {
		prefix := fmt.Sprintf("github:github.com:pr:1:%d:", n)
		err := l.write(ctx, func(w *writer) error {
			defer func() { parsed = append(parsed, w.parsed) }()
			_, err := w.writeGitHub(ctx, GitHubWrite{
				Contributions: []Contribution{{Prefix: prefix, Credits: []AccountCredit{{
					Account: Account{Platform: PlatformGitHub, ExternalID: fmt.Sprint(100 + n), Login: fmt.Sprintf("user%d", n)},
					Entry: NewEntry{Kind: KindCredit, Category: "code", Points: 5, OccurredAt: at,
						Source: SourceGitHub, SourceRef: prefix + "author", Actor: "github:test"},
				}}}},
				Delivery: &Delivery{ID: fmt.Sprintf("d-%d", n), Event: "pull_request"},
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
