package github

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/go-github/v60/github"
)

// Backoff after a server error: 1 s, 2 s, 4 s, … up to maxBackoff.
const (
	firstBackoff = time.Second
	maxBackoff   = time.Minute

	// secondaryWait is GitHub's advice when a secondary rate limit comes
	// without Retry-After: wait at least a minute.
	secondaryWait = time.Minute

	// resetMargin covers the difference between GitHub's clock and ours.
	resetMargin = time.Second
)

// do runs one API request, and again after a wait when GitHub says to wait
// or fails on its side: primary rate limits wait until the reset, secondary
// ones for Retry-After, server errors and broken connections back off. Any
// other error, a wait longer than MaxWait, or more than Retries waits end
// it with the error.
func (c *Client) do(ctx context.Context, what string, call func(*github.Client) (*github.Response, error)) (*github.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := call(c.client())
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		wait, reason := c.retryAfter(err, attempt)
		switch {
		case reason == "":
			return nil, fmt.Errorf("%s: %w", what, err)
		case attempt > c.Retries:
			return nil, fmt.Errorf("%s: gave up after %d attempts: %w", what, attempt, err)
		case wait > c.MaxWait:
			return nil, fmt.Errorf("%s: %s, the wait of %s is longer than %s: %w", what, reason, wait.Round(time.Second), c.MaxWait, err)
		}
		c.logger().Warn("github api: waiting", "request", what, "reason", reason, "wait", wait, "attempt", attempt, "err", err)
		c.metrics.waited(reason)
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
		if reason == "rate_limit" || reason == "secondary_rate_limit" {
			c.renew()
		}
	}
}

// retryAfter says how long to wait before trying a failed request again,
// and why; no reason means it must not be retried.
func (c *Client) retryAfter(err error, attempt int) (time.Duration, string) {
	var limited *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	var failed *github.ErrorResponse
	var netErr net.Error
	switch {
	case errors.As(err, &limited):
		return max(limited.Rate.Reset.Time.Sub(c.now()), 0) + resetMargin, "rate_limit"
	case errors.As(err, &abuse):
		if abuse.RetryAfter != nil {
			return *abuse.RetryAfter, "secondary_rate_limit"
		}
		return secondaryWait, "secondary_rate_limit"
	case errors.As(err, &failed) && failed.Response != nil && failed.Response.StatusCode >= http.StatusInternalServerError:
		return backoff(attempt), "server_error"
	case errors.As(err, &netErr):
		return backoff(attempt), "network"
	}
	return 0, ""
}

func backoff(attempt int) time.Duration {
	d := firstBackoff << (attempt - 1)
	if d > maxBackoff || d <= 0 {
		return maxBackoff
	}
	return d
}

// client is the go-github client to use now.
func (c *Client) client() *github.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gh
}

// renew replaces the go-github client after a rate-limit wait. go-github
// remembers a limit against the wall clock and refuses requests until then
// by itself; the waiting is ours to do, on our clock, so the new client
// starts with no such memory.
func (c *Client) renew() {
	gh, err := c.build()
	if err != nil {
		return // the same settings built the first one
	}
	c.mu.Lock()
	c.gh = gh
	c.mu.Unlock()
}
