package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestStatic(t *testing.T) {
	f := newFixture(t)
	_, page := f.get(t, "GET", "/")
	m := regexp.MustCompile(`<link rel="stylesheet" href="(/static/style\.css\?v=([0-9a-f]{10}))">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the page links no versioned stylesheet:\n%s", page)
	}
	versioned, etag := m[1], `"`+m[2]+`"`
	tests := []struct {
		name        string
		path        string
		header      http.Header
		status      int
		cache       string
		contentType string
	}{
		{"current version", versioned, nil, 200, "public, max-age=31536000, immutable", "text/css; charset=utf-8"},
		{"no version", "/static/style.css", nil, 200, "no-cache", "text/css; charset=utf-8"},
		{"old version", "/static/style.css?v=0000000000", nil, 200, "no-cache", "text/css; charset=utf-8"},
		{"revalidated", "/static/style.css", http.Header{"If-None-Match": {etag}}, 304, "no-cache", ""},
		{"icon", "/static/icon.svg", nil, 200, "no-cache", "image/svg+xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, f.srv, "GET", tt.path, tt.header)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if got := resp.Header.Get("Content-Type"); tt.contentType != "" && got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if tt.status == 200 && (resp.Header.Get("ETag") == "" || len(body) == 0) {
				t.Errorf("ETag %q, %d bytes", resp.Header.Get("ETag"), len(body))
			}
		})
	}
}

// TestNoInlineCode checks the pages against the policy they are served
// with: no inline script, style or event handler that the CSP would block.
func TestNoInlineCode(t *testing.T) {
	f := newFixture(t)
	inline := regexp.MustCompile(`(?i)<script|<style|\sstyle=["']|\son[a-z]+=["']`)
	for _, path := range []string{"/", "/members/1", "/members/4", "/payouts/2026-02", "/nowhere"} {
		_, body := f.get(t, "GET", path)
		if m := inline.FindString(body); m != "" {
			t.Errorf("%s holds %q, which the Content-Security-Policy blocks", path, m)
		}
		if !strings.Contains(body, `<main id="main"`) || !strings.Contains(body, "<header") || !strings.Contains(body, "<footer") || !strings.Contains(body, "<nav") {
			t.Errorf("%s lacks a landmark (header, nav, main, footer)", path)
		}
	}
}
