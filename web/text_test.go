package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
)

// TestDashboardShowsPlainText holds the dashboard to what a note's bytes
// say: an entry recorded before hidden characters were refused, whose
// note turns the direction of the text ("fix " then a right-to-left
// override, so that "gnp.exe" reads "exe.png"), shows without the mark on
// the leaderboard's recent entries and on the member's page, and so does
// a member name holding one.
func TestDashboardShowsPlainText(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	m, err := f.ledger.CreateMember(ctx, "mallory\u202e", "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.ledger.Append(ctx, ledger.NewEntry{
		Kind: ledger.KindCredit, Member: m.ID, Category: "code", Points: 1, OccurredAt: now.Add(-day),
		Source: ledger.SourceCLI, SourceRef: "cli:bidi", Actor: "cli:test", Note: "fix \u202egnp.exe\u2066\x1b[2J",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/members/" + itoa(m.ID)} {
		resp, body := f.get(t, http.MethodGet, path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		if i := strings.IndexAny(body, "\u202e\u2066\x1b"); i >= 0 {
			t.Errorf("GET %s shows a hidden character: %q", path, body[max(0, i-40):min(len(body), i+40)])
		}
		for _, want := range []string{"fix gnp.exe [2J", "mallory"} {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s does not show %q", path, want)
			}
		}
	}
}
