-- 0008: a period may be paid again once its run is reopened, so runs are
-- keyed by a run id ("2026-10", then "2026-10#2", …) and carry how they
-- were reopened. A partial unique index keeps one run that is not
-- reopened per period. Both tables are derived from the chain: the
-- payout entries (amounts in their data, or in their notes before data
-- existed) and the revokes that reopen them.

CREATE TABLE payout_runs_v7 (
	run           TEXT    PRIMARY KEY, -- the period, then period#2, #3… after reopenings
	period        TEXT    NOT NULL,
	policy        TEXT    NOT NULL,
	currency      TEXT    NOT NULL,
	decimals      INTEGER NOT NULL,
	budget        TEXT    NOT NULL,    -- minor units, decimal digits
	closed_at     INTEGER NOT NULL,
	actor         TEXT    NOT NULL,
	reopened_at   INTEGER,             -- NULL while the run stands
	reopen_actor  TEXT    NOT NULL DEFAULT '',
	reopen_reason TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE payouts_v7 (
	seq       INTEGER PRIMARY KEY REFERENCES entries (seq), -- the payout entry
	run       TEXT    NOT NULL REFERENCES payout_runs_v7 (run),
	member_id INTEGER NOT NULL REFERENCES members (id),
	amount    TEXT    NOT NULL     -- minor units, decimal digits
);

INSERT INTO payout_runs_v7 (run, period, policy, currency, decimals, budget, closed_at, actor)
	SELECT period, period, policy, currency, decimals, budget, closed_at, actor FROM payout_runs;
INSERT INTO payouts_v7 (seq, run, member_id, amount) SELECT seq, period, member_id, amount FROM payouts;
DROP TABLE payouts;
DROP TABLE payout_runs;
ALTER TABLE payout_runs_v7 RENAME TO payout_runs;
ALTER TABLE payouts_v7 RENAME TO payouts;

CREATE UNIQUE INDEX payout_runs_standing ON payout_runs (period) WHERE reopened_at IS NULL;
CREATE INDEX payouts_run ON payouts (run);
CREATE INDEX payouts_member ON payouts (member_id);

-- Checking and rebuilding the payout tables reads these kinds only.
CREATE INDEX entries_payout ON entries (seq) WHERE kind = 'payout';
CREATE INDEX entries_link ON entries (seq) WHERE kind = 'link';
