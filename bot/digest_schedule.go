package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/ledger"
)

// Poster delivers a digest: to a Discord channel, a Discord webhook or the
// log. nonce is the same for every attempt at the same period, so that a
// destination that honours it (Discord's enforce_nonce) never shows the
// digest twice, even when we crash between posting and recording.
type Poster interface {
	PostDigest(ctx context.Context, d Digest, nonce string) (messageID string, err error)
}

// Digests says which digest the schedule has due at a time, over the
// ledger: the scheduler posts it, and docracy digest preview and /digest
// preview show it, so that the three always agree.
type Digests struct {
	Ledger   DigestLedger
	Schedule cron.Schedule // digest.schedule; nil when the digest is off
	Top      int           // digest.top
}

// Due is the digest the schedule has due at t: that of the period that
// ended at the latest slot not after t, its dates in the schedule's zone.
func (d *Digests) Due(ctx context.Context, t time.Time) (Digest, error) {
	if d.Schedule == nil {
		return Digest{}, invalidf("digest.schedule", "the digest is off: digest.schedule is empty")
	}
	start, end := DigestPeriodAt(d.Schedule, t)
	return BuildDigest(ctx, d.Ledger, start, end, d.Top)
}

// DigestStore records the digests posted; the digests themselves come
// from Digests.
type DigestStore interface {
	RecordDigest(ctx context.Context, r ledger.DigestRecord) error
	LastDigest(ctx context.Context) (ledger.DigestRecord, error)
	DigestsSince(ctx context.Context) (time.Time, error)
}

// DigestScheduler posts the digest of each period once, at the slot of the
// schedule that ends it. A slot missed while the bot was down is posted at
// start-up, only the latest one; a failed post is retried with backoff
// until it succeeds or the next slot comes.
type DigestScheduler struct {
	Digests *Digests // its Schedule must be set
	Store   DigestStore
	Poster  Poster
	Now     func() time.Time                     // nil means time.Now
	After   func(time.Duration) <-chan time.Time // nil means time.After; tests move a fake clock
	Backoff time.Duration                        // first wait before a retry
	Logger  *slog.Logger                         // nil logs nowhere
}

func (s *DigestScheduler) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *DigestScheduler) after(d time.Duration) <-chan time.Time {
	if s.After == nil {
		return time.After(d)
	}
	return s.After(d)
}

func (s *DigestScheduler) logger() *slog.Logger { return orDiscard(s.Logger) }

// maxBackoff bounds the wait between two attempts at a post.
const maxBackoff = time.Hour

// Run posts what is due, then each digest at its slot, until ctx ends.
func (s *DigestScheduler) Run(ctx context.Context) {
	for {
		if err := s.PostDue(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("digest", "err", err)
		}
		now := s.now()
		select {
		case <-ctx.Done():
			return
		case <-s.after(s.untilNext(now)):
		}
	}
}

// untilNext is how long from now to the schedule's next slot. A schedule
// with none in cron's five years ahead (29 February near 2100) gives the
// zero time: it is looked at again in a day, not at once and for ever.
func (s *DigestScheduler) untilNext(now time.Time) time.Duration {
	next := s.Digests.Schedule.Next(now)
	if next.IsZero() {
		return 24 * time.Hour
	}
	return next.Sub(now)
}

// PostDue posts the digest of the latest slot that has come and was not
// posted, if any.
func (s *DigestScheduler) PostDue(ctx context.Context) error {
	slot, err := s.dueSlot(ctx)
	if err != nil || slot.IsZero() {
		return err
	}
	return s.post(ctx, slot)
}

// dueSlot is the latest slot after the last posted one (or after the
// scheduler first ran) that is not in the future.
func (s *DigestScheduler) dueSlot(ctx context.Context) (time.Time, error) {
	since, err := s.lastSlot(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	var due time.Time
	for t := s.Digests.Schedule.Next(since); !t.IsZero() && !t.After(now); t = s.Digests.Schedule.Next(t) {
		due = t
	}
	return due, nil
}

func (s *DigestScheduler) lastSlot(ctx context.Context) (time.Time, error) {
	last, err := s.Store.LastDigest(ctx)
	if err == nil {
		return last.Slot, nil
	} else if !errors.Is(err, ledger.ErrNotFound) {
		return time.Time{}, err
	}
	return s.Store.DigestsSince(ctx)
}

// post builds and posts the digest of the period that slot ends, retrying
// until it is posted or the next slot is due.
func (s *DigestScheduler) post(ctx context.Context, slot time.Time) error {
	slot = slot.In(ScheduleLocation(s.Digests.Schedule)) // the digest shows its dates there
	start := PreviousSlot(s.Digests.Schedule, slot)
	next := s.Digests.Schedule.Next(slot)
	wait := max(s.Backoff, time.Second)
	for {
		id, err := s.attempt(ctx, slot)
		if err == nil {
			s.logger().Info("digest posted", "period_start", start, "slot", slot, "message", id)
			return s.Store.RecordDigest(ctx, ledger.DigestRecord{Slot: slot, PeriodStart: start, MessageID: id})
		}
		if !s.now().Add(wait).Before(next) {
			return fmt.Errorf("digest of %s not posted before the next slot, giving up: %w", start.Format(time.DateOnly), err)
		}
		s.logger().Warn("digest not posted, will retry", "period_start", start, "err", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.after(wait):
		}
		wait = min(wait*2, maxBackoff)
	}
}

// attempt posts the digest due at slot, which is the period slot ends.
func (s *DigestScheduler) attempt(ctx context.Context, slot time.Time) (string, error) {
	d, err := s.Digests.Due(ctx, slot)
	if err != nil {
		return "", err
	}
	return s.Poster.PostDigest(ctx, d, DigestNonce(d.Start))
}

// DigestNonce identifies the digest of the period starting at start: at
// most 25 characters, as Discord allows.
func DigestNonce(start time.Time) string {
	return "digest-" + strconv.FormatInt(start.Unix(), 10)
}

// PreviousSlot is the slot of the schedule before slot: the start of the
// period that slot ends.
func PreviousSlot(s cron.Schedule, slot time.Time) time.Time {
	for _, back := range []time.Duration{35 * 24 * time.Hour, 400 * 24 * time.Hour} {
		var prev time.Time
		for t := s.Next(slot.Add(-back)); !t.IsZero() && t.Before(slot); t = s.Next(t) {
			prev = t
		}
		if !prev.IsZero() {
			return prev
		}
	}
	return slot.Add(-7 * 24 * time.Hour)
}

// DigestPeriodAt is the period whose digest is the latest due at t: from
// the slot before the last slot up to t, to that last slot.
// Both are in the schedule's time zone, as the digest shows them.
func DigestPeriodAt(s cron.Schedule, t time.Time) (start, end time.Time) {
	t = t.In(ScheduleLocation(s))
	end = PreviousSlot(s, s.Next(t))
	return PreviousSlot(s, end), end
}

// ScheduleLocation is the time zone a schedule runs in: its CRON_TZ, else
// the server's. cron returns a slot in the zone of the time it was given,
// so a digest's dates are brought there before they are shown.
func ScheduleLocation(s cron.Schedule) *time.Location {
	if ss, ok := s.(*cron.SpecSchedule); ok && ss.Location != nil {
		return ss.Location
	}
	return time.Local
}
