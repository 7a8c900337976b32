package discord_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
)

// TestRESTRetries checks how calls to Discord fare against 429 and 5xx:
// retried within bounds, and never waiting long.
func TestRESTRetries(t *testing.T) {
	const webhooks = "/api/v9/webhooks/"
	tests := []struct {
		name    string
		failure discordtest.Failure
		ok      bool
		calls   int           // requests Discord saw
		errText string        // part of the error when not ok
		minTime time.Duration // the retry waited at least this
	}{
		{"one 429", discordtest.Failure{Path: webhooks, Status: 429, RetryAfter: 0.2, Times: 1}, true, 2, "", 200 * time.Millisecond},
		{"stuck 429", discordtest.Failure{Path: webhooks, Status: 429, RetryAfter: 0.01, Times: -1}, false, 4, "rate limited, retry after 10ms: giving up", 30 * time.Millisecond},
		{"429 for an hour", discordtest.Failure{Path: webhooks, Status: 429, RetryAfter: 3600, Times: -1}, false, 1, "rate limited, retry after 1h0m0s: giving up", 0},
		{"two 503", discordtest.Failure{Path: webhooks, Status: 503, Times: 2}, true, 3, "", 30 * time.Millisecond},
		{"a 502", discordtest.Failure{Path: webhooks, Status: 502, Times: 1}, true, 2, "", 10 * time.Millisecond},
		{"500 for good", discordtest.Failure{Path: webhooks, Status: 500, Times: -1}, false, 4, "500", 70 * time.Millisecond},
		{"404", discordtest.Failure{Path: webhooks, Status: 404, Times: -1}, false, 1, "404", 0},
		{"429 asking the bucket to wait an hour", discordtest.Failure{Path: webhooks, Status: 429, RetryAfter: 0.01, Times: 1,
			Header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset-After": {"3600"}, "X-Ratelimit-Bucket": {"b1"}}},
			true, 2, "", 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := discordtest.New(t)
			s, err := discord.NewSession("test-token", discord.SessionOptions{
				Transport: fake.Transport(), Backoff: 10 * time.Millisecond, MaxBucketWait: 100 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			rest := discord.NewREST(s, nil)
			rest.MaxRetryAfter = time.Second
			fake.Fail(tt.failure)
			i := discordtest.Command("1400000000000000001", bob, "rep")
			content := "hello"
			begin := time.Now()
			done := make(chan error, 1)
			go func() { done <- rest.Edit(context.Background(), i, &discordgo.WebhookEdit{Content: &content}) }()
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("Edit still waiting after 5s; Discord saw %d requests", len(fake.Calls()))
			}
			took := time.Since(begin)
			if tt.ok != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.errText) {
				t.Errorf("Edit = %v, want ok %v (error with %q)", err, tt.ok, tt.errText)
			}
			if n := len(fake.Calls()); n != tt.calls {
				t.Errorf("Discord saw %d requests, want %d", n, tt.calls)
			}
			if took < tt.minTime || took > 5*time.Second {
				t.Errorf("took %s, want %s to 5s", took, tt.minTime)
			}
			if tt.ok && len(fake.Edits()) != 1 {
				t.Errorf("%d edits recorded, want 1", len(fake.Edits()))
			}
		})
	}
}

// TestRESTContext checks that a call gives up when its context ends, even
// while waiting out a retry.
func TestRESTContext(t *testing.T) {
	fake := discordtest.New(t)
	fake.Fail(discordtest.Failure{Path: "/api/v9/", Status: 503, Times: -1})
	s, err := discord.NewSession("", discord.SessionOptions{Transport: fake.Transport(), Backoff: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	err = discord.NewREST(s, nil).Delete(ctx, discordtest.Command("1400000000000000002", bob, "rep"))
	if err == nil || time.Since(begin) > 5*time.Second {
		t.Errorf("Delete = %v after %s, want an error within the context's 100ms", err, time.Since(begin))
	}
}
