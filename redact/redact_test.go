package redact_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/docracy/docracy/redact"
)

const (
	webhookToken     = "Xk3_vQ9-webhookSECRETtokenAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	interactionToken = "aW50ZXJhY3Rpb246MTMwMDAwMDAwMDAwMDAwMDAwMTpTRUNSRVQ"
	botToken         = "MTAwMDAwMDAwMDAwMDAwMDAx.GhIjKl.SECRETbotTOKENxxxxxxxxxxxxxxxx"
)

// TestRedactString checks every kind of credential docracy can meet in a
// log line, and that text around it, and text with none, is kept.
func TestRedactString(t *testing.T) {
	r := redact.New()
	for _, c := range []struct{ in, want string }{
		{`Post "https://discord.com/api/v9/webhooks/123/` + webhookToken + `?wait=true": dial tcp: connection refused`,
			`Post "https://discord.com/api/v9/webhooks/123/***?wait=true": dial tcp: connection refused`},
		{`PATCH https://discord.com/api/v9/webhooks/900000000000000001/` + interactionToken + `/messages/@original`,
			`PATCH https://discord.com/api/v9/webhooks/900000000000000001/***/messages/@original`},
		{`/api/v9/interactions/1300000000000000001/` + interactionToken + `/callback`,
			`/api/v9/interactions/1300000000000000001/***/callback`},
		{`Authorization: Bot ` + botToken, `Authorization: ***`},
		{`sent with Bot ` + botToken + ` header`, `sent with Bot *** header`},
		{`Bearer ` + botToken, `Bearer ***`},
		{`"Authorization":"token ghp_abcdefghijklmnopqrstuvwxyz"`, `"Authorization":"***"`},
		{`GET https://alice:s3cret@proxy.example:8080/x`, `GET https://***@proxy.example:8080/x`},
		{`https://api.example/cb?code=abc123&state=ok&access_token=zzz`, `https://api.example/cb?code=***&state=ok&access_token=***`},
		{`credited https://github.com/acme/app/pull/7 (docs)`, `credited https://github.com/acme/app/pull/7 (docs)`},
		{`Bot accounts are never credited`, `Bot accounts are never credited`},
		{``, ``},
	} {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestRedactBody checks that an outside service's answer is cut to
// MaxBody bytes, on a character boundary, and redacted.
func TestRedactBody(t *testing.T) {
	r := redact.New()
	long := strings.Repeat("é", redact.MaxBody) // two bytes each
	got := r.Body([]byte(long))
	if len(got) > redact.MaxBody+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "éé") {
		t.Errorf("Body of %d bytes = %d bytes %q", len(long), len(got), got[:20])
	}
	if got := r.Body([]byte(`{"message":"bad","url":"/webhooks/1/` + webhookToken + `"}`)); strings.Contains(got, webhookToken) {
		t.Errorf("Body kept the token: %s", got)
	}
}

// TestRedactError checks that an HTTP client error loses the token in its
// URL but still says what went wrong.
func TestRedactError(t *testing.T) {
	cause := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	err := fmt.Errorf("discord post digest: %w", &url.Error{Op: "Post", URL: "https://discord.com/api/v9/webhooks/1/" + webhookToken, Err: cause})
	got := redact.New().Error(err)
	if strings.Contains(got.Error(), webhookToken) || !strings.Contains(got.Error(), "connection refused") {
		t.Errorf("Error() = %q", got)
	}
	var ue *url.Error
	if errors.As(got, &ue) {
		t.Error("the redacted error still unwraps to the *url.Error holding the token")
	}
	var op *net.OpError
	if !errors.As(got, &op) {
		t.Error("the redacted error lost the network error beneath")
	}
	if redact.New().Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
}

type leaky struct{ URL string }

// TestHandlerRedacts checks the log handler on every place a secret can
// sit in a record: message, string, error, any value, group, With.
func TestHandlerRedacts(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(redact.NewHandler(slog.NewJSONHandler(&buf, nil)))
	leakURL := "https://discord.com/api/v9/webhooks/1/" + webhookToken
	log.With("auth", "Bot "+botToken).Error("failed "+leakURL,
		"url", leakURL,
		"err", errors.New("Post "+leakURL),
		"value", leaky{URL: leakURL},
		slog.Group("req", "proxy", "http://bob:hunter2@proxy:3128"),
		"count", 3)
	out := buf.String()
	for _, secret := range []string{webhookToken, botToken, "hunter2"} {
		if strings.Contains(out, secret) {
			t.Errorf("log line holds %q:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, `"count":3`) || !strings.Contains(out, "webhooks/1/***") {
		t.Errorf("log line lost what is not secret:\n%s", out)
	}
}
