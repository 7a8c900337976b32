-- 0006: the optional data object of an entry (canonical JSON, '' for none)
-- and the governance kinds, of which a poll and a tally are about no member
-- (member_id NULL, 0 in the JSON form). SQLite cannot alter a CHECK or a
-- NOT NULL constraint, and
-- copying the whole ledger into a new table would take minutes on a large
-- one; widening the list of kinds changes no stored row, so the table's
-- definition is edited in place, the documented way (sqlite.org,
-- "ALTER TABLE", section 7: widening a CHECK and dropping a NOT NULL change
-- no stored row), and the schema version is bumped by the migration runner.
ALTER TABLE entries ADD COLUMN data TEXT NOT NULL DEFAULT '';

PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
	'CHECK (kind IN (''credit'', ''praise'', ''revoke'', ''link'', ''payout''))',
	'CHECK (kind IN (''credit'', ''praise'', ''revoke'', ''link'', ''payout'', ''college'', ''poll'', ''vote'', ''tally''))'),
	'member_id   INTEGER NOT NULL REFERENCES members (id)',
	'member_id   INTEGER REFERENCES members (id)')
WHERE type = 'table' AND name = 'entries';
PRAGMA writable_schema = OFF;

-- A member's college at any seq is the latest college entry before it; a
-- poll reads them all at its opening.
CREATE INDEX entries_college ON entries (seq) WHERE kind = 'college';
