-- 0009: the points of each day, as SQLite's 0009: for one UTC day (unix
-- seconds / 86400, rounded down) and one category, each member's points of
-- that day as "member:points" pairs joined by commas, ordered by member,
-- sums above zero only. Derived from scores; filled here from them.

CREATE TABLE day_points (
	day      BIGINT NOT NULL,
	category TEXT COLLATE "C" NOT NULL,
	points   TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (day, category)
);

INSERT INTO day_points (day, category, points)
	SELECT day, category, string_agg(member_id || ':' || points, ',' ORDER BY member_id) FROM (
		SELECT (occurred_at - ((occurred_at % 86400) + 86400) % 86400) / 86400 AS day,
			category, member_id, sum(points) AS points
		FROM scores GROUP BY 1, 2, 3 HAVING sum(points) > 0
	) AS member_days GROUP BY day, category;
