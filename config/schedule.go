package config

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	// The default digest schedule names Europe/Paris; embedding the time zone
	// database keeps it valid on minimal images that have no /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Schedule is a cron spec of docracy.yaml, parsed once, when the file is
// read: the digest and reconcile run it without parsing it again. The zero
// Schedule is off ("" in the file). Build one in code with ParseSchedule.
type Schedule struct {
	spec string
	cron cron.Schedule  // nil when off
	loc  *time.Location // the spec's CRON_TZ (or TZ), else UTC
}

// ParseSchedule reads what robfig/cron's standard parser reads, including
// descriptors (@hourly) and a CRON_TZ= prefix; "" is off.
func ParseSchedule(spec string) (Schedule, error) {
	if spec == "" {
		return Schedule{}, nil
	}
	// cron v3.0.1 slices out of range on a time zone with nothing after it.
	if _, ok := zoneName(spec); ok && !strings.Contains(spec, " ") {
		return Schedule{}, scheduleError(errors.New("a time zone must be followed by a space and a schedule"))
	}
	c, err := cron.ParseStandard(spec)
	if err != nil {
		return Schedule{}, scheduleError(err)
	}
	// A date that never comes (30 February) makes Next return the zero
	// time, on which the digest's slot loops never end. Every date that
	// exists, 29 February included, comes within cron's five years of the
	// start of 2000, a leap year.
	if c.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).IsZero() {
		return Schedule{}, scheduleError(errors.New("it names no date that exists, so it would never run"))
	}
	return Schedule{spec: spec, cron: c, loc: zoneOf(spec)}, nil
}

func scheduleError(err error) error {
	return fmt.Errorf("must be a cron schedule like \"@hourly\" or \"0 9 * * MON\", or \"\" for off: %w", err)
}

// mustSchedule is ParseSchedule for the defaults, which are constants.
func mustSchedule(spec string) Schedule {
	s, err := ParseSchedule(spec)
	if err != nil {
		panic("config: default schedule " + spec + ": " + err.Error())
	}
	return s
}

// zoneName is the time zone a spec names in its CRON_TZ= or TZ= prefix.
func zoneName(spec string) (string, bool) {
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, prefix); ok {
			name, _, _ := strings.Cut(rest, " ")
			return name, true
		}
	}
	return "", false
}

// zoneOf is the spec's time zone, UTC without one: a schedule without a
// zone runs in the server's, which a container sets to UTC. cron has
// loaded the name already; a name it could not load never gets here.
func zoneOf(spec string) *time.Location {
	if name, ok := zoneName(spec); ok {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// Off reports whether the schedule is off ("" in the file).
func (s Schedule) Off() bool { return s.cron == nil }

// Cron is the parsed schedule, nil when off.
func (s Schedule) Cron() cron.Schedule { return s.cron }

// Location is the schedule's CRON_TZ (or TZ), else UTC, also when off.
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// String is the spec as written in the file.
func (s Schedule) String() string { return s.spec }

// Equal compares specs: two schedules read from the same text are the
// same schedule (go-cmp uses it too).
func (s Schedule) Equal(o Schedule) bool { return s.spec == o.spec }

// GoString keeps %#v readable and free of pointers.
func (s Schedule) GoString() string { return "config.Schedule(" + strconv.Quote(s.spec) + ")" }

// MarshalText writes the spec back, so a printed Config reads like the file.
func (s Schedule) MarshalText() ([]byte, error) { return []byte(s.spec), nil }

// UnmarshalText parses a spec; Load uses it for the schedule keys.
func (s *Schedule) UnmarshalText(text []byte) error {
	parsed, err := ParseSchedule(string(text))
	if err != nil {
		return err
	}
	*s = parsed
	return nil
}
