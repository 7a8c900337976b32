-- 0002: GitHub webhook deliveries, reconcile progress and members' linked
-- e-mail addresses. IF NOT EXISTS everywhere: the script may meet a database
-- that already has these objects, and must then change nothing.

-- One row per webhook delivery that led to credits (new or found stored),
-- written in the same transaction as them: a redelivery (the same
-- X-GitHub-Delivery) finds it and changes nothing.
CREATE TABLE IF NOT EXISTS github_deliveries (
	id          TEXT    PRIMARY KEY, -- X-GitHub-Delivery
	event       TEXT    NOT NULL,    -- X-GitHub-Event
	created     INTEGER NOT NULL,    -- entries this delivery added
	received_at INTEGER NOT NULL
) WITHOUT ROWID;

-- How far reconcile has read each repository's closed pull requests, newest
-- updated first. watermark: the newest updated_at of the last complete pass.
-- An interrupted pass keeps next_page (the first page not done), since and
-- high (the newest updated_at it saw) so that the next pass resumes there.
-- Saved in the same transaction as each page's credits.
CREATE TABLE IF NOT EXISTS github_reconcile (
	repo       TEXT    PRIMARY KEY, -- owner/name, lower case
	watermark  INTEGER NOT NULL,    -- unix seconds, 0 = never completed
	next_page  INTEGER NOT NULL,    -- 0 = no pass interrupted
	since      INTEGER NOT NULL,
	high       INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- E-mail addresses a member has linked, so that a Co-authored-by trailer
-- naming one credits that member. Never exported: addresses are private.
CREATE TABLE IF NOT EXISTS member_emails (
	email     TEXT    PRIMARY KEY COLLATE NOCASE,
	member_id INTEGER NOT NULL REFERENCES members (id)
) WITHOUT ROWID;
