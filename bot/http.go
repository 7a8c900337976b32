package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Routes registers the read-only API and the health checks on mux, which
// the integrations share for their own endpoints.
//
// Every answer is JSON; an error is {"error":"<message>"} with 400 for a
// bad parameter, 404 for an unknown member or path and 405 for a method
// other than GET or HEAD.
func (b *Bot) Routes(mux *http.ServeMux) {
	get(mux, "/healthz", b.handleHealthz)
	get(mux, "/readyz", b.handleReadyz)
	get(mux, "/api/v1/ledger/head", b.handleHead)
	get(mux, "/api/v1/leaderboard", b.handleLeaderboard)
	get(mux, "/api/v1/members/{id}", b.handleMember)
	get(mux, "/api/v1/entries", b.handleEntries)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{"no such endpoint: see /api/v1/leaderboard, /api/v1/members/{id}, /api/v1/entries, /api/v1/ledger/head"})
	})
}

// Handler returns a handler serving only the bot's routes.
func (b *Bot) Handler() http.Handler {
	mux := http.NewServeMux()
	b.Routes(mux)
	return mux
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

func (b *Bot) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (b *Bot) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if err := b.Ready(r.Context()); err != nil {
		b.logger().Error("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{"database not ready"})
		return
	}
	body := map[string]string{"status": "ok"}
	if b.Role != nil {
		body["role"] = b.Role()
	}
	writeJSON(w, http.StatusOK, body)
}

// handleHead serves the head with the hash as its ETag: the hash commits
// to the whole history, so a poller's If-None-Match gets a 304 until an
// entry is appended.
func (b *Bot) handleHead(w http.ResponseWriter, r *http.Request) {
	head, err := b.Head(r.Context())
	if err == nil {
		etag := `"` + head.Hash + `"`
		w.Header().Set("ETag", etag)
		w.Header().Set("Cache-Control", "no-cache")
		if etagMatch(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	b.respond(w, r, head, err)
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

func (b *Bot) handleLeaderboard(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := limitParam(q.Get("limit"), MaxLeaderboardLimit)
	if err != nil {
		b.respond(w, r, nil, err)
		return
	}
	lb, err := b.Leaderboard(r.Context(), LeaderboardRequest{
		Window: q.Get("window"), Category: q.Get("category"), Limit: limit,
	})
	b.respond(w, r, lb, err)
}

func (b *Bot) handleMember(w http.ResponseWriter, r *http.Request) {
	p, err := b.Profile(r.Context(), r.PathValue("id"), DefaultHistoryLimit)
	b.respond(w, r, p, err)
}

func (b *Bot) handleEntries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	after, err := afterParam(q.Get("after"))
	if err != nil {
		b.respond(w, r, nil, err)
		return
	}
	limit, err := limitParam(q.Get("limit"), MaxEntriesLimit)
	if err != nil {
		b.respond(w, r, nil, err)
		return
	}
	page, err := b.Entries(r.Context(), after, limit)
	b.respond(w, r, page, err)
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

type errorBody struct {
	Error string `json:"error"`
}

// respond writes v, or err with the status its code calls for. Internal
// errors are logged in full and shown only as "internal error".
func (b *Bot) respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err == nil {
		if err := writeJSON(w, http.StatusOK, v); err != nil {
			b.logger().Error("api", "path", r.URL.Path, "err", err)
		}
		return
	}
	status := http.StatusInternalServerError
	switch ErrorCode(err) {
	case CodeInvalid:
		status = http.StatusBadRequest
	case CodeNotFound:
		status = http.StatusNotFound
	case CodeConflict:
		status = http.StatusConflict
	case CodeUnavailable:
		status = http.StatusServiceUnavailable
		b.logger().Warn("api", "path", r.URL.Path, "err", err)
	default:
		b.logger().Error("api", "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, errorBody{ErrorMessage(err)})
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
