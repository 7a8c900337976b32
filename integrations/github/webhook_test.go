package github_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	ghint "github.com/docracy/docracy/integrations/github"
	"github.com/docracy/docracy/ledger"
)

// reply is the JSON the webhook answers with.
type reply struct {
	Outcome string  `json:"outcome"`
	Reason  string  `json:"reason"`
	Entries []int64 `json:"entries"`
	Error   string  `json:"error"`
}

func decodeReply(t *testing.T, body string) reply {
	t.Helper()
	var r reply
	if body == "" {
		return r
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("reply %q: %v", body, err)
	}
	return r
}

// reviewBy is the recorded review payload with its state and reviewer
// changed.
func reviewBy(t *testing.T, state string, id int, login string) []byte {
	t.Helper()
	m := decode(t, recorded(t, "pull_request_review.submitted.json"))
	set(m, "review.state", state)
	set(m, "review.user.id", id)
	set(m, "review.user.login", login)
	return encode(t, m)
}

func TestRecordedPayloads(t *testing.T) {
	const merged = "github:github.com:pr:186853002:2:author:21031067"
	tests := []struct {
		name    string
		event   string
		payload func(t *testing.T) []byte
		status  int
		reply   reply
		credits map[string]int64 // source_ref → points
	}{
		{"merged pull request", "pull_request", file("pull_request.closed.merged.json"), 200,
			reply{Outcome: "credited", Entries: []int64{1}}, map[string]int64{merged: 5}},
		{"closed without merging", "pull_request", file("pull_request.closed.json"), 204, reply{}, nil},
		{"opened", "pull_request", file("pull_request.opened.json"), 204, reply{}, nil},
		{"labeled", "pull_request", file("pull_request.labeled.json"), 204, reply{}, nil},
		{"ping", "ping", file("ping.json"), 200, reply{Outcome: "pong"}, nil},
		{"ping of an organization", "ping", file("ping.with-organization.json"), 200, reply{Outcome: "pong"}, nil},
		{"review, commented on one's own pull request", "pull_request_review", file("pull_request_review.submitted.json"), 200,
			reply{Outcome: "skipped", Reason: "a commented review earns nothing"}, nil},
		{"review, approved by another", "pull_request_review", func(t *testing.T) []byte { return reviewBy(t, "approved", 583231, "octocat") }, 200,
			reply{Outcome: "credited", Entries: []int64{1}}, map[string]int64{"github:github.com:review:237895671": 2}},
		{"review, changes requested by another", "pull_request_review", func(t *testing.T) []byte { return reviewBy(t, "changes_requested", 583231, "octocat") }, 200,
			reply{Outcome: "credited", Entries: []int64{1}}, map[string]int64{"github:github.com:review:237895671": 2}},
		{"review, approved by the author", "pull_request_review", func(t *testing.T) []byte { return reviewBy(t, "approved", 21031067, "Codertocat") }, 200,
			reply{Outcome: "skipped", Reason: "reviewing one's own pull request earns nothing"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, defaultRules())
			resp := f.serve(delivery(t, "/github/webhook", tt.event, "72d3162e-cc78-11e3-81ab-4c9367dc0958", tt.payload(t)))
			body := readBody(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if diff := cmp.Diff(tt.reply, decodeReply(t, body)); diff != "" {
				t.Errorf("reply (-want +got):\n%s", diff)
			}
			got := map[string]int64{}
			for _, e := range f.entries(t) {
				got[e.SourceRef] = e.Points
			}
			if tt.credits == nil {
				tt.credits = map[string]int64{}
			}
			if diff := cmp.Diff(tt.credits, got); diff != "" {
				t.Errorf("credits (-want +got):\n%s", diff)
			}
		})
	}
}

func file(name string) func(t *testing.T) []byte {
	return func(t *testing.T) []byte { return recorded(t, name) }
}

func TestMergedPullRequestCreditsItsAuthorOnce(t *testing.T) {
	f := newFixture(t, defaultRules())
	payload := recorded(t, "pull_request.closed.merged.json")
	for i, want := range []string{"credited", "redelivery", "duplicate"} {
		id := "delivery-1"
		if i == 2 {
			id = "delivery-2"
		}
		resp := f.serve(delivery(t, "/github/webhook", "pull_request", id, payload))
		if got := decodeReply(t, readBody(t, resp)); resp.StatusCode != 200 || got.Outcome != want {
			t.Errorf("delivery %d: %d %+v, want 200 %s", i+1, resp.StatusCode, got, want)
		}
	}
	entries := f.entries(t)
	if len(entries) != 1 {
		t.Fatalf("%d entries, want 1", len(entries))
	}
	e := entries[0]
	m, err := f.ledger.Member(context.Background(), e.Member)
	if err != nil {
		t.Fatal(err)
	}
	wantAccounts := []ledger.Account{{Platform: ledger.PlatformGitHub, ExternalID: "21031067", Login: "Codertocat"}}
	if diff := cmp.Diff(wantAccounts, m.Accounts); diff != "" {
		t.Errorf("the member created for the author (-want +got):\n%s", diff)
	}
	if e.Kind != ledger.KindCredit || e.Category != "code" || e.Points != 5 || e.Source != ledger.SourceGitHub ||
		e.SourceRef != "github:github.com:pr:186853002:2:author:21031067" || e.URL != "https://github.com/Codertocat/Hello-World/pull/2" ||
		e.OccurredAt.Format("2006-01-02T15:04:05Z") != "2019-05-15T15:21:18Z" || e.Actor != "github:Codertocat" {
		t.Errorf("entry %+v", e)
	}
	for _, outcome := range []string{"credited", "redelivery", "duplicate"} {
		if got := counter(t, f.reg, "docracy_github_webhooks_total", map[string]string{"event": "pull_request", "outcome": outcome}); got != 1 {
			t.Errorf("webhooks{pull_request,%s} = %v, want 1", outcome, got)
		}
	}
	if got := counter(t, f.reg, "docracy_github_credits_total", map[string]string{"path": "webhook"}); got != 1 {
		t.Errorf("credits{webhook} = %v, want 1", got)
	}
}

// TestSignatureTestVector passes GitHub's documented example through the
// handler: the signature is accepted, so the delivery of an event the bot
// ignores is answered 204; altered by one character, it is refused.
func TestSignatureTestVector(t *testing.T) {
	const (
		secret    = "It's a Secret to Everybody"
		payload   = "Hello, World!"
		signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
	)
	f := newFixture(t, defaultRules())
	h := ghint.NewHandler(secret, f.github, nil)
	for _, tt := range []struct {
		signature string
		status    int
	}{
		{signature, http.StatusNoContent},
		{strings.Replace(signature, "757107", "757108", 1), http.StatusUnauthorized},
	} {
		r := httptest.NewRequest(http.MethodPost, "/github/webhook", strings.NewReader(payload))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-GitHub-Event", "push")
		r.Header.Set("X-GitHub-Delivery", "1")
		r.Header.Set("X-Hub-Signature-256", tt.signature)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != tt.status {
			t.Errorf("signature %s: status %d, want %d: %s", tt.signature, w.Code, tt.status, w.Body)
		}
	}
}

func TestRefusedDeliveries(t *testing.T) {
	merged := recorded(t, "pull_request.closed.merged.json")
	without := func(path string) []byte {
		m := decode(t, merged)
		set(m, path, nil)
		return encode(t, m)
	}
	tests := []struct {
		name    string
		request func() *http.Request
		status  int
		outcome string
		event   string // the metric's label
		error   string
	}{
		{"GET", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "d", merged)
			r.Method = http.MethodGet
			return r
		}, 405, "method_not_allowed", "pull_request", "method GET not allowed: GitHub sends POST"},
		{"no signature", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "d", merged)
			r.Header.Del("X-Hub-Signature-256")
			return r
		}, 401, "bad_signature", "pull_request", "missing X-Hub-Signature-256: give the webhook a secret"},
		{"SHA-1 signature only", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "d", merged)
			r.Header.Del("X-Hub-Signature-256")
			r.Header.Set("X-Hub-Signature", "sha1=0000000000000000000000000000000000000000")
			return r
		}, 401, "bad_signature", "pull_request", "missing X-Hub-Signature-256: give the webhook a secret"},
		{"another secret", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "d", merged)
			r.Header.Set("X-Hub-Signature-256", sign("not the secret", merged))
			return r
		}, 401, "bad_signature", "pull_request", "signature does not match the payload: check the webhook's secret"},
		{"body changed after signing", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "d", merged)
			r.Body = http.NoBody
			r.Body = newBody(bytes.Replace(merged, []byte(`"number": 2`), []byte(`"number": 3`), 1))
			return r
		}, 401, "bad_signature", "pull_request", "signature does not match the payload: check the webhook's secret"},
		{"forged event header", func() *http.Request {
			r := delivery(t, "/github/webhook", "deployment_status_made_up", "d", merged)
			r.Header.Set("X-Hub-Signature-256", "sha256=00")
			return r
		}, 401, "bad_signature", "other", "signature does not match the payload: check the webhook's secret"},
		{"form content type", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "d", merged)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 415, "unsupported_media_type", "pull_request", `content type "text/plain": set the webhook's to application/json`},
		{"too large", func() *http.Request {
			big := bytes.Repeat([]byte(" "), ghint.MaxPayload+1)
			return delivery(t, "/github/webhook", "pull_request", "d", big)
		}, 413, "too_large", "pull_request", "payload larger than 26214400 bytes"},
		{"malformed JSON", func() *http.Request {
			return delivery(t, "/github/webhook", "pull_request", "d", merged[:len(merged)/2])
		}, 400, "bad_request", "pull_request", ""},
		{"no author", func() *http.Request {
			return delivery(t, "/github/webhook", "pull_request", "d", without("pull_request.user"))
		}, 400, "bad_request", "pull_request", "missing pull_request.user"},
		{"no author id", func() *http.Request {
			return delivery(t, "/github/webhook", "pull_request", "d", without("pull_request.user.id"))
		}, 400, "bad_request", "pull_request", "missing pull_request.user.id"},
		{"no repository id", func() *http.Request {
			return delivery(t, "/github/webhook", "pull_request", "d", without("repository.id"))
		}, 400, "bad_request", "pull_request", "missing repository.id"},
		{"no merge time", func() *http.Request {
			return delivery(t, "/github/webhook", "pull_request", "d", without("pull_request.merged_at"))
		}, 400, "bad_request", "pull_request", "missing pull_request.merged_at"},
		{"no action", func() *http.Request {
			return delivery(t, "/github/webhook", "pull_request", "d", without("action"))
		}, 400, "bad_request", "pull_request", "missing action"},
		{"no review id", func() *http.Request {
			m := decode(t, reviewBy(t, "approved", 583231, "octocat"))
			set(m, "review.id", nil)
			return delivery(t, "/github/webhook", "pull_request_review", "d", encode(t, m))
		}, 400, "bad_request", "pull_request_review", "missing review.id"},
		{"no event header", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "d", merged)
			r.Header.Del("X-GitHub-Event")
			return r
		}, 400, "bad_request", "other", "missing X-GitHub-Event"},
		{"no delivery header", func() *http.Request {
			r := delivery(t, "/github/webhook", "pull_request", "", merged)
			return r
		}, 400, "bad_request", "pull_request", "missing X-GitHub-Delivery"},
		{"an event the bot ignores", func() *http.Request {
			return delivery(t, "/github/webhook", "push", "d", []byte(`{"ref":"refs/heads/main"}`))
		}, 204, "ignored", "other", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, defaultRules())
			resp := f.serve(tt.request())
			body := readBody(t, resp)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if got := decodeReply(t, body).Error; tt.error != "" && got != tt.error {
				t.Errorf("error %q, want %q", got, tt.error)
			}
			if tt.status == http.StatusMethodNotAllowed && resp.Header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow %q, want POST", resp.Header.Get("Allow"))
			}
			if n := len(f.entries(t)); n != 0 {
				t.Errorf("%d entries stored, want none", n)
			}
			if got := counter(t, f.reg, "docracy_github_webhooks_total", map[string]string{"event": tt.event, "outcome": tt.outcome}); got != 1 {
				t.Errorf("webhooks{%s,%s} = %v, want 1", tt.event, tt.outcome, got)
			}
		})
	}
}

func newBody(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// TestRedeliveryStorm sends one delivery 50 times at once, and the same
// pull request under 5 other delivery ids, over HTTP: one credit.
func TestRedeliveryStorm(t *testing.T) {
	f := newFixture(t, defaultRules())
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	payload := recorded(t, "pull_request.closed.merged.json")
	var requests []*http.Request
	for range 50 {
		requests = append(requests, delivery(t, srv.URL+"/github/webhook", "pull_request", "storm", payload))
	}
	for i := range 5 {
		requests = append(requests, delivery(t, srv.URL+"/github/webhook", "pull_request", fmt.Sprintf("other-%d", i), payload))
	}
	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	for _, r := range requests {
		wg.Go(func() {
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Error(err)
				return
			}
			got := decodeReply(t, readBody(t, resp))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d: %+v", resp.StatusCode, got)
			}
			mu.Lock()
			outcomes[got.Outcome]++
			mu.Unlock()
		})
	}
	wg.Wait()
	entries := f.entries(t)
	if len(entries) != 1 || entries[0].SourceRef != "github:github.com:pr:186853002:2:author:21031067" {
		t.Fatalf("entries %+v, want the one credit", entries)
	}
	if outcomes["credited"] != 1 || outcomes["credited"]+outcomes["redelivery"]+outcomes["duplicate"] != 55 {
		t.Errorf("outcomes %v: want 1 credited, the rest redelivery or duplicate", outcomes)
	}
	for _, id := range []string{"storm", "other-0", "other-4"} {
		if _, err := f.ledger.Delivery(context.Background(), id); err != nil {
			t.Errorf("delivery %s not recorded: %v", id, err)
		}
	}
}

// TestWebhookLogs checks that every delivery is logged with its id, event,
// action, repository and outcome, and that the secret never is.
func TestWebhookLogs(t *testing.T) {
	f := newFixture(t, defaultRules())
	f.serve(delivery(t, "/github/webhook", "pull_request", "d-merged", recorded(t, "pull_request.closed.merged.json")))
	r := delivery(t, "/github/webhook", "pull_request", "d-forged", recorded(t, "pull_request.opened.json"))
	r.Header.Set("X-Hub-Signature-256", sign("guess", []byte("x")))
	f.serve(r)
	type line struct {
		Msg      string `json:"msg"`
		Level    string `json:"level"`
		Delivery string `json:"delivery"`
		Event    string `json:"event"`
		Action   string `json:"action"`
		Repo     string `json:"repo"`
		Outcome  string `json:"outcome"`
		Status   int    `json:"status"`
	}
	var got []line
	for _, s := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatal(err)
		}
		if l.Msg == "github webhook" {
			got = append(got, l)
		}
	}
	want := []line{
		{"github webhook", "INFO", "d-merged", "pull_request", "closed", "Codertocat/Hello-World", "credited", 200},
		{"github webhook", "WARN", "d-forged", "pull_request", "", "", "bad_signature", 401},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
	if strings.Contains(f.logs.String(), testSecret) {
		t.Errorf("the log shows the secret:\n%s", f.logs)
	}
}

// failingCrediter fails as a ledger that cannot write would.
type failingCrediter struct{}

func (failingCrediter) PullRequestMerged(context.Context, bot.Delivery, bot.PullRequest) (bot.GitHubOutcome, error) {
	return bot.GitHubOutcome{}, fmt.Errorf("write github: database is locked")
}

func (failingCrediter) ReviewSubmitted(context.Context, bot.Delivery, bot.Review) (bot.GitHubOutcome, error) {
	return bot.GitHubOutcome{}, fmt.Errorf("write github: database is locked")
}

func TestStorageFailureIsNotAcknowledged(t *testing.T) {
	f := newFixture(t, defaultRules())
	h := ghint.NewHandler(testSecret, failingCrediter{}, f.metrics)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, delivery(t, "/github/webhook", "pull_request", "d", recorded(t, "pull_request.closed.merged.json")))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "locked") {
		t.Errorf("status %d, body %s: want 500 without the internal error", w.Code, w.Body)
	}
}
