package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
)

// TestHeadETag checks that pollers of the head can revalidate: the ETag is
// the hash, a matching If-None-Match gets an empty 304, and an append
// changes the tag.
func TestHeadETag(t *testing.T) {
	b, _ := newBot(t)
	first := credit(t, b, "github:alice", 5, "code", time.Hour)
	srv := serve(t, b)
	etag := `"` + first.Hash + `"`

	tests := []struct {
		name, ifNoneMatch string
		status            int
	}{
		{"no condition", "", 200},
		{"current", etag, 304},
		{"weak", "W/" + etag, 304},
		{"in a list", `"stale", ` + etag, 304},
		{"any", "*", 304},
		{"stale", `"0000"`, 200},
		{"unquoted", first.Hash, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := getWith(t, srv, "/api/v1/ledger/head", tt.ifNoneMatch)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("ETag"); got != etag {
				t.Errorf("ETag = %q, want %q", got, etag)
			}
			if got := resp.Header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", got)
			}
			if tt.status == 304 && len(body) != 0 {
				t.Errorf("304 with a body: %s", body)
			}
		})
	}

	second := credit(t, b, "github:bob", 1, "doc", 0)
	resp, body := getWith(t, srv, "/api/v1/ledger/head", etag)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"`+second.Hash+`"` {
		t.Errorf("after an append: %d, ETag %s, body %s; want 200 with the new hash", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
}

func getWith(t *testing.T, srv *httptest.Server, path, ifNoneMatch string) (*http.Response, []byte) {
	t.Helper()
	header := http.Header{}
	if ifNoneMatch != "" {
		header.Set("If-None-Match", ifNoneMatch)
	}
	return testkit.Do(t, srv.Client(), "GET", srv.URL+path, header, nil)
}
