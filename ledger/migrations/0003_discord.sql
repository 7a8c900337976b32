-- 0003: praise limits and pending links between Discord and GitHub accounts.
-- IF NOT EXISTS everywhere: the script may meet a database that already has
-- these objects, and must then change nothing.

-- The praise rules (a daily cap per giver, no repeat to the same member
-- within an hour) read one giver's recent praise; this index keeps that a
-- short range scan whatever the size of the ledger.
CREATE INDEX IF NOT EXISTS entries_praise_actor ON entries (actor, occurred_at) WHERE kind = 'praise';

-- A link claim is a Discord user's request to be attached to a GitHub
-- account. It stays pending until a maintainer confirms it or the GitHub
-- profile shows the one-time code; confirming it appends the link entry and
-- deletes the claim. Claims are working state, not history: they are not
-- chained and a newer claim replaces an older one.
CREATE TABLE IF NOT EXISTS link_claims (
	discord_id   TEXT    PRIMARY KEY,
	github_login TEXT    NOT NULL,
	code         TEXT    NOT NULL,
	created_at   INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL
) WITHOUT ROWID;
