package config

import "testing"

func TestDigestLocation(t *testing.T) {
	for _, tt := range []struct{ schedule, want string }{
		{"CRON_TZ=Europe/Paris 0 9 * * MON", "Europe/Paris"},
		{"TZ=America/New_York 0 9 * * MON", "America/New_York"},
		{"0 9 * * MON", "UTC"},
		{"", "UTC"},
	} {
		s, err := ParseSchedule(tt.schedule)
		if err != nil {
			t.Fatalf("%q: %v", tt.schedule, err)
		}
		if got := (Digest{Schedule: s}).Location().String(); got != tt.want {
			t.Errorf("%q: location %s, want %s", tt.schedule, got, tt.want)
		}
	}
	if got := Default().Digest.Location().String(); got != "Europe/Paris" {
		t.Errorf("default location %s, want Europe/Paris", got)
	}
	if got := (Digest{}).Location().String(); got != "UTC" {
		t.Errorf("zero digest location %s, want UTC", got)
	}
}
