package web

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ContentSecurityPolicy allows the pages nothing but their own stylesheet,
// images and scripts: no inline code, no other origin, no framing, and
// forms that post only back here. A note that slipped past escaping could
// still run nothing.
const ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// SecureHeaders sets the security headers on every response, API and
// webhooks included: the policy costs nothing where it is not needed.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY") // frame-ancestors for browsers without CSP 2
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// LimitBody refuses request bodies larger than limit bytes: at once with a
// 413 when the Content-Length says so, and otherwise by failing the
// handler's read past the limit (http.MaxBytesReader), so that a client
// cannot make the server hold an unbounded body in memory.
func LimitBody(next http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Connection", "close") // the unread body is not worth draining
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_ = json.NewEncoder(w).Encode(map[string]string{
				"error": fmt.Sprintf("request body of %d bytes is too large: the limit is %d", r.ContentLength, limit),
			})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}
