package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
)

type page struct {
	Entries []struct {
		Seq int64 `json:"seq"`
	} `json:"entries"`
	NextAfter int64 `json:"next_after"`
}

// TestEntriesPaging walks the ledger page by page, as a verifier of the
// export does, with several page sizes: every entry comes once, in order,
// and the last page leaves next_after on the head.
func TestEntriesPaging(t *testing.T) {
	b, _ := newBot(t)
	const total = 23
	for i := range total {
		credit(t, b, "github:alice", 1, "code", time.Duration(i)*time.Minute)
	}
	srv := serve(t, b)
	var want []int64
	for seq := int64(1); seq <= total; seq++ {
		want = append(want, seq)
	}
	for _, limit := range []int{1, 2, 5, 22, 23, 24, 1000} {
		t.Run(fmt.Sprint("limit=", limit), func(t *testing.T) {
			var got []int64
			after, requests := int64(0), 0
			for {
				var p page
				decode(t, srv, fmt.Sprintf("/api/v1/entries?after=%d&limit=%d", after, limit), &p)
				requests++
				if len(p.Entries) > limit {
					t.Fatalf("page of %d entries, limit %d", len(p.Entries), limit)
				}
				for _, e := range p.Entries {
					got = append(got, e.Seq)
				}
				if len(p.Entries) == 0 {
					if p.NextAfter != after {
						t.Errorf("empty page moved next_after from %d to %d", after, p.NextAfter)
					}
					break
				}
				after = p.NextAfter
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("seqs (-want +got):\n%s", diff)
			}
			if wantRequests := (total+limit-1)/limit + 1; requests != wantRequests {
				t.Errorf("%d requests, want %d", requests, wantRequests)
			}
		})
	}
}

// TestAPIBoundaries checks the edges of every parameter: what is accepted
// and what is refused with a 400 that says which parameter and why.
func TestAPIBoundaries(t *testing.T) {
	b, _ := newBot(t)
	for i := range 3 {
		credit(t, b, fmt.Sprintf("github:m%d", i), int64(3-i), "code", time.Hour)
	}
	srv := serve(t, b)
	const (
		limitEntries     = `{"error":"limit \"%s\": give a whole number from 1 to 1000"}`
		limitLeaderboard = `{"error":"limit \"%s\": give a whole number from 1 to 100"}`
		after            = `{"error":"after \"%s\": give the seq to start after, 0 or more"}`
	)
	seqs := func(from, to int64) string {
		var s []int64
		for seq := from; seq <= to; seq++ {
			s = append(s, seq)
		}
		return marshal(t, s)
	}
	tests := []struct {
		path   string
		status int
		want   any // the error body, or for a page the seqs and next_after
	}{
		{"/api/v1/entries?after=", 200, seqs(1, 3) + " 3"},
		{"/api/v1/entries?after=0&limit=1", 200, seqs(1, 1) + " 1"},
		{"/api/v1/entries?after=2", 200, seqs(3, 3) + " 3"},
		{"/api/v1/entries?after=3", 200, "null 3"},
		{"/api/v1/entries?after=50", 200, "null 50"},
		{"/api/v1/entries?after=9223372036854775807", 200, "null 9223372036854775807"},
		{"/api/v1/entries?limit=1000", 200, seqs(1, 3) + " 3"},
		{"/api/v1/entries?after=9223372036854775808", 400, fmt.Sprintf(after, "9223372036854775808")},
		{"/api/v1/entries?after=1.5", 400, fmt.Sprintf(after, "1.5")},
		{"/api/v1/entries?after=%201", 400, fmt.Sprintf(after, " 1")},
		{"/api/v1/entries?after=0x10", 400, fmt.Sprintf(after, "0x10")},
		{"/api/v1/entries?limit=-5", 400, fmt.Sprintf(limitEntries, "-5")},
		{"/api/v1/entries?limit=1e3", 400, fmt.Sprintf(limitEntries, "1e3")},
		{"/api/v1/entries?limit=", 200, seqs(1, 3) + " 3"},
		{"/api/v1/leaderboard?limit=100", 200, nil},
		{"/api/v1/leaderboard?limit=1", 200, nil},
		{"/api/v1/leaderboard?window=&category=", 200, nil},
		{"/api/v1/leaderboard?limit=-1", 400, fmt.Sprintf(limitLeaderboard, "-1")},
		{"/api/v1/leaderboard?window=ALL", 400, `{"error":"window \"ALL\": use 7d, 30d or all"}`},
		{"/api/v1/leaderboard?window=7", 400, `{"error":"window \"7\": use 7d, 30d or all"}`},
		{"/api/v1/members/0", 400, `{"error":"member \"0\": name a member as github:<login>, discord:<user id> or a member id"}`},
		{"/api/v1/members/-1", 400, `{"error":"member \"-1\": name a member as github:<login>, discord:<user id> or a member id"}`},
		{"/api/v1/members/discord:abc", 400, `{"error":"member \"discord:abc\": name a member as github:<login>, discord:<user id> or a member id"}`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, _, body := get(t, srv, "GET", tt.path)
			if status != tt.status {
				t.Fatalf("status = %d, want %d: %s", status, tt.status, body)
			}
			switch {
			case status != http.StatusOK:
				if diff := cmp.Diff(jsonOf(t, []byte(tt.want.(string))), jsonOf(t, body)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			case tt.want != nil:
				var p page
				if err := json.Unmarshal(body, &p); err != nil {
					t.Fatal(err)
				}
				var got []int64
				for _, e := range p.Entries {
					got = append(got, e.Seq)
				}
				if s := marshal(t, got) + fmt.Sprint(" ", p.NextAfter); s != tt.want {
					t.Errorf("page = %s, want %s", s, tt.want)
				}
			}
		})
	}
}

// TestLeaderboardLimit checks that the leaderboard's limit cuts the board
// and keeps its order.
func TestLeaderboardLimit(t *testing.T) {
	b, _ := newBot(t)
	for i := range 5 {
		credit(t, b, fmt.Sprintf("github:m%d", i), int64(10-i), "code", time.Hour)
	}
	srv := serve(t, b)
	for _, limit := range []int{1, 3, 5, 100} {
		var lb bot.Leaderboard
		decode(t, srv, fmt.Sprintf("/api/v1/leaderboard?limit=%d", limit), &lb)
		var got []string
		for _, s := range lb.Standings {
			got = append(got, s.Name)
		}
		want := []string{"m0", "m1", "m2", "m3", "m4"}[:min(limit, 5)]
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("limit=%d (-want +got):\n%s", limit, diff)
		}
	}
}

// TestPayoutAPIEmpty checks the payouts endpoints before any run is
// closed, and their refusals.
func TestPayoutAPIEmpty(t *testing.T) {
	srv := newPayouts(t).serve()
	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/api/v1/payouts", 200, `{"payouts":[]}`},
		{"GET", "/api/v1/payouts/2026-13", 400, `{"error":"period \"2026-13\": there is no month 13"}`},
		{"GET", "/api/v1/payouts/2026-11", 404, `{"error":"period 2026-11 is not closed: preview it, then close it with docracy payout close --period 2026-11"}`},
		{"POST", "/api/v1/payouts", 405, `{"error":"method POST not allowed: use GET"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			expect(t, srv, tt.method, tt.path, tt.status, tt.body)
		})
	}
}

func decode(t *testing.T, srv *httptest.Server, path string, v any) {
	t.Helper()
	status, _, body := get(t, srv, "GET", path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
