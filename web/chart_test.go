package web

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/docracy/docracy/ledger"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func entry(kind ledger.Kind, points int64, at time.Time) ledger.Entry {
	return ledger.Entry{Kind: kind, Points: points, OccurredAt: at}
}

func TestReputationSeries(t *testing.T) {
	// Newest first, as the ledger's history returns them; the link and the
	// payout carry no reputation.
	history := []ledger.Entry{
		entry(ledger.KindPayout, 0, t0.Add(25*day)),
		entry(ledger.KindPraise, 2, t0.Add(20*day)),
		entry(ledger.KindCredit, 8, t0.Add(10*day)),
		entry(ledger.KindLink, 0, t0.Add(5*day)),
		entry(ledger.KindCredit, 4, t0),
	}
	tests := []struct {
		name     string
		halfLife time.Duration
		want     []float64 // at t0, +10d, +20d, +30d
	}{
		{"no decay", 0, []float64{4, 12, 14, 14}},
		// Half-life 10 days: each sample halves what came before.
		{"half-life", 10 * day, []float64{4, 2 + 8, 1 + 4 + 2, 0.5 + 2 + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			series := reputationSeries(history, t0, t0.Add(30*day), 4, tt.halfLife)
			var got []float64
			for i, p := range series {
				if want := t0.Add(time.Duration(i) * 10 * day); !p.At.Equal(want) {
					t.Errorf("sample %d at %v, want %v", i, p.At, want)
				}
				got = append(got, p.Score)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReputationSeriesMatchesLedger checks the curve's last point against
// the ledger's own reputation rule, computed directly.
func TestReputationSeriesMatchesLedger(t *testing.T) {
	halfLife := 90 * day
	var history []ledger.Entry
	direct := 0.0
	end := t0.Add(400 * day)
	for i := range 50 {
		at := t0.Add(time.Duration(i*7) * day)
		history = append(history, entry(ledger.KindCredit, int64(i%10+1), at))
		direct += float64(i%10+1) * math.Exp2(-end.Sub(at).Hours()/halfLife.Hours())
	}
	series := reputationSeries(history, t0, end, chartSamples, halfLife)
	if got := series[len(series)-1].Score; math.Abs(got-direct) > 1e-9 {
		t.Errorf("last point = %v, want %v", got, direct)
	}
}

func TestCarryOlder(t *testing.T) {
	tests := []struct {
		name     string
		halfLife time.Duration
		current  float64
		want     []float64
	}{
		// 8 points were earned before the series: without decay they add
		// 8 everywhere; with a 10-day half-life they were worth twice as
		// much 10 days before the end.
		{"no decay", 0, 12, []float64{8, 12}},
		{"half-life", 10 * day, 12, []float64{16, 12}},
		{"nothing missing", 10 * day, 4, []float64{0, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			series := []point{{t0, 0}, {t0.Add(10 * day), 4}}
			carryOlder(series, tt.current, tt.halfLife)
			got := []float64{series[0].Score, series[1].Score}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
				t.Errorf("scores (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNiceCeil(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0, 1}, {0.3, 1}, {1, 1}, {1.01, 2}, {2, 2}, {3, 5}, {5, 5}, {7, 10}, {10, 10}, {11, 20}, {240, 500}, {999, 1000},
	}
	for _, tt := range tests {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestReputationChart(t *testing.T) {
	end := t0.Add(30 * day)
	history := []ledger.Entry{entry(ledger.KindCredit, 10, t0.Add(15*day)), entry(ledger.KindCredit, 5, t0)}
	c := reputationChart(history, 15, end, 0, false)
	if c == nil {
		t.Fatal("no chart")
	}
	points := strings.Fields(c.Line)
	if len(points) != chartSamples {
		t.Fatalf("%d points, want %d", len(points), chartSamples)
	}
	// The axis tops at 20 (15 rounded up): 5 points stand a quarter up,
	// 15 three quarters, from the left edge to the right one.
	plot := float64(chartHeight - chartBottom - chartTop)
	first := fmtPoint(chartLeft, float64(chartHeight-chartBottom)-plot/4)
	last := fmtPoint(chartWidth-chartRight, float64(chartHeight-chartBottom)-plot*3/4)
	if points[0] != first || points[len(points)-1] != last {
		t.Errorf("line runs %s … %s, want %s … %s", points[0], points[len(points)-1], first, last)
	}
	wantGrid := []gridLine{{Y: chartHeight - chartBottom, Label: "0"}, {Y: chartTop + plot/2, Label: "10"}, {Y: chartTop, Label: "20"}}
	if diff := cmp.Diff(wantGrid, c.Grid); diff != "" {
		t.Errorf("grid (-want +got):\n%s", diff)
	}
	// The peak is dated by the first sample that reaches it.
	if want := "Reputation from 1 Jan 2026 to 31 Jan 2026: 15 now, highest 15 on 16 Jan 2026."; c.Summary != want {
		t.Errorf("summary = %q, want %q", c.Summary, want)
	}
}

func TestReputationChartSpan(t *testing.T) {
	tests := []struct {
		name    string
		history []ledger.Entry
		start   time.Time // zero: no chart
	}{
		{"nothing counted", []ledger.Entry{entry(ledger.KindLink, 0, t0)}, time.Time{}},
		{"newcomer spans a week", []ledger.Entry{entry(ledger.KindCredit, 1, t0.Add(-day))}, t0.Add(-7 * day)},
		{"from the first entry", []ledger.Entry{entry(ledger.KindCredit, 1, t0.Add(-day)), entry(ledger.KindPraise, 1, t0.Add(-90*day))}, t0.Add(-90 * day)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := reputationChart(tt.history, 1, t0, 0, false)
			switch {
			case tt.start.IsZero() && c != nil:
				t.Errorf("chart from %v, want none", c.Start)
			case !tt.start.IsZero() && (c == nil || !c.Start.Equal(tt.start) || !c.End.Equal(t0)):
				t.Errorf("chart = %+v, want it from %v to %v", c, tt.start, t0)
			}
		})
	}
}

func fmtPoint(x, y float64) string { return fmt.Sprintf("%.1f,%.1f", x, y) }
