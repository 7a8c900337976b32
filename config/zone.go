package config

import (
	"strings"
	"time"
)

// Location is the cooperative's time zone: the CRON_TZ (or TZ) of the
// digest schedule, in which digests are posted, payout periods begin and
// end, and every date is shown. Without one, or with the digest off, it is
// UTC, as a schedule without a zone runs in the server's zone, which a
// container sets to UTC. Validate has checked the zone's name; a name the
// system does not know falls back to UTC.
func (d Digest) Location() *time.Location {
	spec := d.Schedule
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		if rest, ok := strings.CutPrefix(spec, prefix); ok {
			name, _, _ := strings.Cut(rest, " ")
			if loc, err := time.LoadLocation(name); err == nil {
				return loc
			}
		}
	}
	return time.UTC
}
