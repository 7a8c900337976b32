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
	return monthOf(midnight(year, time.Month(month), 1, loc)), nil
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
	year, month, _ := t.Date()
	start, end := midnight(year, month, 1, t.Location()), midnight(year, month+1, 1, t.Location())
	return Period{Name: start.Format("2006-01"), Start: start, End: end}
}

func weekOf(t time.Time) Period {
	year, month, day := t.Date()
	monday := day - (int(t.Weekday())+6)%7 // back to Monday
	start, end := midnight(year, month, monday, t.Location()), midnight(year, month, monday+7, t.Location())
	isoYear, week := start.ISOWeek()
	return Period{Name: fmt.Sprintf("%04d-W%02d", isoYear, week), Start: start, End: end}
}

// isoWeekStart is the Monday of ISO week 1 of year, plus week-1 weeks:
// week 1 is the week that holds January 4th.
func isoWeekStart(year, week int, loc *time.Location) time.Time {
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, time.UTC)
	return midnight(year, time.January, 4-(int(jan4.Weekday())+6)%7+7*(week-1), loc)
}

// midnight is the first instant of a day in loc; the day may overflow its
// month, as time.Date allows. That is time.Date's answer unless a clock
// change moves midnight: where daylight saving time starts at 0:00
// (Paraguay, Cuba), the day begins with the change and time.Date answers
// 23:00 the day before; where a clock turns back to 0:00, midnight comes
// twice and time.Date may answer the second. The first second whose wall
// clock shows the day is then searched for, within two days of its answer.
func midnight(year int, month time.Month, day int, loc *time.Location) time.Time {
	want := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	t := time.Date(year, month, day, 0, 0, 0, 0, loc)
	if wall(t).Equal(want) && wall(t.Add(-time.Second)).Before(want) {
		return t
	}
	lo, hi := t.Unix()-2*24*3600, t.Unix()+2*24*3600 // the day has not begun at lo, has at hi
	for hi-lo > 1 {
		if mid := lo + (hi-lo)/2; wall(time.Unix(mid, 0).In(loc)).Before(want) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return time.Unix(hi, 0).In(loc)
}

// wall is the date and time t's clock shows, written as a UTC time.
func wall(t time.Time) time.Time {
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	return time.Date(year, month, day, hour, minute, second, t.Nanosecond(), time.UTC)
}
