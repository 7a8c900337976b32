package config

import "time"

// Location is the cooperative's time zone: the CRON_TZ (or TZ) of the
// digest schedule, in which digests are posted, payout periods begin and
// end, and every date is shown. Without one, or with the digest off, it is
// UTC, as a schedule without a zone runs in the server's zone, which a
// container sets to UTC.
func (d Digest) Location() *time.Location { return d.Schedule.Location() }
