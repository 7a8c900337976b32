-- 0005: the digests posted, one per period, so that a digest is posted
-- exactly once even across restarts.

CREATE TABLE digests (
	period_start INTEGER PRIMARY KEY, -- unix seconds
	slot         INTEGER NOT NULL,    -- the schedule slot that ended the period
	posted_at    INTEGER NOT NULL,
	message_id   TEXT    NOT NULL     -- where it was posted; '' for the log
);
