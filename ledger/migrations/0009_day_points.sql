-- 0009: the points of each day, so that a windowed leaderboard reads a
-- few rows per day instead of every score of the window. A row holds, for
-- one UTC day (unix seconds / 86400, rounded down) and one category, each
-- member's points of that day as "member:points" pairs joined by commas,
-- ordered by member, sums above zero only: a day of 10,000 active
-- members is one row, not 10,000. Derived from scores (itself derived from
-- the chain), kept in the same transaction as each score; Rebuild
-- recomputes it and Verify compares it with the chain. group_concat is
-- SQLite's name for PostgreSQL's string_agg.

CREATE TABLE day_points (
	day      INTEGER NOT NULL,
	category TEXT    NOT NULL,
	points   TEXT    NOT NULL,
	PRIMARY KEY (day, category)
) WITHOUT ROWID;

INSERT INTO day_points (day, category, points)
	SELECT day, category, group_concat(member_id || ':' || points, ',') FROM (
		SELECT (occurred_at - ((occurred_at % 86400) + 86400) % 86400) / 86400 AS day,
			category, member_id, sum(points) AS points
		FROM scores GROUP BY 1, 2, 3 HAVING sum(points) > 0 ORDER BY 1, 2, 3
	) GROUP BY day, category;
