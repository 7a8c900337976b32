package github

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/docracy/docracy/bot"
)

// MaxPayload is the largest webhook body read: GitHub caps payloads at 25 MB.
const MaxPayload = 25 << 20

// handleTimeout bounds the work on a checked delivery. The work does not
// stop when GitHub hangs up: a signed delivery is credited all the same,
// and its redelivery then finds it done.
const handleTimeout = 10 * time.Second

// The events the webhook acts on; every other one is answered 204.
const (
	eventPing        = "ping"
	eventPullRequest = "pull_request"
	eventReview      = "pull_request_review"
)

// Crediter is the part of the bot the webhook calls; *bot.GitHub
// implements it.
type Crediter interface {
	PullRequestMerged(ctx context.Context, d bot.Delivery, pr bot.PullRequest) (bot.GitHubOutcome, error)
	ReviewSubmitted(ctx context.Context, d bot.Delivery, r bot.Review) (bot.GitHubOutcome, error)
}

var _ Crediter = (*bot.GitHub)(nil)

// Handler serves POST /github/webhook. It checks a delivery, then handles
// it, and answers once what it stored is committed: a 2xx means stored.
// Every delivery is logged with its id, event, action, repository and
// outcome, and counted.
type Handler struct {
	secret  []byte
	bot     Crediter
	metrics *Metrics

	Logger *slog.Logger
}

// NewHandler returns a handler that accepts deliveries signed with secret
// and credits them through b. m may be nil.
func NewHandler(secret string, b Crediter, m *Metrics) *Handler {
	return &Handler{secret: []byte(secret), bot: b, metrics: m, Logger: slog.New(slog.DiscardHandler)}
}

// delivery is a webhook delivery that passed the checks.
type delivery struct {
	id      string // X-GitHub-Delivery
	event   string // X-GitHub-Event
	payload []byte
}

// answer is what a delivery came to: the response, and what is logged and
// counted about it.
type answer struct {
	status  int
	outcome string // the metric's label and the log's value
	reply   *reply // the JSON body; nil for none
	action  string
	repo    string
	err     error // logged, never sent
}

// reply is the JSON body of an answer. GitHub shows it in the webhook's
// recent deliveries, so it says what happened and why.
type reply struct {
	Outcome string  `json:"outcome,omitempty"`
	Reason  string  `json:"reason,omitempty"`
	Entries []int64 `json:"entries,omitempty"` // seqs of the credits
	Error   string  `json:"error,omitempty"`
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	d, a := h.check(w, r)
	if a.status == 0 {
		a = h.handle(r.Context(), d)
	}
	writeReply(w, a)
	took := time.Since(start)
	h.metrics.webhook(eventLabel(d.event), a.outcome, took)
	if a.outcome == bot.OutcomeCredited {
		h.metrics.credited("webhook", len(a.reply.Entries))
	}
	h.log(r.Context(), d, a, took)
}

// check refuses what is not a well-formed, signed GitHub delivery. It
// returns an answer with status 0 when the delivery may be handled.
func (h *Handler) check(w http.ResponseWriter, r *http.Request) (delivery, answer) {
	d := delivery{id: github.DeliveryID(r), event: github.WebHookType(r)}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return d, refuse(http.StatusMethodNotAllowed, "method_not_allowed", "method %s not allowed: GitHub sends POST", r.Method)
	}
	signature := r.Header.Get(github.SHA256SignatureHeader)
	if signature == "" {
		return d, refuse(http.StatusUnauthorized, "bad_signature", "missing %s: give the webhook a secret", github.SHA256SignatureHeader)
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType != mediaJSON && mediaType != mediaForm {
		return d, refuse(http.StatusUnsupportedMediaType, "unsupported_media_type", "content type %q: set the webhook's to application/json", mediaType)
	}
	payload, a := h.checkBody(w, r, d, signature, mediaType)
	d.payload = payload
	return d, a
}

// The content types a webhook may be set to.
const (
	mediaJSON = "application/json"
	mediaForm = "application/x-www-form-urlencoded"
)

// checkBody reads the body and checks its signature before anything in
// it or in the headers it covers is believed, then finds the payload: a
// bad signature is a 401, a signed body that cannot be parsed a 400.
func (h *Handler) checkBody(w http.ResponseWriter, r *http.Request, d delivery, signature, mediaType string) ([]byte, answer) {
	body, err := readBody(w, r, MaxPayload)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, refuse(http.StatusRequestEntityTooLarge, "too_large", "payload larger than %d bytes", MaxPayload)
	case err != nil:
		return nil, refuse(http.StatusBadRequest, "bad_request", "cannot read the body: %v", err)
	case !h.signed(signature, body):
		return nil, refuse(http.StatusUnauthorized, "bad_signature", "signature does not match the payload: check the webhook's secret")
	case d.event == "":
		return nil, refuse(http.StatusBadRequest, "bad_request", "missing X-GitHub-Event")
	case d.id == "":
		return nil, refuse(http.StatusBadRequest, "bad_request", "missing X-GitHub-Delivery")
	}
	payload, err := payloadOf(mediaType, body)
	if err != nil {
		return nil, badRequest(answer{}, err)
	}
	return payload, answer{}
}

// readBody reads the body into one buffer of the length the sender
// declared rather than one grown as bytes come: 24 MiB then take 24 MiB,
// not up to twice that. A length over limit is refused unread.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength < 0 {
		return io.ReadAll(body)
	}
	buf := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// signed reports whether signature is "sha256=" and the hex HMAC-SHA256 of
// body under the secret. go-github's ValidatePayload takes the hash from
// the prefix, so it would take a SHA-1 signature in the SHA-256 header.
func (h *Handler) signed(signature string, body []byte) bool {
	sum, ok := strings.CutPrefix(signature, "sha256=")
	got, err := hex.DecodeString(sum)
	if !ok || err != nil {
		return false
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// payloadOf is the JSON payload of a signed body: the body itself, or the
// payload field of a form.
func payloadOf(mediaType string, body []byte) ([]byte, error) {
	payload := body
	if mediaType == mediaForm {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("form body: %w", err)
		}
		if payload = []byte(form.Get("payload")); len(payload) == 0 {
			return nil, errors.New("form body: missing payload field")
		}
	}
	return payload, nil
}

func refuse(status int, outcome, format string, args ...any) answer {
	return answer{status: status, outcome: outcome, reply: &reply{Error: fmt.Sprintf(format, args...)}}
}

// handle acts on a checked delivery.
func (h *Handler) handle(ctx context.Context, d delivery) answer {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
	defer cancel()
	switch d.event {
	case eventPing:
		if _, err := parse(d); err != nil {
			return badRequest(answer{}, err)
		}
		return answer{status: http.StatusOK, outcome: "pong", reply: &reply{Outcome: "pong"}}
	case eventPullRequest:
		return h.pullRequest(ctx, d)
	case eventReview:
		return h.review(ctx, d)
	}
	return answer{status: http.StatusNoContent, outcome: "ignored"}
}

func (h *Handler) pullRequest(ctx context.Context, d delivery) answer {
	if err := isObject(d.payload); err != nil {
		return badRequest(answer{}, err)
	}
	ev, err := decodePullRequestEvent(d.payload)
	if err != nil {
		return badRequest(answer{}, err)
	}
	acted := ev.GetAction() == "closed" && ev.GetPullRequest().GetMerged()
	pr, a, ok := actedOn(ev.Action, acted, ev.PullRequest, ev.Repo)
	if !ok {
		return a
	}
	if pr.MergedBy == "" {
		pr.MergedBy = ev.GetSender().GetLogin() // who closed it by merging
	}
	out, err := h.bot.PullRequestMerged(ctx, bot.Delivery{ID: d.id, Event: d.event}, pr)
	return outcome(a, out, err)
}

func (h *Handler) review(ctx context.Context, d delivery) answer {
	if err := isObject(d.payload); err != nil {
		return badRequest(answer{}, err)
	}
	ev, err := decodeReviewEvent(d.payload)
	if err != nil {
		return badRequest(answer{}, err)
	}
	pr, a, ok := actedOn(ev.Action, ev.GetAction() == "submitted", ev.PullRequest, ev.Repo)
	if !ok {
		return a
	}
	r, err := review(ev.Review, pr, "review")
	if err != nil {
		return badRequest(a, err)
	}
	out, err := h.bot.ReviewSubmitted(ctx, bot.Delivery{ID: d.id, Event: d.event}, r)
	return outcome(a, out, err)
}

// actedOn checks what pull request and review events share: an action,
// one the webhook acts on, and a well-formed pull request. It returns the
// answer so far, final unless ok.
func actedOn(action *string, acted bool, p *github.PullRequest, repo *github.Repository) (bot.PullRequest, answer, bool) {
	a := answer{repo: repo.GetFullName()}
	if action == nil {
		return bot.PullRequest{}, badRequest(a, missing("action")), false
	}
	if a.action = *action; !acted {
		return bot.PullRequest{}, ignored(a), false
	}
	pr, err := pullRequest(p, repo, "pull_request")
	if err != nil {
		return bot.PullRequest{}, badRequest(a, err), false
	}
	return pr, a, true
}

// parse decodes the payload of an event the webhook acts on in full.
func parse(d delivery) (any, error) {
	if err := isObject(d.payload); err != nil {
		return nil, err
	}
	return github.ParseWebHook(d.event, d.payload)
}

// isObject refuses a payload that is not a JSON object: decoding turns
// JSON null into a nil event, and an array or a number into an error
// that would not say what is wrong.
func isObject(payload []byte) error {
	if !bytes.HasPrefix(bytes.TrimLeft(payload, " \t\r\n"), []byte("{")) {
		return errors.New("payload is not a JSON object")
	}
	return nil
}

func ignored(a answer) answer {
	a.status, a.outcome = http.StatusNoContent, "ignored"
	return a
}

func badRequest(a answer, err error) answer {
	a.status, a.outcome, a.reply = http.StatusBadRequest, "bad_request", &reply{Error: err.Error()}
	return a
}

// outcome answers with what the bot did. Only a failure to store is a 5xx:
// GitHub marks the delivery failed, and reconcile catches it up.
func outcome(a answer, out bot.GitHubOutcome, err error) answer {
	switch {
	case err != nil && bot.ErrorCode(err) == bot.CodeInvalid:
		return badRequest(a, err)
	case err != nil:
		a.status, a.outcome, a.err = http.StatusInternalServerError, "error", err
		a.reply = &reply{Error: "internal error: nothing was stored; redeliver later"}
		return a
	}
	a.status, a.outcome = http.StatusOK, out.Status
	a.reply = &reply{Outcome: out.Status, Reason: out.Reason}
	for _, e := range out.Entries {
		a.reply.Entries = append(a.reply.Entries, e.Seq)
	}
	return a
}

// writeReply leaves <, > and & unescaped, as every JSON docracy writes.
func writeReply(w http.ResponseWriter, a answer) {
	if a.reply == nil {
		w.WriteHeader(a.status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(a.status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(a.reply) // a failed write means GitHub left
}

// eventLabel bounds the metric's event label: the header is the sender's
// to choose until the signature is checked.
func eventLabel(event string) string {
	switch event {
	case eventPing, eventPullRequest, eventReview:
		return event
	}
	return "other"
}

func (h *Handler) log(ctx context.Context, d delivery, a answer, took time.Duration) {
	level := slog.LevelInfo
	switch {
	case a.status >= 500:
		level = slog.LevelError
	case a.status >= 400:
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("delivery", clipHeader(d.id)), slog.String("event", clipHeader(d.event)),
		slog.String("action", a.action), slog.String("repo", a.repo),
		slog.String("outcome", a.outcome), slog.Int("status", a.status), slog.Duration("took", took),
	}
	if a.reply != nil && a.reply.Reason != "" {
		attrs = append(attrs, slog.String("reason", a.reply.Reason))
	}
	if a.reply != nil && a.reply.Error != "" && a.err == nil {
		attrs = append(attrs, slog.String("reason", a.reply.Error))
	}
	if a.err != nil {
		attrs = append(attrs, slog.Any("err", a.err))
	}
	h.Logger.LogAttrs(ctx, level, "github webhook", attrs...)
}

// clipHeader keeps a header the sender chose from filling the log.
func clipHeader(s string) string {
	const max = 100
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
