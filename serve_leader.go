package main

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/leader"
	"github.com/docracy/docracy/ledger"
)

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
