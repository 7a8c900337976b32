-- 0004: closed payout runs. The amounts are also in the chained payout
-- entries' notes; these tables let balanced runs and exports read them
-- without parsing text.

CREATE TABLE payout_runs (
	period    TEXT    PRIMARY KEY, -- one close per period, ever
	policy    TEXT    NOT NULL,
	currency  TEXT    NOT NULL,
	decimals  INTEGER NOT NULL,
	budget    TEXT    NOT NULL,    -- minor units, decimal digits
	closed_at INTEGER NOT NULL,
	actor     TEXT    NOT NULL
) WITHOUT ROWID;

CREATE TABLE payouts (
	seq       INTEGER PRIMARY KEY REFERENCES entries (seq), -- the payout entry
	period    TEXT    NOT NULL REFERENCES payout_runs (period),
	member_id INTEGER NOT NULL REFERENCES members (id),
	amount    TEXT    NOT NULL     -- minor units, decimal digits
);
CREATE INDEX payouts_period ON payouts (period);
CREATE INDEX payouts_member ON payouts (member_id);
