package web

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/docracy/docracy/ledger"
)

// point is a member's reputation at a moment.
type point struct {
	At    time.Time
	Score float64
}

// reputationSeries samples a member's reputation n times (n >= 2), evenly
// from start to end, from their entries in any order. Reputation at t is
// Σ points × 2^(−(t − occurred_at)/halfLife) over the counted entries
// that occurred by t, the rule of the ledger. The score is carried from one
// sample to the next, decayed, so the cost is O(n + entries).
func reputationSeries(entries []ledger.Entry, start, end time.Time, n int, halfLife time.Duration) []point {
	counted := make([]ledger.Entry, 0, len(entries))
	for _, e := range entries {
		if e.Kind == ledger.KindCredit || e.Kind == ledger.KindPraise {
			counted = append(counted, e)
		}
	}
	slices.SortFunc(counted, func(a, b ledger.Entry) int { return a.OccurredAt.Compare(b.OccurredAt) })
	series := make([]point, n)
	step := end.Sub(start) / time.Duration(n-1)
	prev, score, i := start, 0.0, 0
	for k := range series {
		t := start.Add(step * time.Duration(k))
		if k == n-1 {
			t = end // no rounding left over from step
		}
		score *= decayFactor(t.Sub(prev), halfLife)
		for ; i < len(counted) && !counted[i].OccurredAt.After(t); i++ {
			score += float64(counted[i].Points) * decayFactor(t.Sub(counted[i].OccurredAt), halfLife)
		}
		series[k], prev = point{At: t, Score: score}, t
	}
	return series
}

// decayFactor is what one point is worth after age: 2^(−age/halfLife).
func decayFactor(age, halfLife time.Duration) float64 {
	if halfLife == 0 {
		return 1
	}
	return math.Exp2(-age.Seconds() / halfLife.Seconds())
}

// carryOlder adds, to a series computed from a member's latest entries
// only, what their older entries are worth: the difference between the
// current reputation and the series' last sample, decayed backwards. It
// assumes the older entries occurred before the series starts, which is
// true of a history read newest first, up to entries backdated with --at.
func carryOlder(series []point, current float64, halfLife time.Duration) {
	end := series[len(series)-1].At
	missing := current - series[len(series)-1].Score
	if missing <= 1e-9*math.Max(1, current) {
		return
	}
	for i := range series {
		series[i].Score += missing / decayFactor(end.Sub(series[i].At), halfLife)
	}
}

// The chart's geometry, in SVG user units: the plot is inset to leave
// room for the axis labels.
const (
	chartWidth   = 640
	chartHeight  = 240
	chartLeft    = 52
	chartRight   = 12
	chartTop     = 12
	chartBottom  = 32
	minChartSpan = 7 * 24 * time.Hour
)

// chart is a member's reputation over time, ready to draw as inline SVG.
type chart struct {
	Width, Height int
	Line          string // polyline points, "x,y x,y …"
	Area          string // the line closed along the x axis, for the fill
	Grid          []gridLine
	Left, Right   float64 // x of the plot's edges
	Bottom        float64 // y of the x axis
	LabelX, DateY float64 // where the value and date labels stand
	Start, End    time.Time
	Summary       string // the chart in words, for screen readers
}

// gridLine is a horizontal rule of the y axis and its label.
type gridLine struct {
	Y     float64
	Label string
}

// reputationChart draws the reputation of a member with the given
// history (newest first, as the ledger returns it) and current reputation
// from their first counted entry to now. truncated says the history may
// not hold every entry. It returns nil when there is nothing to draw.
func reputationChart(history []ledger.Entry, current float64, now time.Time, halfLife time.Duration, truncated bool) *chart {
	start, ok := firstCounted(history)
	if !ok {
		return nil
	}
	if earliest := now.Add(-minChartSpan); start.After(earliest) {
		start = earliest // a newcomer's curve still spans a week
	}
	series := reputationSeries(history, start, now, chartSamples, halfLife)
	if truncated {
		carryOlder(series, current, halfLife)
	}
	return drawChart(series)
}

func firstCounted(history []ledger.Entry) (time.Time, bool) {
	var first time.Time
	for _, e := range history {
		if (e.Kind == ledger.KindCredit || e.Kind == ledger.KindPraise) && (first.IsZero() || e.OccurredAt.Before(first)) {
			first = e.OccurredAt
		}
	}
	return first, !first.IsZero()
}

func drawChart(series []point) *chart {
	peak := series[0]
	for _, p := range series {
		if p.Score > peak.Score {
			peak = p
		}
	}
	top := niceCeil(peak.Score)
	start, end := series[0].At, series[len(series)-1].At
	c := &chart{
		Width: chartWidth, Height: chartHeight, Left: chartLeft, Right: chartWidth - chartRight,
		Bottom: chartHeight - chartBottom, LabelX: chartLeft - 6, DateY: chartHeight - 10, Start: start, End: end,
	}
	x := func(t time.Time) float64 {
		return c.Left + (c.Right-c.Left)*float64(t.Sub(start))/float64(end.Sub(start))
	}
	y := func(v float64) float64 { return c.Bottom - (c.Bottom-chartTop)*v/top }
	var line strings.Builder
	for i, p := range series {
		if i > 0 {
			line.WriteByte(' ')
		}
		fmt.Fprintf(&line, "%.1f,%.1f", x(p.At), y(p.Score))
	}
	c.Line = line.String()
	c.Area = fmt.Sprintf("%.1f,%.1f %s %.1f,%.1f", c.Left, c.Bottom, c.Line, c.Right, c.Bottom)
	for _, v := range []float64{0, top / 2, top} {
		c.Grid = append(c.Grid, gridLine{Y: y(v), Label: formatScore(v)})
	}
	last := series[len(series)-1]
	c.Summary = fmt.Sprintf("Reputation from %s to %s: %s now, highest %s on %s.",
		start.UTC().Format("2 Jan 2006"), end.UTC().Format("2 Jan 2006"), formatScore(last.Score),
		formatScore(peak.Score), peak.At.UTC().Format("2 Jan 2006"))
	return c
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, so the axis
// reads in round numbers; at least 1, so an all-zero curve still draws.
func niceCeil(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p*(1+1e-12) {
			return m * p
		}
	}
	return 10 * p
}
