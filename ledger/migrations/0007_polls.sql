-- 0007: polls, derived from the poll, vote and tally entries and kept in
-- the same transaction as each of them, so that a vote is checked and a
-- poll counted from a few indexed rows rather than by reading the ledger.
-- RebuildPolls recomputes them from the chain; CheckPolls compares.

CREATE TABLE polls (
	seq       INTEGER PRIMARY KEY REFERENCES entries (seq), -- the poll entry; its id is the poll's
	mode      TEXT    NOT NULL,
	options   TEXT    NOT NULL, -- JSON array, in the poll's order
	opened_at INTEGER NOT NULL,
	closes_at INTEGER NOT NULL, -- unix seconds; 0 = closed by hand only
	tally_seq INTEGER REFERENCES entries (seq) -- NULL while the poll is open
);
CREATE INDEX polls_open ON polls (closes_at) WHERE tally_seq IS NULL;

-- The electorate fixed at opening (copied from the poll entry's data).
CREATE TABLE poll_electors (
	poll      INTEGER NOT NULL REFERENCES polls (seq),
	member_id INTEGER NOT NULL,
	college   TEXT    NOT NULL, -- '' outside college mode
	weight    INTEGER NOT NULL, -- 1 outside reputation mode
	PRIMARY KEY (poll, member_id)
) WITHOUT ROWID;

-- Each elector's live vote: the latest vote entry, replaced by a later one.
CREATE TABLE poll_votes (
	poll      INTEGER NOT NULL REFERENCES polls (seq),
	member_id INTEGER NOT NULL,
	option    TEXT    NOT NULL,
	seq       INTEGER NOT NULL REFERENCES entries (seq),
	PRIMARY KEY (poll, member_id)
) WITHOUT ROWID;
