package main

import (
	"context"
	"sync"
	"time"

	"github.com/docracy/docracy/bot"
)

// background runs the bot's loops (schedules, sessions) beside the HTTP
// server; stop cancels them and waits, so that none outlives the ledger.
type background struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newBackground(ctx context.Context) *background {
	ctx, cancel := context.WithCancel(ctx)
	return &background{ctx: ctx, cancel: cancel}
}

// Go runs fn until the background stops.
func (b *background) Go(fn func(ctx context.Context)) {
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		fn(b.ctx)
	}()
}

func (b *background) stop() {
	b.cancel()
	b.wg.Wait()
}

// pollCloseInterval bounds the closer's sleep, so that a poll opened from
// the CLI while serve runs is closed at most this late.
const pollCloseInterval = time.Minute

// singleton adds a job of which one instance at a time must run: it
// talks to the outside world (a gateway session, a scheduled post) or
// writes on a schedule, which two instances would do twice.
func (s *server) singleton(job func(ctx context.Context)) {
	s.singletons = append(s.singletons, job)
}

// runSingletons runs the singletons until ctx ends and they all return.
// A leader election decides whether this instance runs them.
func (s *server) runSingletons(ctx context.Context) {
	var wg sync.WaitGroup
	for _, job := range s.singletons {
		wg.Go(func() { job(ctx) })
	}
	wg.Wait()
}

// pollCloser closes each poll at its closing time, and at start-up every
// poll whose time passed while docracy was down.
func (s *server) pollCloser() {
	c := &bot.PollCloser{Assembly: s.assembly, Now: time.Now, After: time.After, Interval: pollCloseInterval,
		Logger: s.log.With("part", "polls"), Announcer: s.polls}
	s.singleton(c.Run)
}
