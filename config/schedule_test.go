package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/config"
)

// The schedules come out of Load parsed: the digest and reconcile run
// them as they are, in the zone the file names.
func TestLoadParsesSchedules(t *testing.T) {
	doc := "github:\n  reconcile: \"@daily\"\ndigest:\n  schedule: \"CRON_TZ=America/New_York 30 8 * * FRI\"\n"
	c, err := config.LoadBytes([]byte(doc), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) // a Monday
	if got, want := c.Digest.Schedule.Cron().Next(from), time.Date(2026, 3, 6, 8, 30, 0, 0, ny); !got.Equal(want) {
		t.Errorf("next digest %v, want %v", got, want)
	}
	if c.Digest.Location().String() != "America/New_York" {
		t.Errorf("location %v, want America/New_York", c.Digest.Location())
	}
	if got, want := c.GitHub.Reconcile.Cron().Next(from), time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC); !got.Equal(want.In(time.Local)) {
		t.Errorf("next reconcile %v, want %v", got, want)
	}
	// Printed, a schedule reads as written.
	if out := c.String(); !strings.Contains(out, "schedule: CRON_TZ=America/New_York 30 8 * * FRI") || !strings.Contains(out, "reconcile: '@daily'") {
		t.Errorf("printed config lacks the specs:\n%s", out)
	}
}

func TestScheduleOff(t *testing.T) {
	c, err := config.LoadBytes([]byte("digest:\n  schedule: \"\"\ngithub:\n  reconcile: ~\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Digest.Schedule.Off() || c.Digest.Schedule.Cron() != nil || !c.GitHub.Reconcile.Off() {
		t.Errorf("empty specs are not off: %#v %#v", c.Digest.Schedule, c.GitHub.Reconcile)
	}
	if config.Default().Digest.Schedule.Off() {
		t.Error("the default digest schedule is off")
	}
}

func TestParseScheduleRefuses(t *testing.T) {
	for spec, want := range map[string]string{
		"daily":                            "expected exactly 5 fields",
		"CRON_TZ=Europe/Paris":             "a time zone must be followed by a space and a schedule",
		"CRON_TZ=Mars/Olympus 0 9 * * MON": "unknown time zone Mars/Olympus",
	} {
		s, err := config.ParseSchedule(spec)
		if err == nil || !strings.Contains(err.Error(), want) || !s.Off() {
			t.Errorf("%q: %v (%v), want an error with %q", spec, s, err, want)
		}
	}
}
