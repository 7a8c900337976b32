package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/leader"
	"github.com/docracy/docracy/ledger"
)

// runner runs a loop until its context ends: the background of every
// process, or the singletons of the leader.
type runner interface {
	Go(fn func(ctx context.Context))
}

// singletons are the loops only the leader runs: the Discord gateway and
// command registration, the digest scheduler, reconcile and the poll
// closer. They are gathered while serve starts, then run for each term
// the elector grants.
type singletons struct {
	fns []func(ctx context.Context)
}

func (s *singletons) Go(fn func(ctx context.Context)) { s.fns = append(s.fns, fn) }

// lead runs every singleton until ctx ends (the term, or the server) and
// waits for them all.
func (s *singletons) lead(ctx context.Context) {
	var wg sync.WaitGroup
	for _, fn := range s.fns {
		wg.Go(func() { fn(ctx) })
	}
	wg.Wait()
}

// electionInterval is how often a follower tries for the lead: with
// PostgreSQL's release of a dead session's lock, a takeover waits about
// this long.
const electionInterval = time.Second

// newElector elects with PostgreSQL's advisory lock when the ledger is
// there; a SQLite ledger has one process, which leads.
func newElector(cfg *config.Config, log *slog.Logger) leader.Elector {
	if !ledger.IsPostgres(cfg.Database) {
		return &leader.Always{}
	}
	return &leader.Postgres{DSN: cfg.Database, Interval: electionInterval, Logger: log.With("part", "leader")}
}

// registerLeader exports the role as the gauge docracy_leader.
func registerLeader(reg prometheus.Registerer, e leader.Elector) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "docracy_leader",
		Help: "Whether this process is the leader, which runs the singletons (Discord gateway, digest, reconcile, poll closing): 1 or 0.",
	}, func() float64 {
		if e.Leader() {
			return 1
		}
		return 0
	}))
}
