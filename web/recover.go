package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
)

// Recover answers a panic in next with a 500 and a JSON error, and logs it
// once with its stack: the client gets an answer rather than a dropped
// connection, and the server goes on serving. A handler that had already
// started its answer has its connection cut instead, so that half an
// answer never passes for a whole one. http.ErrAbortHandler is left to
// net/http: it is how a handler asks for that cut.
func Recover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &startRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			log.ErrorContext(r.Context(), "panic serving a request", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if rec.started {
				panic(http.ErrAbortHandler)
			}
			writeError(w, http.StatusInternalServerError, "internal error: nothing was done; try again later")
		}()
		next.ServeHTTP(rec, r)
	})
}

// startRecorder remembers whether a handler started its answer.
type startRecorder struct {
	http.ResponseWriter
	started bool
}

func (r *startRecorder) WriteHeader(code int) {
	r.started = r.started || code >= 200 // 1xx informational answers may come first
	r.ResponseWriter.WriteHeader(code)
}

func (r *startRecorder) Write(b []byte) (int, error) {
	r.started = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *startRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// writeError answers status with {"error": msg}, built whole before the
// status goes out.
func writeError(w http.ResponseWriter, status int, msg string) {
	var buf bytes.Buffer
	_ = json.NewEncoder(&buf).Encode(map[string]string{"error": msg}) // a map of strings always encodes
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a failed write means the client left
}
