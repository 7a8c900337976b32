package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// row is a leaderboard row as the page shows it.
type row struct {
	Rank   int
	Member int64
	Name   string
	Points int64
}

var rowPattern = regexp.MustCompile(`<tr><td class="num">(\d+)</td><th scope="row"><a href="/members/(\d+)">([^<]*)</a></th><td class="num">(\d+)</td>`)

// standings reads the leaderboard table of a home page.
func standings(t *testing.T, body string) []row {
	t.Helper()
	rows := []row{}
	for _, m := range rowPattern.FindAllStringSubmatch(section(t, body, "leaderboard"), -1) {
		rank, _ := strconv.Atoi(m[1])
		member, _ := strconv.ParseInt(m[2], 10, 64)
		points, _ := strconv.ParseInt(m[4], 10, 64)
		rows = append(rows, row{rank, member, m[3], points})
	}
	return rows
}

func TestHomeLeaderboard(t *testing.T) {
	f := newFixture(t)
	var (
		alice = func(rank int, points int64) row { return row{rank, 1, "alice", points} }
		bob   = func(rank int, points int64) row { return row{rank, 2, "bob", points} }
		carol = func(rank int, points int64) row { return row{rank, 3, "discord:123456789012345678", points} }
		evil  = func(rank int, points int64) row { return row{rank, 4, "&lt;script&gt;alert(1)&lt;/script&gt;", points} }
	)
	tests := []struct {
		path    string
		want    []row
		current string // the window link marked as current
		caption string
	}{
		{"/", []row{bob(1, 24), alice(2, 7), carol(3, 3), evil(4, 1)}, "All time", "Points earned since the ledger began"},
		{"/?window=all", []row{bob(1, 24), alice(2, 7), carol(3, 3), evil(4, 1)}, "All time", "Points earned since the ledger began"},
		{"/?window=7d", []row{alice(1, 5), bob(2, 4), evil(3, 1)}, "7 days", "Points earned in the last 7 days"},
		{"/?window=30d", []row{bob(1, 24), alice(2, 5), carol(3, 3), evil(4, 1)}, "30 days", "Points earned in the last 30 days"},
		{"/?window=30d&category=doc", []row{bob(1, 20), carol(2, 3)}, "30 days", "Points earned in the last 30 days in doc"},
		{"/?category=review", []row{alice(1, 2)}, "All time", "Points earned since the ledger began in review"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, body := f.get(t, "GET", tt.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200:\n%s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if diff := cmp.Diff(tt.want, standings(t, body)); diff != "" {
				t.Errorf("leaderboard (-want +got):\n%s", diff)
			}
			if !regexp.MustCompile(`aria-current="page">` + tt.current + `<`).MatchString(body) {
				t.Errorf("window %q is not marked current", tt.current)
			}
			if !strings.Contains(body, "<caption id=\"leaderboard-caption\">"+tt.caption+",") {
				t.Errorf("caption is not %q:\n%s", tt.caption, section(t, body, "leaderboard"))
			}
		})
	}
}

// TestHomeFilters checks that the filters work without JavaScript: window
// links keep the category, and the category form keeps the window.
func TestHomeFilters(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "GET", "/?window=30d&category=doc")
	for _, want := range []string{
		`<a href="/?category=doc&amp;window=7d">7 days</a>`,
		`<a href="/?category=doc">All time</a>`,
		`<input type="hidden" name="window" value="30d">`,
		`<label for="category">Category</label>`,
		`<option value="doc" selected>doc</option>`,
		`<option value="">All categories</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

func TestHomeSections(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "GET", "/")
	recent := section(t, body, "recent")
	// The latest recorded first; payouts are entries but not contributions.
	var names []string
	for _, m := range regexp.MustCompile(`<li>\s*<a href="/members/\d+">([^<]*)</a>`).FindAllStringSubmatch(recent, -1) {
		names = append(names, m[1])
	}
	want := []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "bob", "alice", "discord:123456789012345678", "bob", "alice"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("recent contributions (-want +got):\n%s", diff)
	}
	if !strings.Contains(recent, `<a href="https://github.com/coop/repo/pull/7" rel="nofollow ugc">make the leaderboard faster</a>`) {
		t.Errorf("recent lacks the linked PR:\n%s", recent)
	}
	if strings.Contains(recent, "payout") {
		t.Errorf("recent shows payout entries:\n%s", recent)
	}
	payouts := section(t, body, "payouts")
	if !strings.Contains(payouts, `<a href="/payouts/2026-02">2026-02</a></th><td>proportional</td><td class="num">100.00 EUR</td>`) {
		t.Errorf("payouts lack the closed run:\n%s", payouts)
	}
	ledgerPart := section(t, body, "ledger")
	head, err := f.ledger.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<dd>" + strconv.FormatInt(head.Seq, 10) + "</dd>", head.Hash, "Not verified yet",
		`href="https://github.com/docracy/docracy#checking-the-ledger-yourself"`,
	} {
		if !strings.Contains(ledgerPart, want) {
			t.Errorf("ledger section lacks %q:\n%s", want, ledgerPart)
		}
	}
}
