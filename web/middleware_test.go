package web_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/web"
)

func TestSecureHeaders(t *testing.T) {
	srv := httptest.NewServer(web.SecureHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone) // errors carry the headers too
	})))
	defer srv.Close()
	resp, _ := do(t, srv, "GET", "/", nil)
	want := map[string]string{
		"Content-Security-Policy":    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "no-referrer",
		"X-Frame-Options":            "DENY",
		"Cross-Origin-Opener-Policy": "same-origin",
	}
	got := map[string]string{}
	for k := range want {
		got[k] = resp.Header.Get(k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

func TestLimitBody(t *testing.T) {
	const limit = 16
	// The handler reads the whole body, as a webhook handler does.
	srv := httptest.NewServer(web.LimitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "read past the limit", http.StatusRequestEntityTooLarge)
			return
		}
		w.Write(b)
	}), limit))
	defer srv.Close()
	tests := []struct {
		name    string
		body    io.Reader
		status  int
		message string
	}{
		{"under", strings.NewReader("0123456789"), 200, "0123456789"},
		{"at the limit", strings.NewReader(strings.Repeat("x", limit)), 200, strings.Repeat("x", limit)},
		{"announced too large", strings.NewReader(strings.Repeat("x", limit+1)), 413,
			`{"error":"request body of 17 bytes is too large: the limit is 16"}`},
		// No Content-Length: the handler's read fails at the limit.
		{"streamed too large", io.MultiReader(strings.NewReader(strings.Repeat("x", limit)), strings.NewReader("y")), 413, "read past the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := srv.Client().Post(srv.URL, "text/plain", tt.body)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || strings.TrimSpace(string(body)) != tt.message {
				t.Errorf("POST = %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.message)
			}
		})
	}
}
