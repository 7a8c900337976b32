package github_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	ghint "github.com/docracy/docracy/integrations/github"
)

// pathRecorder answers every request as GitHub would the two that matter
// here, and keeps the host and path each one was sent to.
type pathRecorder struct {
	mu    sync.Mutex
	paths []string
}

func (p *pathRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.paths = append(p.paths, r.Host+r.URL.Path)
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if strings.HasSuffix(r.URL.Path, "/users/octocat") {
		w.Write([]byte(`{"login":"octocat","id":583231,"type":"User","bio":"docracy-link-ab12"}`))
		return
	}
	w.Write([]byte(`[]`))
}

// toLoopback sends every request to srv, whatever its address says, so
// that the default api.github.com is observed too.
type toLoopback struct{ srv *httptest.Server }

func (l toLoopback) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host = "http", strings.TrimPrefix(l.srv.URL, "http://")
	return l.srv.Client().Transport.RoundTrip(r)
}

// Every form of github.api_url people write takes the /link profile read
// and reconcile to the same API root.
func TestAPIURLFormsReachOneRoot(t *testing.T) {
	const host = "ghe.example.org"
	for _, tc := range []struct{ apiURL, root string }{
		{"", "api.github.com/"},
		{"https://" + host, host + "/api/v3/"},
		{"https://" + host + "/", host + "/api/v3/"},
		{"https://" + host + "/api/v3", host + "/api/v3/"},
		{"https://" + host + "/api/v3/", host + "/api/v3/"},
	} {
		t.Run(tc.apiURL, func(t *testing.T) {
			rec := &pathRecorder{}
			srv := httptest.NewServer(rec)
			t.Cleanup(srv.Close)
			c, err := ghint.NewClient(&http.Client{Transport: toLoopback{srv}}, tc.apiURL, "", nil)
			if err != nil {
				t.Fatalf("NewClient(%q): %v", tc.apiURL, err)
			}
			readBoth(t, c)
			want := []string{tc.root + "users/octocat", tc.root + "repos/docracy/coop/pulls"}
			if strings.Join(rec.paths, " ") != strings.Join(want, " ") {
				t.Errorf("api_url %q: requests went to %q, want %q", tc.apiURL, rec.paths, want)
			}
		})
	}
}

// readBoth reads a profile as /link does and a page of pull requests as
// reconcile does.
func readBoth(t *testing.T, c *ghint.Client) {
	t.Helper()
	p, err := c.Profile(context.Background(), "octocat")
	if err != nil || p != (bot.GitHubProfile{ID: 583231, Login: "octocat", Bio: "docracy-link-ab12"}) {
		t.Fatalf("Profile = %+v, %v", p, err)
	}
	err = c.ClosedPullRequests(context.Background(), "docracy/coop", time.Time{}, 1, func(bot.PRPage) error { return nil })
	if err != nil {
		t.Fatalf("ClosedPullRequests: %v", err)
	}
}
