package bot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/bot/bottest"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

var (
	digestStart = ledgertest.SampleStart
	digestEnd   = ledgertest.SampleEnd
)

// TestDigestSample checks the sample week's totals and newcomers; the
// digest package checks how the whole digest reads.
func TestDigestSample(t *testing.T) {
	l := bottest.SampleWithPolls(t)
	d, err := bot.BuildDigest(context.Background(), l, digestStart, digestEnd, 10)
	if err != nil {
		t.Fatal(err)
	}
	if d.Points != 18 || d.Contributors != 3 || d.Entries != 4 {
		t.Errorf("totals: %d points, %d contributors, %d entries; want 18, 3, 4", d.Points, d.Contributors, d.Entries)
	}
	if diff := cmp.Diff([]string{"bob", "*carol*_"}, d.Newcomers); diff != "" {
		t.Errorf("newcomers (-want +got):\n%s", diff)
	}
}

// TestDigestPolls checks which polls a week's digest tells: those opened
// in it and still open, with their closing time in the schedule's zone,
// and those closed in it (one opened the same week), with the tally's
// outcome; not those closed before it or opened after it.
func TestDigestPolls(t *testing.T) {
	d, err := bot.BuildDigest(context.Background(), bottest.SampleWithPolls(t), digestStart, digestEnd, 10)
	if err != nil {
		t.Fatal(err)
	}
	closes := time.Date(2026, 11, 26, 18, 0, 0, 0, digestStart.Location())
	want := []bot.DigestPoll{{ID: "e20", Question: "Hold the general assembly in Lyon?", Mode: "member", ClosesAt: &closes}}
	if diff := cmp.Diff(want, d.PollsOpened); diff != "" {
		t.Errorf("polls opened (-want +got):\n%s", diff)
	} else if zone := d.PollsOpened[0].ClosesAt.Location(); zone != digestStart.Location() {
		t.Errorf("closing time in %s, want the schedule's %s", zone, digestStart.Location())
	}
	want = []bot.DigestPoll{
		{ID: "e15", Question: "Adopt the 2027 budget?", Mode: "college", Outcome: "adopted", Adopted: "yes",
			AdoptedPercent: "62.50", ParticipationPercent: "100.00"},
		{ID: "e21", Question: "Move the chat to Matrix?", Mode: "member", Outcome: "no quorum", ParticipationPercent: "25.00"},
	}
	if diff := cmp.Diff(want, d.PollsClosed); diff != "" {
		t.Errorf("polls closed (-want +got):\n%s", diff)
	}
}

// recordingPoster remembers what it posted, fails as told, and keeps one
// message per nonce, as Discord does with enforce_nonce.
type recordingPoster struct {
	mu       sync.Mutex
	clock    *testkit.Clock
	failures int // fail this many attempts first
	posts    []post
	onPost   func()
}

type post struct {
	at     time.Time
	start  time.Time
	nonce  string
	digest bot.Digest
}

func (p *recordingPoster) PostDigest(ctx context.Context, d bot.Digest, nonce string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failures > 0 {
		p.failures--
		return "", errors.New("503 Service Unavailable")
	}
	for i, old := range p.posts {
		if old.nonce == nonce {
			return fmt.Sprint("msg-", i), nil
		}
	}
	p.posts = append(p.posts, post{at: p.clock.Now(), start: d.Start, nonce: nonce, digest: d})
	if p.onPost != nil {
		p.onPost()
	}
	return fmt.Sprint("msg-", len(p.posts)-1), nil
}

func (p *recordingPoster) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.posts)
}

const parisMonday9 = "CRON_TZ=Europe/Paris 0 9 * * MON"

func newScheduler(t *testing.T, l *ledger.Ledger, clock *testkit.Clock, poster *recordingPoster) *bot.DigestScheduler {
	t.Helper()
	sched, err := cron.ParseStandard(parisMonday9)
	if err != nil {
		t.Fatal(err)
	}
	return &bot.DigestScheduler{Digests: &bot.Digests{Ledger: l, Schedule: sched, Top: 10}, Store: l, Poster: poster, Now: clock.Now,
		After: clock.After, Backoff: time.Minute, Logger: slog.New(slog.DiscardHandler)}
}

// schedulerLedger is a ledger on the fake clock.
func schedulerLedger(t *testing.T, clock *testkit.Clock) *ledger.Ledger {
	t.Helper()
	return ledgertest.Open(t, clock.Now)
}

func TestDigestCatchUpPostsOnlyTheLatestMissedPeriod(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, paris)) // first run, just after a slot
	poster := &recordingPoster{clock: clock}
	l := schedulerLedger(t, clock)
	s := newScheduler(t, l, clock, poster)
	if err := s.PostDue(ctx); err != nil || poster.count() != 0 {
		t.Fatalf("first run posted %d (%v); want nothing: no slot has passed since", poster.count(), err)
	}

	clock.Set(time.Date(2026, 11, 12, 15, 0, 0, 0, paris)) // down across one slot
	if err := s.PostDue(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.PostDue(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 12, 3, 8, 0, 0, 0, paris)) // down across three slots
	if err := s.PostDue(ctx); err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, p := range poster.posts {
		starts = append(starts, p.start.In(paris).Format("2006-01-02 15:04"))
	}
	want := []string{"2026-11-02 09:00", "2026-11-23 09:00"}
	if diff := cmp.Diff(want, starts); diff != "" {
		t.Errorf("posted periods (-want +got):\n%s", diff)
	}
}

func TestDigestScheduleKeepsLocalTimeAcrossDST(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 10, 14, 12, 0, 0, 0, paris))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	poster := &recordingPoster{clock: clock}
	poster.onPost = func() {
		if len(poster.posts) == 3 {
			cancel()
		}
	}
	s := newScheduler(t, schedulerLedger(t, clock), clock, poster)
	s.Run(ctx)
	var got []string
	for _, p := range poster.posts {
		got = append(got, p.at.In(paris).Format("Mon 2006-01-02 15:04 MST"))
	}
	// Summer time ends on Sunday 25 October 2026.
	want := []string{"Mon 2026-10-19 09:00 CEST", "Mon 2026-10-26 09:00 CET", "Mon 2026-11-02 09:00 CET"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
}

func TestDigestRetriesUntilPosted(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, paris))
	poster := &recordingPoster{clock: clock, failures: 3}
	l := schedulerLedger(t, clock)
	s := newScheduler(t, l, clock, poster)
	s.PostDue(ctx)
	clock.Set(time.Date(2026, 11, 9, 9, 0, 0, 0, paris))
	if err := s.PostDue(ctx); err != nil {
		t.Fatal(err)
	}
	if poster.count() != 1 || poster.posts[0].at.Sub(time.Date(2026, 11, 9, 9, 7, 0, 0, paris)) != 0 {
		t.Errorf("posts %+v; want one after waits of 1, 2 and 4 minutes", poster.posts)
	}
	if last, err := l.LastDigest(ctx); err != nil || !last.Slot.Equal(time.Date(2026, 11, 9, 9, 0, 0, 0, paris)) {
		t.Errorf("record = %+v, %v", last, err)
	}

	poster.failures = 1 << 30 // an outage longer than a week
	clock.Set(time.Date(2026, 11, 16, 9, 0, 0, 0, paris))
	if err := s.PostDue(ctx); err == nil {
		t.Error("a digest that could not be posted before the next slot reported success")
	}
	if poster.count() != 1 {
		t.Errorf("%d posts during the outage", poster.count())
	}
}

// failingRecords makes the record after a post fail, as a crash between the
// two would.
type failingRecords struct {
	*ledger.Ledger
	fail bool
}

func (f *failingRecords) RecordDigest(ctx context.Context, r ledger.DigestRecord) error {
	if f.fail {
		f.fail = false
		return errors.New("disk full")
	}
	return f.Ledger.RecordDigest(ctx, r)
}

func TestDigestCrashBetweenPostAndRecordPostsOnce(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, paris))
	poster := &recordingPoster{clock: clock}
	l := schedulerLedger(t, clock)
	s := newScheduler(t, l, clock, poster)
	store := &failingRecords{Ledger: l, fail: true}
	s.Store = store
	s.PostDue(ctx)
	clock.Set(time.Date(2026, 11, 9, 9, 30, 0, 0, paris))
	if err := s.PostDue(ctx); err == nil {
		t.Fatal("a lost record reported success")
	}
	if err := s.PostDue(ctx); err != nil { // the restart
		t.Fatal(err)
	}
	if poster.count() != 1 {
		t.Errorf("%d messages; want 1: the same nonce both times", poster.count())
	}
}

// TestDigestsDue checks the digest due at a time: that of the week which
// ended at the latest Monday 09:00 in Paris, a slot itself included; it is
// what the scheduler posts at that slot.
func TestDigestsDue(t *testing.T) {
	ctx := context.Background()
	sched, err := cron.ParseStandard(parisMonday9)
	if err != nil {
		t.Fatal(err)
	}
	digests := &bot.Digests{Ledger: bottest.SampleWithPolls(t), Schedule: sched, Top: 10}
	want, err := bot.BuildDigest(ctx, digests.Ledger, digestStart, digestEnd, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{
		digestEnd,                               // the slot itself
		digestEnd.Add(6 * 24 * time.Hour).UTC(), // the Sunday after, asked in UTC
	} {
		got, err := digests.Due(ctx, at)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" || got.Start.Location().String() != "Europe/Paris" {
			t.Errorf("due at %v (-want +got), zone %v:\n%s", at, got.Start.Location(), diff)
		}
	}
	if got, _ := digests.Due(ctx, digestEnd.Add(-time.Second)); !got.End.Equal(digestStart) {
		t.Errorf("a second before the slot, the period due ends %v, want %v", got.End, digestStart)
	}
	if _, err := (&bot.Digests{Ledger: digests.Ledger}).Due(ctx, digestEnd); bot.ErrorCode(err) != bot.CodeInvalid {
		t.Errorf("digest off: %v, want an invalid-request error", err)
	}
}

// TestDigestSchedulerPostsWhatIsDue checks that the scheduler posts, at a
// slot, the digest Due gives for that slot.
func TestDigestSchedulerPostsWhatIsDue(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, paris))
	poster := &recordingPoster{clock: clock}
	s := newScheduler(t, schedulerLedger(t, clock), clock, poster)
	if err := s.PostDue(ctx); err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, 11, 9, 9, 0, 0, 0, paris)
	clock.Set(slot.Add(time.Minute))
	if err := s.PostDue(ctx); err != nil || poster.count() != 1 {
		t.Fatalf("posted %d (%v), want 1", poster.count(), err)
	}
	want, err := s.Digests.Due(ctx, slot)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, poster.posts[0].digest); diff != "" {
		t.Errorf("posted digest (-due +posted):\n%s", diff)
	}
	if poster.posts[0].nonce != bot.DigestNonce(time.Date(2026, 11, 2, 9, 0, 0, 0, paris)) {
		t.Errorf("nonce %s, want that of the period starting 2 November", poster.posts[0].nonce)
	}
}

// A scheduler given no logger and no timer logs nowhere and waits on the
// real timer, as every optional dependency does: it posts and retries
// rather than panic.
func TestDigestSchedulerNeedsNoLoggerNorTimer(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, paris))
	poster := &recordingPoster{clock: clock, failures: 1}
	s := newScheduler(t, schedulerLedger(t, clock), clock, poster)
	s.Logger, s.After, s.Backoff = nil, nil, time.Millisecond
	if err := s.PostDue(ctx); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2026, 11, 9, 9, 0, 1, 0, paris)) // just past a slot
	if err := s.PostDue(ctx); err != nil || poster.count() != 1 {
		t.Fatalf("posted %d (%v); want the one due, after one failed attempt", poster.count(), err)
	}
}

// neverSchedule is a schedule with no next slot, as cron gives for a date
// beyond its five years' lookahead.
type neverSchedule struct{}

func (neverSchedule) Next(time.Time) time.Time { return time.Time{} }

// A schedule that never fires again posts nothing, and neither the due
// slot nor the previous one loops for ever.
func TestDigestOnAScheduleThatNeverFires(t *testing.T) {
	ctx := context.Background()
	clock := testkit.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, paris))
	poster := &recordingPoster{clock: clock}
	s := newScheduler(t, schedulerLedger(t, clock), clock, poster)
	s.Digests.Schedule = neverSchedule{}
	within(t, "PostDue", func() {
		if err := s.PostDue(ctx); err != nil || poster.count() != 0 {
			t.Errorf("PostDue: %v, %d posts; want none", err, poster.count())
		}
	})
	slot := clock.Now()
	within(t, "PreviousSlot", func() {
		if prev := bot.PreviousSlot(neverSchedule{}, slot); !prev.Before(slot) {
			t.Errorf("PreviousSlot = %v, want a time before %v", prev, slot)
		}
	})
}

// within runs fn, failing the test if it has not returned in ten seconds.
func within(t *testing.T, name string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not return", name)
	}
}
