package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestEscaping checks that what members and integrations write is shown
// as text: a name, a note with markup, a javascript: link.
func TestEscaping(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/", "/members/4", "/payouts/2026-02"} {
		t.Run(path, func(t *testing.T) {
			resp, body := f.get(t, "GET", path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status = %d", resp.StatusCode)
			}
			if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("the name is not shown as text")
			}
			for _, bad := range []string{"<script", "<img src=x", "javascript:", "onerror=\""} {
				if strings.Contains(body, bad) {
					t.Errorf("page holds %q:\n%s", bad, body)
				}
			}
		})
	}
	_, body := f.get(t, "GET", "/members/4")
	for _, want := range []string{`&lt;img src=x onerror=&#34;alert(2)&#34;&gt;`, `href="#ZgotmplZ"`} {
		if !strings.Contains(body, want) {
			t.Errorf("member page lacks %s", want)
		}
	}
}

func TestPageErrors(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		method, path string
		status       int
		message      string
	}{
		{"GET", "/?window=1y", 400, `window &#34;1y&#34;: use 7d, 30d or all`},
		{"GET", "/?category=poetry", 400, `category &#34;poetry&#34; is not one of code, review, doc, bug`},
		{"GET", "/members/99", 404, "member 99 does not exist"},
		{"GET", "/members/github:ghost", 404, "no member holds github:ghost yet"},
		{"GET", "/members/alice", 400, `member &#34;alice&#34;: name a member as github:&lt;login&gt;`},
		{"GET", "/payouts/2026-01", 404, "period 2026-01 is not closed"},
		{"GET", "/payouts/january", 400, `period &#34;january&#34;: payouts are monthly`},
		{"GET", "/nowhere", 404, "There is no page at this address."},
		{"GET", "/static/missing.css", 404, "There is no file at this address."},
		{"POST", "/", 405, "This page can only be read (GET)."},
		{"DELETE", "/members/1", 405, "This page can only be read (GET)."},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp, body := f.get(t, tt.method, tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q, want HTML", ct)
			}
			if got := section(t, body, "error-message"); !strings.Contains(got, tt.message) {
				t.Errorf("message = %s, want one with %s", got, tt.message)
			}
			if tt.status == 405 && resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("Allow = %q", resp.Header.Get("Allow"))
			}
		})
	}
}

func TestHeadRequest(t *testing.T) {
	f := newFixture(t)
	resp, body := f.get(t, "HEAD", "/members/1")
	if resp.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD = %d with %d bytes, want 200 and no body", resp.StatusCode, len(body))
	}
}
