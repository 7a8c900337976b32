package github_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// signWith is a signature header value as a sender would compute it with
// another hash than SHA-256.
func signWith(prefix string, h func() hash.Hash, body []byte) string {
	mac := hmac.New(h, []byte(testSecret))
	mac.Write(body)
	return prefix + "=" + hex.EncodeToString(mac.Sum(nil))
}

// formDelivery is a signed delivery of a webhook whose content type is
// application/x-www-form-urlencoded: GitHub signs the form as sent.
func formDelivery(t *testing.T, body string) *http.Request {
	t.Helper()
	r := delivery(t, "/github/webhook", "pull_request", "d", []byte(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestSignedNonObjectBodiesAreRefused(t *testing.T) {
	for _, event := range []string{"pull_request", "pull_request_review", "ping"} {
		for _, body := range []string{"null", " null\n", "[]", `[{"action":"closed"}]`, "1", `"x"`, "true"} {
			f := newFixture(t, defaultRules())
			resp := f.serve(delivery(t, "/github/webhook", event, "d", []byte(body)))
			got := readBody(t, resp)
			if resp.StatusCode != http.StatusBadRequest || decodeReply(t, got).Error != "payload is not a JSON object" {
				t.Errorf("%s %q: %d %s, want 400 payload is not a JSON object", event, body, resp.StatusCode, got)
			}
			if n := len(f.entries(t)); n != 0 {
				t.Errorf("%s %q: %d entries stored, want none", event, body, n)
			}
		}
	}
}

func TestOnlySHA256SignaturesAreAccepted(t *testing.T) {
	merged := recorded(t, "pull_request.closed.merged.json")
	for _, signature := range []string{
		signWith("sha1", sha1.New, merged),
		signWith("sha512", sha512.New, merged),
		strings.TrimPrefix(sign(testSecret, merged), "sha256="),
		"SHA256=" + strings.TrimPrefix(sign(testSecret, merged), "sha256="),
		"sha256=" + strings.Repeat("zz", 32),
		"sha256=",
	} {
		f := newFixture(t, defaultRules())
		r := delivery(t, "/github/webhook", "pull_request", "d", merged)
		r.Header.Set("X-Hub-Signature-256", signature)
		resp := f.serve(r)
		got := readBody(t, resp)
		if resp.StatusCode != http.StatusUnauthorized || decodeReply(t, got).Error != "signature does not match the payload: check the webhook's secret" {
			t.Errorf("X-Hub-Signature-256: %s: %d %s, want 401", signature, resp.StatusCode, got)
		}
		if n := len(f.entries(t)); n != 0 {
			t.Errorf("X-Hub-Signature-256: %s: %d entries stored, want none", signature, n)
		}
	}
}

func TestSignedFormDeliveries(t *testing.T) {
	merged := string(recorded(t, "pull_request.closed.merged.json"))
	tests := []struct {
		name   string
		body   string
		status int
		error  string
	}{
		{"merged", "payload=" + url.QueryEscape(merged), http.StatusOK, ""},
		{"malformed encoding", "payload=%zz" + url.QueryEscape(merged), http.StatusBadRequest,
			`form body: invalid URL escape "%zz"`},
		{"no payload field", "data=" + url.QueryEscape(merged), http.StatusBadRequest, "form body: missing payload field"},
		{"empty payload", "payload=", http.StatusBadRequest, "form body: missing payload field"},
	}
	for _, tt := range tests {
		f := newFixture(t, defaultRules())
		resp := f.serve(formDelivery(t, tt.body))
		got := readBody(t, resp)
		if resp.StatusCode != tt.status || decodeReply(t, got).Error != tt.error {
			t.Errorf("%s: %d %s, want %d %q", tt.name, resp.StatusCode, got, tt.status, tt.error)
		}
		if want, n := map[bool]int{true: 1}[tt.status == http.StatusOK], len(f.entries(t)); n != want {
			t.Errorf("%s: %d entries stored, want %d", tt.name, n, want)
		}
	}
}
