package github_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/docracy/docracy/bot"
	ghint "github.com/docracy/docracy/integrations/github"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// testSecret signs the test deliveries.
const testSecret = "a webhook secret for tests"

// webhooks is where the recorded payloads are (see testdata/github/LICENSE.octokit-webhooks).
const webhooks = "../../testdata/github/webhooks/"

// recorded reads a recorded payload as GitHub sent it.
func recorded(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(webhooks, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decode reads a payload as a tree that a test may edit.
func decode(t testing.TB, payload []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// set sets the value at a dotted path of a decoded payload; a nil value
// deletes it.
func set(m map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if v == nil {
		delete(m, keys[len(keys)-1])
		return
	}
	m[keys[len(keys)-1]] = v
}

// sign is X-Hub-Signature-256 as GitHub computes it.
func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// delivery is a signed webhook request.
func delivery(t testing.TB, url, event, id string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("User-Agent", "GitHub-Hookshot/044aadd")
	r.Header.Set("X-GitHub-Event", event)
	r.Header.Set("X-GitHub-Delivery", id)
	r.Header.Set("X-Hub-Signature-256", sign(testSecret, body))
	return r
}

// fixture is a webhook handler over the real bot and a real ledger file.
type fixture struct {
	ledger  *ledger.Ledger
	github  *bot.GitHub
	handler *ghint.Handler
	metrics *ghint.Metrics
	reg     *prometheus.Registry
	logs    *testkit.LockedBuffer
}

// now is the clock of the tests.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newFixture(t testing.TB, rules bot.GitHubRules) *fixture {
	t.Helper()
	clock := func() time.Time { return now }
	l := ledgertest.Open(t, clock)
	logs := &testkit.LockedBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	g := bot.NewGitHub(l, rules)
	g.Now, g.Logger = clock, log
	reg := prometheus.NewRegistry()
	m := ghint.NewMetrics(reg)
	h := ghint.NewHandler(testSecret, g, m)
	h.Logger = log
	return &fixture{ledger: l, github: g, handler: h, metrics: m, reg: reg, logs: logs}
}

// defaultRules are the rules of the default configuration.
func defaultRules() bot.GitHubRules {
	return bot.GitHubRules{
		MergedPR: 5, Review: 2,
		Labels: map[string]bot.LabelRule{
			"security":      {Category: "security", Bonus: 10},
			"documentation": {Category: "doc"},
			"no-credit":     {Skip: true},
		},
	}
}

// serve sends a request to the handler and returns the response.
func (f *fixture) serve(r *http.Request) *http.Response {
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w.Result()
}

func (f *fixture) entries(t testing.TB) []ledger.Entry {
	t.Helper()
	entries, err := f.ledger.Entries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// counter reads a counter of the registry by its labels.
func counter(t testing.TB, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if hasLabels(m, labels) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func hasLabels(m *dto.Metric, labels map[string]string) bool {
	found := 0
	for _, l := range m.GetLabel() {
		if v, ok := labels[l.GetName()]; ok && v == l.GetValue() {
			found++
		}
	}
	return found == len(labels)
}

// readBody reads and closes a response body.
func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
