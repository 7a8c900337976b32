package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// PeriodKind is how payouts divide time: by ISO week or by month.
type PeriodKind string

// The period kinds of payouts.period.
const (
	Weekly  PeriodKind = "weekly"
	Monthly PeriodKind = "monthly"
)

// Period is a span [Start, End) of a payout run, in the cooperative's time
// zone, named "2026-11" (monthly) or "2026-W48" (ISO weekly).
type Period struct {
	Name  string    `json:"name"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

var (
	monthName = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	weekName  = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)
)

// ParsePeriod reads a period name of the given kind in loc.
func ParsePeriod(name string, kind PeriodKind, loc *time.Location) (Period, error) {
	if kind == Weekly {
		m := weekName.FindStringSubmatch(name)
		if m == nil {
			return Period{}, invalidf("period", "period %q: payouts are weekly, name an ISO week like 2026-W48", name)
		}
		year, _ := strconv.Atoi(m[1])
		week, _ := strconv.Atoi(m[2])
		start := isoWeekStart(year, week, loc)
		if y, w := start.ISOWeek(); y != year || w != week {
			return Period{}, invalidf("period", "period %q: %d has no week %d", name, year, week)
		}
		return weekOf(start), nil
	}
	m := monthName.FindStringSubmatch(name)
	if m == nil {
		return Period{}, invalidf("period", "period %q: payouts are monthly, name a month like 2026-11", name)
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	if month < 1 || month > 12 {
		return Period{}, invalidf("period", "period %q: there is no month %d", name, month)
	}
	return monthOf(time.Date(year, time.Month(month), 1, 0, 0, 0, 0, loc)), nil
}

// PeriodAt returns the period of the given kind that contains t.
func PeriodAt(t time.Time, kind PeriodKind, loc *time.Location) Period {
	t = t.In(loc)
	if kind == Weekly {
		return weekOf(t)
	}
	return monthOf(t)
}

// Previous is the period just before p.
func (p Period) Previous(kind PeriodKind) Period {
	return PeriodAt(p.Start.Add(-time.Second), kind, p.Start.Location())
}

func monthOf(t time.Time) Period {
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
	return Period{Name: start.Format("2006-01"), Start: start, End: start.AddDate(0, 1, 0)}
}

func weekOf(t time.Time) Period {
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	start := day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7)) // back to Monday
	year, week := start.ISOWeek()
	return Period{Name: fmt.Sprintf("%04d-W%02d", year, week), Start: start, End: start.AddDate(0, 0, 7)}
}

// isoWeekStart is the Monday of ISO week 1 of year, plus week-1 weeks:
// week 1 is the week that holds January 4th.
func isoWeekStart(year, week int, loc *time.Location) time.Time {
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(week-1))
}
