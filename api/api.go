// Package api serves docracy's read-only JSON API and the health checks:
// the ledger's head and entries, the leaderboard, members, closed payout
// runs and polls, for anyone who wants to verify or reuse the record
// without Discord. It is a transport over the bot's use cases: it parses
// the request, calls bot, and turns the answer or the bot's error code
// into JSON and a status. It never holds a payout address: the bot's
// public views have none.
//
// Every answer is JSON; an error is {"error":"<message>"} with 400 for a
// bad parameter, 404 for an unknown member or path, 405 for a method other
// than GET or HEAD, 409 for a conflict, 503 when the database or an outside
// service does not answer, and 500 (message hidden, logged) otherwise.
package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// Records is what the API reads of the record; *bot.Bot provides it.
type Records interface {
	Ready(ctx context.Context) error
	Head(ctx context.Context) (ledger.Head, error)
	Leaderboard(ctx context.Context, r bot.LeaderboardRequest) (bot.Leaderboard, error)
	Profile(ctx context.Context, member string, history int) (bot.Profile, error)
	Entries(ctx context.Context, after int64, limit int) (bot.Page, error)
}

// Payouts is what the API shows of payouts; *bot.Treasury provides it.
// Both return runs without payout addresses.
type Payouts interface {
	Runs(ctx context.Context) ([]bot.Run, error)
	Run(ctx context.Context, period string) (bot.Run, error)
}

// Polls is what the API shows of polls; *bot.Assembly provides it.
type Polls interface {
	Polls(ctx context.Context) ([]bot.PollSummary, error)
	Poll(ctx context.Context, id string) (bot.Poll, error)
}

var (
	_ Records = (*bot.Bot)(nil)
	_ Payouts = (*bot.Treasury)(nil)
	_ Polls   = (*bot.Assembly)(nil)
)

// Server serves the JSON API. Set its fields, then call Routes.
type Server struct {
	Records Records
	Payouts Payouts // nil serves no /api/v1/payouts
	Polls   Polls   // nil serves no /api/v1/polls

	// Role names the part this process plays among the replicas
	// ("leader" or "follower"), for /readyz; nil leaves it out.
	Role func() string

	// Logger receives the errors a caller only sees as "internal error";
	// never secrets. Nil logs nowhere.
	Logger *slog.Logger
}

// Routes registers the API and the health checks on mux, which the
// integrations share for their own endpoints.
func (s *Server) Routes(mux *http.ServeMux) {
	get(mux, "/healthz", s.handleHealthz)
	get(mux, "/readyz", s.handleReadyz)
	get(mux, "/api/v1/ledger/head", s.handleHead)
	get(mux, "/api/v1/leaderboard", s.handleLeaderboard)
	get(mux, "/api/v1/members/{id}", s.handleMember)
	get(mux, "/api/v1/entries", s.handleEntries)
	if s.Payouts != nil {
		s.payoutRoutes(mux)
	}
	if s.Polls != nil {
		s.pollRoutes(mux)
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{"no such endpoint: see /api/v1/leaderboard, /api/v1/members/{id}, /api/v1/entries, /api/v1/ledger/head"})
	})
}

// Handler returns a handler serving only the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Routes(mux)
	return mux
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// get registers h for GET (and so HEAD) on path, and a JSON 405 for the
// other methods: the mux's own 405 is plain text.
func get(mux *http.ServeMux, path string, h http.HandlerFunc) {
	mux.HandleFunc("GET "+path, h)
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{"method " + r.Method + " not allowed: use GET"})
	})
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if err := s.Records.Ready(r.Context()); err != nil {
		s.logger().Error("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"database not ready"})
		return
	}
	body := map[string]string{"status": "ok"}
	if s.Role != nil {
		body["role"] = s.Role()
	}
	writeJSON(w, http.StatusOK, body)
}

// handleHead serves the head with the hash as its ETag: the hash commits
// to the whole history, so a poller's If-None-Match gets a 304 until an
// entry is appended.
func (s *Server) handleHead(w http.ResponseWriter, r *http.Request) {
	head, err := s.Records.Head(r.Context())
	if err == nil {
		etag := `"` + head.Hash + `"`
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", "no-cache")
		if etagMatch(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	s.respond(w, r, head, err)
}

// etagMatch reports whether an If-None-Match header names etag: "*", or a
// comma-separated list compared weakly (RFC 9110 §13.1.2).
func etagMatch(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

func (s *Server) handleLeaderboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := limitParam(q.Get("limit"), bot.MaxLeaderboardLimit)
	if err != nil {
		s.respond(w, r, nil, err)
		return
	}
	lb, err := s.Records.Leaderboard(r.Context(), bot.LeaderboardRequest{
		Window: q.Get("window"), Category: q.Get("category"), Limit: limit,
	})
	s.respond(w, r, lb, err)
}

func (s *Server) handleMember(w http.ResponseWriter, r *http.Request) {
	p, err := s.Records.Profile(r.Context(), r.PathValue("id"), bot.DefaultHistoryLimit)
	s.respond(w, r, p, err)
}

func (s *Server) handleEntries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := afterParam(q.Get("after"))
	if err != nil {
		s.respond(w, r, nil, err)
		return
	}
	limit, err := limitParam(q.Get("limit"), bot.MaxEntriesLimit)
	if err != nil {
		s.respond(w, r, nil, err)
		return
	}
	page, err := s.Records.Entries(r.Context(), after, limit)
	s.respond(w, r, page, err)
}

// limitParam reads the limit parameter. Absent is 0, the bot's default;
// an explicit 0 is out of range like any other.
func limitParam(s string, max int) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, invalidf("limit", "limit %q: give a whole number from 1 to %d", s, max)
	}
	return n, nil
}

// afterParam reads the after parameter: the seq a page starts after.
func afterParam(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, invalidf("after", "after %q: give the seq to start after, 0 or more", s)
	}
	return n, nil
}

// invalidf is a bad parameter as the bot reports one, so that it is
// answered like the bot's own refusals: a 400 naming the parameter.
func invalidf(field, format string, args ...any) *bot.Error {
	return &bot.Error{Code: bot.CodeInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

type errorBody struct {
	Error string `json:"error"`
}

// respond writes v, or err with the status its code calls for. Internal
// errors are logged in full and shown only as "internal error".
func (s *Server) respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err == nil {
		if err := writeJSON(w, http.StatusOK, v); err != nil {
			s.logger().Error("api", "path", r.URL.Path, "err", err)
		}
		return
	}
	status := http.StatusInternalServerError
	switch bot.ErrorCode(err) {
	case bot.CodeInvalid:
		status = http.StatusBadRequest
	case bot.CodeNotFound:
		status = http.StatusNotFound
	case bot.CodeConflict:
		status = http.StatusConflict
	case bot.CodeUnavailable:
		status = http.StatusServiceUnavailable
		s.logger().Warn("api", "path", r.URL.Path, "err", err)
	default:
		s.logger().Error("api", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorBody{bot.ErrorMessage(err)})
}

// writeJSON leaves <, > and & unescaped: entries must come out byte for
// byte in their one JSON form, the one the hash chain covers. It encodes
// before sending the status, so that a value JSON cannot hold becomes a
// 500 with a JSON error (and the error returned for the log) rather than a
// 200 with an empty body.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	if err != nil {
		status, buf = http.StatusInternalServerError, *bytes.NewBufferString(`{"error":"internal error"}` + "\n")
		err = fmt.Errorf("encode answer: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// A failed write means the client left: nothing to tell it.
	_, _ = w.Write(buf.Bytes())
	return err
}
