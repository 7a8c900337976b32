package github_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// fuzzEvents are the events the webhook acts on, and one it ignores.
var fuzzEvents = []string{"pull_request", "pull_request_review", "ping", "issues"}

// FuzzWebhook sends each body, signed, as every event the webhook acts on
// and one it ignores, as JSON or as a form, to the handler over a real
// ledger. It must never panic nor fail on its side (5xx); a 200 carries a
// JSON outcome and a 204 nothing; a body that is not a JSON object is a
// 400 for the events acted on; and nothing is stored unless it answers
// 200. Seeded with the recorded payloads, which are large: each new input
// found is minimised for up to a minute by default, so run it with a
// short -fuzzminimizetime, e.g.
//
//	go test -run XXX -fuzz FuzzWebhook -fuzzminimizetime 5s ./integrations/github/
func FuzzWebhook(f *testing.F) {
	for _, file := range []string{
		"pull_request.closed.merged.json", "pull_request.closed.json", "pull_request.opened.json",
		"pull_request.labeled.json", "pull_request_review.submitted.json", "ping.json", "ping.with-organization.json",
	} {
		f.Add(false, recorded(f, file))
	}
	for _, body := range []string{"null", " null\n", "[]", "[{}]", "0", `"pull_request"`, "true", "{}", `{"action":null}`, "", "{"} {
		f.Add(false, []byte(body))
		f.Add(true, []byte(body))
	}
	fx := newFixture(f, defaultRules())
	delivered := 0
	f.Fuzz(func(t *testing.T, form bool, body []byte) {
		for _, event := range fuzzEvents {
			delivered++
			r := fuzzDelivery(t, event, fmt.Sprintf("fuzz-%d", delivered), form, body)
			checkFuzzAnswer(t, fx, r, event, body)
		}
	})
}

// fuzzDelivery is a signed delivery of body, in a form when form is set.
func fuzzDelivery(t *testing.T, event, id string, form bool, body []byte) *http.Request {
	if !form {
		return delivery(t, "/github/webhook", event, id, body)
	}
	r := delivery(t, "/github/webhook", event, id, []byte("payload="+url.QueryEscape(string(body))))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func checkFuzzAnswer(t *testing.T, fx *fixture, r *http.Request, event string, payload []byte) {
	t.Helper()
	before, err := fx.ledger.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	fx.handler.ServeHTTP(w, r)
	isObject := bytes.HasPrefix(bytes.TrimLeft(payload, " \t\r\n"), []byte("{"))
	switch {
	case w.Code == http.StatusNoContent && w.Body.Len() != 0:
		t.Errorf("event %q: 204 with a body: %q", event, w.Body)
	case w.Code != http.StatusNoContent && !json.Valid(w.Body.Bytes()):
		t.Errorf("event %q: status %d with a body that is not JSON: %q", event, w.Code, w.Body)
	case w.Code != http.StatusOK && w.Code != http.StatusNoContent && w.Code != http.StatusBadRequest:
		t.Errorf("event %q: status %d: %s", event, w.Code, w.Body)
	case !isObject && event != "issues" && w.Code != http.StatusBadRequest:
		t.Errorf("event %q, payload %q: status %d, want 400", event, payload, w.Code)
	}
	after, err := fx.ledger.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if w.Code != http.StatusOK && after != before {
		t.Errorf("event %q: status %d, yet the ledger moved from seq %d to %d", event, w.Code, before.Seq, after.Seq)
	}
}
