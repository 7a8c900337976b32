package github_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzWebhook sends signed deliveries of any event and body to the
// handler over a real ledger: it must never fail on its side (5xx) nor
// panic, answer in JSON or not at all, and store nothing unless it answers
// 200. Seeded with the recorded payloads, which are large: each new input
// found is minimised for up to a minute by default, so run it with a
// short -fuzzminimizetime, e.g.
//
//	go test -run XXX -fuzz FuzzWebhook -fuzzminimizetime 5s ./integrations/github/
func FuzzWebhook(f *testing.F) {
	for _, seed := range []struct{ event, file string }{
		{"pull_request", "pull_request.closed.merged.json"},
		{"pull_request", "pull_request.closed.json"},
		{"pull_request", "pull_request.opened.json"},
		{"pull_request", "pull_request.labeled.json"},
		{"pull_request_review", "pull_request_review.submitted.json"},
		{"ping", "ping.json"},
		{"ping", "ping.with-organization.json"},
	} {
		f.Add(seed.event, recorded(f, seed.file))
	}
	fx := newFixture(f, defaultRules())
	delivered := 0
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		before, err := fx.ledger.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		delivered++
		r := delivery(t, "/github/webhook", event, fmt.Sprintf("fuzz-%d", delivered), body)
		w := httptest.NewRecorder()
		fx.handler.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusOK, http.StatusNoContent, http.StatusBadRequest:
		default:
			t.Fatalf("event %q: status %d: %s", event, w.Code, w.Body)
		}
		if w.Code != http.StatusNoContent && !json.Valid(w.Body.Bytes()) {
			t.Errorf("event %q: status %d with a body that is not JSON: %q", event, w.Code, w.Body)
		}
		after, err := fx.ledger.Head(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusOK && after != before {
			t.Errorf("event %q: status %d, yet the ledger moved from seq %d to %d", event, w.Code, before.Seq, after.Seq)
		}
	})
}
