package web_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/docracy/docracy/api"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/web"
)

// samples gathers reg into "name{label="value",…}" → value, with a
// histogram read as its _count, so tests can compare scrapes as maps.
func samples(t *testing.T, reg prometheus.Gatherer, prefix string) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), prefix) {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			name := f.GetName()
			if len(labels) > 0 {
				name += "{" + strings.Join(labels, ",") + "}"
			}
			switch f.GetType() {
			case dto.MetricType_HISTOGRAM:
				out[name] = float64(m.GetHistogram().GetSampleCount())
			case dto.MetricType_GAUGE:
				out[name] = m.GetGauge().GetValue()
			case dto.MetricType_COUNTER:
				out[name] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

func TestInstrument(t *testing.T) {
	f := newFixture(t)
	reg := prometheus.NewRegistry()
	m := web.NewHTTPMetrics(reg)
	mux := http.NewServeMux()
	(&api.Server{Records: f.bot}).Routes(mux)
	f.dashboard.Routes(mux)
	srv := httptest.NewServer(web.SecureHeaders(m.Instrument(mux)))
	defer srv.Close()
	for _, r := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/?window=7d"}, {"GET", "/?window=1y"},
		{"GET", "/members/1"}, {"GET", "/members/2"}, {"GET", "/members/99"},
		{"HEAD", "/api/v1/ledger/head"}, {"POST", "/api/v1/entries"},
		{"GET", "/no/such/page"}, {"BREW", "/"},
	} {
		do(t, srv, r.method, r.path, nil)
	}
	// Member ids and unknown paths are folded into their pattern.
	want := map[string]float64{
		`docracy_http_request_duration_seconds{code="200",method="GET",route="/{$}"}`:                 1 + 1,
		`docracy_http_request_duration_seconds{code="400",method="GET",route="/{$}"}`:                 1,
		`docracy_http_request_duration_seconds{code="200",method="GET",route="/members/{id}"}`:        2,
		`docracy_http_request_duration_seconds{code="404",method="GET",route="/members/{id}"}`:        1,
		`docracy_http_request_duration_seconds{code="200",method="HEAD",route="/api/v1/ledger/head"}`: 1,
		`docracy_http_request_duration_seconds{code="405",method="POST",route="/api/v1/entries"}`:     1,
		`docracy_http_request_duration_seconds{code="404",method="GET",route="/"}`:                    1,
		`docracy_http_request_duration_seconds{code="405",method="other",route="/{$}"}`:               1,
	}
	if diff := cmp.Diff(want, samples(t, reg, "docracy_http")); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

// failingSize fails the member count, as a locked or closed database would.
type failingSize struct{ web.LedgerSize }

func (failingSize) Members(context.Context) ([]ledger.Member, error) {
	return nil, errors.New("database is closed")
}

func TestLedgerCollector(t *testing.T) {
	f := newFixture(t)
	head, err := f.ledger.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		size   web.LedgerSize
		verify bool
		want   map[string]float64
	}{
		{"before verification", f.ledger, false, map[string]float64{
			"docracy_ledger_entries": float64(head.Seq), "docracy_ledger_members": 4,
		}},
		{"after verification", f.ledger, true, map[string]float64{
			"docracy_ledger_entries": float64(head.Seq), "docracy_ledger_members": 4,
			"docracy_ledger_verified": 1, "docracy_ledger_verified_seq": float64(head.Seq),
			"docracy_ledger_verification_timestamp_seconds": float64(now.Unix()),
		}},
		// A failed query leaves its gauge out rather than report 0 members.
		{"members unreadable", failingSize{f.ledger}, false, map[string]float64{
			"docracy_ledger_entries": float64(head.Seq),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checker := &web.Checker{Ledger: f.ledger, Now: clock, Logger: slog.New(slog.DiscardHandler)}
			if tt.verify {
				checker.Check(context.Background())
			}
			reg := prometheus.NewRegistry()
			reg.MustRegister(&web.LedgerCollector{Ledger: tt.size, Checker: checker, Logger: slog.New(slog.DiscardHandler)})
			if diff := cmp.Diff(tt.want, samples(t, reg, "docracy_ledger")); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}
