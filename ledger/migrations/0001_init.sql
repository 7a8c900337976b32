-- 0001: members, accounts, the append-only entries and the tables derived from them.

CREATE TABLE members (
	id             INTEGER PRIMARY KEY,
	name           TEXT    NOT NULL,
	college        TEXT    NOT NULL DEFAULT '',
	payout_address TEXT    NOT NULL DEFAULT '',
	created_at     INTEGER NOT NULL
);

-- A GitHub account may be known by login before GitHub sends its numeric
-- id, so external_id is NULL until then (NULLs never collide in UNIQUE).
CREATE TABLE accounts (
	platform    TEXT    NOT NULL CHECK (platform IN ('github', 'discord')),
	external_id TEXT,
	login       TEXT    NOT NULL DEFAULT '',
	member_id   INTEGER NOT NULL REFERENCES members (id),
	UNIQUE (platform, external_id)
);
CREATE INDEX accounts_login ON accounts (platform, login COLLATE NOCASE);
CREATE INDEX accounts_member ON accounts (member_id);

-- Times are unix seconds; the hashed JSON form prints them as RFC 3339 UTC.
CREATE TABLE entries (
	seq         INTEGER PRIMARY KEY,
	id          TEXT    NOT NULL UNIQUE,
	kind        TEXT    NOT NULL CHECK (kind IN ('credit', 'praise', 'revoke', 'link', 'payout')),
	member_id   INTEGER NOT NULL REFERENCES members (id),
	category    TEXT    NOT NULL,
	points      INTEGER NOT NULL,
	occurred_at INTEGER NOT NULL,
	recorded_at INTEGER NOT NULL,
	source      TEXT    NOT NULL,
	source_ref  TEXT    NOT NULL UNIQUE,
	actor       TEXT    NOT NULL,
	note        TEXT    NOT NULL,
	url         TEXT    NOT NULL,
	prev_hash   TEXT    NOT NULL,
	hash        TEXT    NOT NULL
);
CREATE INDEX entries_member ON entries (member_id, seq);

-- Guards against accidents; tampering on purpose is what the hash chain catches.
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;

-- scores holds the entries that count towards reputation (credit and
-- praise, not revoked). It is derived from entries and kept in the same
-- transaction, so windowed leaderboards read a narrow covering index
-- instead of the whole ledger.
CREATE TABLE scores (
	seq         INTEGER PRIMARY KEY,
	member_id   INTEGER NOT NULL,
	category    TEXT    NOT NULL,
	points      INTEGER NOT NULL,
	occurred_at INTEGER NOT NULL
);
CREATE INDEX scores_time ON scores (occurred_at, member_id, category, points);
CREATE INDEX scores_member ON scores (member_id, occurred_at, category, points);

-- totals is a running aggregate per (category, member); category '' holds
-- the member's total over all categories. weight is
-- sum(points * 2^((occurred_at - anchor) / half_life)), so reputation at t
-- is weight * 2^(-(t - anchor) / half_life) without reading any entry.
CREATE TABLE totals (
	category  TEXT    NOT NULL,
	member_id INTEGER NOT NULL,
	points    INTEGER NOT NULL,
	weight    REAL    NOT NULL,
	PRIMARY KEY (category, member_id)
) WITHOUT ROWID;

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
