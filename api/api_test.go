package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

// expect sends a request, checks its status and that its body is the JSON
// want (compared as values), and returns what get does.
func expect(t *testing.T, srv *httptest.Server, method, path string, status int, want string) (int, string, []byte) {
	t.Helper()
	got, allow, body := get(t, srv, method, path)
	if got != status {
		t.Errorf("status = %d, want %d", got, status)
	}
	if diff := cmp.Diff(jsonOf(t, []byte(want)), jsonOf(t, body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	return got, allow, body
}

// get sends a request and returns the status, the Allow header and the body.
func get(t *testing.T, srv *httptest.Server, method, path string) (int, string, []byte) {
	t.Helper()
	resp, body := testkit.Do(t, srv.Client(), method, srv.URL+path, nil, nil)
	if ct := resp.Header.Get("Content-Type"); method != http.MethodHead && ct != "application/json" {
		t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return resp.StatusCode, resp.Header.Get("Allow"), body
}

// jsonOf decodes a body for comparison, so that the tables can spell the
// expected bodies as readable JSON.
func jsonOf(t *testing.T, b []byte) any {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, b)
	}
	return v
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAPI(t *testing.T) {
	b, l := newBot(t)
	entries := seed(t, b)
	// Set to prove that it never comes out.
	if err := l.SetPayoutAddress(context.Background(), 1, "FR7630001007941234567890185"); err != nil {
		t.Fatal(err)
	}
	srv := serve(t, b)

	list := func(es ...ledger.Entry) string { return marshal(t, es) }
	alice := `{"id":1,"name":"alice","college":"","created_at":"2026-03-01T12:00:00Z",
		"accounts":[{"platform":"github","login":"alice"}],
		"reputation":{"member":1,"score":7,"points":7,"rank":1,"categories":[
			{"category":"code","score":5,"points":5},{"category":"review","score":2,"points":2}]},
		"history":` + list(entries[2], entries[0]) + `}`
	board := func(window, category, rows string) string {
		return fmt.Sprintf(`{"window":%q,"category":%q,"at":"2026-03-01T12:00:00Z","standings":[%s]}`, window, category, rows)
	}
	const (
		aliceAll  = `{"rank":1,"member":1,"name":"alice","points":7,"reputation":7}`
		bob2      = `{"rank":2,"member":3,"name":"bob","points":4,"reputation":4}`
		dave3     = `{"rank":3,"member":2,"name":"discord:123456789012345678","points":3,"reputation":3}`
		aliceWeek = `{"rank":1,"member":1,"name":"alice","points":5,"reputation":7}`
	)

	tests := []struct {
		method, path string
		status       int
		body         string
	}{
		{"GET", "/healthz", 200, `{"status":"ok"}`},
		{"GET", "/readyz", 200, `{"status":"ok"}`},
		{"GET", "/api/v1/ledger/head", 200, fmt.Sprintf(`{"seq":6,"hash":%q}`, entries[5].Hash)},
		{"HEAD", "/api/v1/ledger/head", 200, ``},

		{"GET", "/api/v1/leaderboard", 200, board("all", "", aliceAll+","+bob2+","+dave3)},
		{"GET", "/api/v1/leaderboard?window=7d", 200, board("7d", "", aliceWeek+","+bob2)},
		{"GET", "/api/v1/leaderboard?window=all&category=code&limit=1", 200,
			board("all", "code", `{"rank":1,"member":1,"name":"alice","points":5,"reputation":5}`)},
		{"GET", "/api/v1/leaderboard?window=1y", 400, `{"error":"window \"1y\": use 7d, 30d or all"}`},
		{"GET", "/api/v1/leaderboard?category=foo", 400, `{"error":"category \"foo\" is not one of code, review, doc"}`},
		{"GET", "/api/v1/leaderboard?limit=0", 400, `{"error":"limit \"0\": give a whole number from 1 to 100"}`},
		{"GET", "/api/v1/leaderboard?limit=ten", 400, `{"error":"limit \"ten\": give a whole number from 1 to 100"}`},
		{"GET", "/api/v1/leaderboard?limit=101", 400, `{"error":"limit \"101\": give a whole number from 1 to 100"}`},

		{"GET", "/api/v1/members/1", 200, alice},
		{"GET", "/api/v1/members/github:alice", 200, alice},
		{"GET", "/api/v1/members/99", 404, `{"error":"member 99 does not exist"}`},
		{"GET", "/api/v1/members/github:ghost", 404, `{"error":"no member holds github:ghost yet: a member appears with their first credit"}`},
		{"GET", "/api/v1/members/alice", 400, `{"error":"member \"alice\": name a member as github:<login>, discord:<user id> or a member id"}`},

		{"GET", "/api/v1/entries", 200, `{"entries":` + list(entries...) + `,"next_after":6}`},
		{"GET", "/api/v1/entries?after=2&limit=2", 200, `{"entries":` + list(entries[2:4]...) + `,"next_after":4}`},
		{"GET", "/api/v1/entries?after=6", 200, `{"entries":[],"next_after":6}`},
		{"GET", "/api/v1/entries?after=x", 400, `{"error":"after \"x\": give the seq to start after, 0 or more"}`},
		{"GET", "/api/v1/entries?after=-1", 400, `{"error":"after \"-1\": give the seq to start after, 0 or more"}`},
		{"GET", "/api/v1/entries?limit=0", 400, `{"error":"limit \"0\": give a whole number from 1 to 1000"}`},
		{"GET", "/api/v1/entries?limit=1001", 400, `{"error":"limit \"1001\": give a whole number from 1 to 1000"}`},

		{"POST", "/api/v1/entries", 405, `{"error":"method POST not allowed: use GET"}`},
		{"DELETE", "/api/v1/members/1", 405, `{"error":"method DELETE not allowed: use GET"}`},
		{"PUT", "/healthz", 405, `{"error":"method PUT not allowed: use GET"}`},
		{"GET", "/api/v2/entries", 404, `{"error":"no such endpoint: see /api/v1/leaderboard, /api/v1/members/{id}, /api/v1/entries, /api/v1/ledger/head"}`},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			status, allow, body := expect(t, srv, tt.method, tt.path, tt.status, tt.body)
			if status == http.StatusMethodNotAllowed && allow != "GET, HEAD" {
				t.Errorf("Allow = %q, want \"GET, HEAD\"", allow)
			}
			if strings.Contains(string(body), "FR76") {
				t.Errorf("body exposes the payout address: %s", body)
			}
		})
	}
}

// TestAPIEntryForm checks that entries come out byte for byte in the form
// the hash chain covers, even with characters encoding/json would escape.
func TestAPIEntryForm(t *testing.T) {
	b, l := newBot(t)
	_, _, err := b.Credit(context.Background(), bot.CreditRequest{
		Member: "github:alice", Points: 1, Category: "doc", Note: "<b>docs</b> & \u2028 \"quotes\"",
		Actor: "cli:t", Source: ledger.SourceCLI,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, b)
	_, _, body := get(t, srv, "GET", "/api/v1/entries")
	var page struct{ Entries []json.RawMessage }
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	stored, err := l.Entry(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := stored.MarshalJSON()
	if len(page.Entries) != 1 || string(page.Entries[0]) != string(want) {
		t.Errorf("entry = %s\nwant    %s", page.Entries, want)
	}
}

func TestReadyzDown(t *testing.T) {
	b, l := newBot(t)
	srv := serve(t, b)
	l.Close()
	status, _, body := get(t, srv, "GET", "/readyz")
	if status != http.StatusServiceUnavailable {
		t.Errorf("status = %d, want 503", status)
	}
	if diff := cmp.Diff(jsonOf(t, []byte(`{"error":"database not ready"}`)), jsonOf(t, body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
	status, _, _ = get(t, srv, "GET", "/healthz")
	if status != http.StatusOK {
		t.Errorf("healthz status = %d, want 200: the process is up", status)
	}
}

// Among replicas, /readyz says which role the process holds.
func TestReadyzSaysTheRole(t *testing.T) {
	b, _ := newBot(t)
	role := "follower"
	srv := httptest.NewServer((&api.Server{Records: b, Role: func() string { return role }}).Handler())
	defer srv.Close()
	for _, want := range []string{"follower", "leader"} {
		role = want
		status, _, body := get(t, srv, "GET", "/readyz")
		if diff := cmp.Diff(jsonOf(t, []byte(`{"status":"ok","role":"`+want+`"}`)), jsonOf(t, body)); status != http.StatusOK || diff != "" {
			t.Errorf("status %d, body (-want +got):\n%s", status, diff)
		}
	}
}

// failingLedger fails leaderboards with an error that must stay private.
type failingLedger struct{ *ledger.Ledger }

func (failingLedger) Leaderboard(context.Context, ledger.LeaderboardQuery) ([]ledger.Standing, error) {
	return nil, errors.New("disk I/O error at /srv/secret/path")
}

func TestAPIInternalError(t *testing.T) {
	b, l := newBot(t)
	b.Ledger = failingLedger{l}
	srv := serve(t, b)
	status, _, body := get(t, srv, "GET", "/api/v1/leaderboard")
	if status != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", status)
	}
	if diff := cmp.Diff(jsonOf(t, []byte(`{"error":"internal error"}`)), jsonOf(t, body)); diff != "" {
		t.Errorf("body (-want +got):\n%s", diff)
	}
}

// The API's member is in the college of their latest college entry.
func TestAPIMemberCollege(t *testing.T) {
	b, _ := newBot(t)
	b.Colleges = []bot.College{{Name: "partners"}, {Name: "users", Roles: []string{"300"}}, {Name: "workers", Roles: []string{"100", "101"}}}
	credit(t, b, "github:alice", 5, "code", time.Hour)
	for _, c := range []string{"workers", "users"} {
		r := bot.CollegeRequest{Member: "github:alice", College: c, Actor: "cli:test", Source: ledger.SourceCLI}
		if _, _, err := b.SetCollege(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, b)
	code, _, body := get(t, srv, "GET", "/api/v1/members/github:alice")
	var m struct{ College string }
	if err := json.Unmarshal(body, &m); code != 200 || err != nil || m.College != "users" {
		t.Errorf("GET /api/v1/members/github:alice = %d %s", code, body)
	}
}
