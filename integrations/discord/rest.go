package discord

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/redact"
)

// SessionOptions tune NewSession; the zero value is what serve uses.
type SessionOptions struct {
	// Transport carries the requests; nil means a transport with dial,
	// TLS and response-header timeouts. Tests give one that reaches a fake.
	Transport http.RoundTripper
	// Timeout bounds one call, retries of a 5xx included; 0 means 30 s.
	Timeout time.Duration
	// ServerErrorRetries is how many times a 5xx is retried; 0 means 3.
	ServerErrorRetries int
	// Backoff is the wait before the first 5xx retry, doubled at each
	// retry; 0 means 500 ms.
	Backoff time.Duration
	// MaxBucketWait caps the waits Discord's rate-limit headers ask
	// discordgo's buckets for; 0 means 30 s.
	MaxBucketWait time.Duration
	// BaseURL, when set, receives every REST call instead of discord.com
	// (discord.api_url): a proxy, or a fake Discord in tests.
	BaseURL string
	Metrics *Metrics
}

// NewSession returns a discordgo session for the bot token ("" for an
// application that only answers HTTP interactions: following up needs no
// token). Every REST call it makes is bounded:
//
//   - ShouldRetryOnRateLimit is off: discordgo would retry a 429 for as
//     long as Discord answers 429, with no limit. REST retries it a bounded
//     number of times instead, and gives up on a long retry_after.
//   - MaxRestRetries is 0: discordgo retries a 502 at once, with no
//     backoff. The client's transport retries every 5xx with exponential
//     backoff, a bounded number of times.
//   - The client times out, and rate-limit headers asking for a longer
//     wait than MaxBucketWait are capped, so no bucket sleeps for hours.
func NewSession(token string, o SessionOptions) (*discordgo.Session, error) {
	auth := ""
	if token != "" {
		auth = "Bot " + token
	}
	s, err := discordgo.New(auth)
	if err != nil {
		return nil, fmt.Errorf("discord session: %w", err)
	}
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 0
	s.StateEnabled = false
	s.Identify.Intents = discordgo.IntentsGuilds // interactions need no privileged intent
	s.LogLevel = discordgo.LogError
	next := o.Transport
	if next == nil {
		next = defaultTransport()
	}
	if o.BaseURL != "" {
		base, err := url.Parse(o.BaseURL)
		if err != nil || base.Host == "" {
			return nil, fmt.Errorf("discord api url %q: want an http(s) URL", o.BaseURL)
		}
		next = &rebase{base: base, next: next}
	}
	s.Client = &http.Client{Timeout: orDefault(o.Timeout, 30*time.Second), Transport: &retryTransport{
		next:    next,
		retries: orDefault(o.ServerErrorRetries, 3),
		backoff: orDefault(o.Backoff, 500*time.Millisecond),
		maxWait: orDefault(o.MaxBucketWait, 30*time.Second),
		metrics: o.Metrics,
	}}
	return s, nil
}

// rebase sends requests for discord.com to another address: discordgo's
// endpoints are absolute URLs, computed once, so the host is changed on
// the way out instead.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.base.Scheme, t.base.Host, t.base.Host
	r.URL.Path = strings.TrimSuffix(t.base.Path, "/") + r.URL.Path
	return t.next.RoundTrip(r)
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func defaultTransport() http.RoundTripper {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   10,
		ForceAttemptHTTP2:     true,
	}
}

// retryTransport retries a 5xx with exponential backoff, a bounded number
// of times, and caps the waits that rate-limit headers ask for.
type retryTransport struct {
	next    http.RoundTripper
	retries int
	backoff time.Duration
	maxWait time.Duration
	metrics *Metrics
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			var err error
			if r, err = rewind(req); err != nil {
				return nil, err
			}
		}
		resp, err := t.next.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		capRateLimit(resp.Header, t.maxWait)
		if resp.StatusCode < 500 || attempt >= t.retries || (req.Body != nil && req.GetBody == nil) {
			return resp, nil
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		t.metrics.retry("server_error")
		if err := bot.Sleep(req.Context(), t.backoff<<attempt); err != nil {
			return nil, err
		}
	}
}

// rewind returns a copy of req with its body ready to be sent again.
func rewind(req *http.Request) (*http.Request, error) {
	r := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return r, nil
}

// capRateLimit caps the bucket reset Discord asks for. discordgo prefers
// X-RateLimit-Reset-After; without it, it would compute a wait from
// X-RateLimit-Reset and the Date header, which nothing bounds, so that one
// is dropped.
func capRateLimit(h http.Header, max time.Duration) {
	after := h.Get("X-RateLimit-Reset-After")
	if after == "" {
		h.Del("X-RateLimit-Reset")
		return
	}
	if secs, err := strconv.ParseFloat(after, 64); err != nil || secs > max.Seconds() || secs < 0 {
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(max.Seconds(), 'f', 3, 64))
	}
}

// REST calls Discord's REST API through a session made by NewSession,
// retrying a 429 at most RateLimitRetries times and never waiting longer
// than MaxRetryAfter for one.
type REST struct {
	Session          *discordgo.Session
	RateLimitRetries int           // 0 means none
	MaxRetryAfter    time.Duration // a longer retry_after fails the call at once
	Metrics          *Metrics
}

// NewREST returns a REST with the defaults serve uses: 3 retries of a
// 429, none that asks to wait more than 10 s.
func NewREST(s *discordgo.Session, m *Metrics) *REST {
	return &REST{Session: s, RateLimitRetries: 3, MaxRetryAfter: 10 * time.Second, Metrics: m}
}

// call runs one REST call with ctx, retrying it on a 429 within bounds.
func (r *REST) call(ctx context.Context, op string, fn func(...discordgo.RequestOption) error) error {
	for attempt := 0; ; attempt++ {
		err := fn(discordgo.WithContext(ctx))
		var limited *discordgo.RateLimitError
		if !errors.As(err, &limited) {
			if err != nil {
				return fmt.Errorf("discord %s: %w", op, clean(err))
			}
			return nil
		}
		wait := limited.RetryAfter
		if attempt >= r.RateLimitRetries || wait > r.MaxRetryAfter {
			return fmt.Errorf("discord %s: rate limited, retry after %s: giving up", op, wait)
		}
		r.Metrics.retry("rate_limited")
		if err := bot.Sleep(ctx, wait); err != nil {
			return fmt.Errorf("discord %s: %w", op, err)
		}
	}
}

// clean takes the tokens out of a failed call's error: discordgo's and
// net/http's errors quote the URL, which holds a webhook or interaction
// token, and Discord's error body, which is cut short.
func clean(err error) error {
	r := redact.New()
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		return fmt.Errorf("HTTP %s: %s", rest.Response.Status, r.Body(rest.ResponseBody))
	}
	return r.Error(err)
}

// Respond sends the first response to an interaction (gateway only: over
// HTTP it is the response body).
func (r *REST) Respond(ctx context.Context, i *discordgo.Interaction, resp *discordgo.InteractionResponse) error {
	return r.call(ctx, "respond", func(o ...discordgo.RequestOption) error {
		return r.Session.InteractionRespond(i, resp, o...)
	})
}

// Edit replaces the first response, e.g. a deferral, with the result.
func (r *REST) Edit(ctx context.Context, i *discordgo.Interaction, edit *discordgo.WebhookEdit) error {
	return r.call(ctx, "edit response", func(o ...discordgo.RequestOption) error {
		_, err := r.Session.InteractionResponseEdit(i, edit, o...)
		return err
	})
}

// Delete deletes the first response.
func (r *REST) Delete(ctx context.Context, i *discordgo.Interaction) error {
	return r.call(ctx, "delete response", func(o ...discordgo.RequestOption) error {
		return r.Session.InteractionResponseDelete(i, o...)
	})
}

// FollowUp sends a new message after the first response.
func (r *REST) FollowUp(ctx context.Context, i *discordgo.Interaction, params *discordgo.WebhookParams) error {
	return r.call(ctx, "follow up", func(o ...discordgo.RequestOption) error {
		_, err := r.Session.FollowupMessageCreate(i, true, params, o...)
		return err
	})
}

// Commands lists the registered commands, of a guild or global ("").
func (r *REST) Commands(ctx context.Context, appID, guildID string) (cmds []*discordgo.ApplicationCommand, err error) {
	err = r.call(ctx, "list commands", func(o ...discordgo.RequestOption) error {
		cmds, err = r.Session.ApplicationCommands(appID, guildID, o...)
		return err
	})
	return cmds, err
}

// Overwrite replaces the registered commands with cmds in one call.
func (r *REST) Overwrite(ctx context.Context, appID, guildID string, cmds []*discordgo.ApplicationCommand) (out []*discordgo.ApplicationCommand, err error) {
	err = r.call(ctx, "overwrite commands", func(o ...discordgo.RequestOption) error {
		out, err = r.Session.ApplicationCommandBulkOverwrite(appID, guildID, cmds, o...)
		return err
	})
	return out, err
}

// ApplicationID asks Discord for the bot's application id, for when
// discord.application_id is not set.
func (r *REST) ApplicationID(ctx context.Context) (string, error) {
	var id string
	err := r.call(ctx, "application", func(o ...discordgo.RequestOption) error {
		body, err := r.Session.RequestWithBucketID("GET", discordgo.EndpointOAuth2Application("@me"), nil, discordgo.EndpointOAuth2Application(""), o...)
		if err != nil {
			return err
		}
		var app discordgo.Application
		if err := discordgo.Unmarshal(body, &app); err != nil {
			return err
		}
		id = app.ID
		return nil
	})
	return id, err
}

// PostMessage creates a message in a channel as the bot.
func (r *REST) PostMessage(ctx context.Context, channelID string, m *discordgo.MessageSend) (msg *discordgo.Message, err error) {
	err = r.call(ctx, "post message", func(o ...discordgo.RequestOption) error {
		msg, err = r.Session.ChannelMessageSendComplex(channelID, m, o...)
		return err
	})
	return msg, err
}

// EditMessage edits a message the bot posted in a channel.
func (r *REST) EditMessage(ctx context.Context, m *discordgo.MessageEdit) error {
	return r.call(ctx, "edit message", func(o ...discordgo.RequestOption) error {
		_, err := r.Session.ChannelMessageEditComplex(m, o...)
		return err
	})
}
