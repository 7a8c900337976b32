// Package ledger is docracy's record of contributions: members, their
// accounts, and an append-only, hash-chained list of entries stored in
// SQLite or PostgreSQL. Reputation, leaderboards and payouts are all read
// from it.
//
// # Entries
//
// An entry is appended once and never updated or deleted. Each source has
// a natural idempotency key (source_ref), unique in the ledger, so a
// webhook redelivery, a reconcile pass or a retried command returns the
// stored entry instead of adding another. A correction is a revoke entry
// whose source_ref is "revoke:<entry id>": it carries the revoked entry's
// member and category and the negated points, and from then on reputation,
// leaderboards and histories leave the revoked entry out.
//
// # The hash chain
//
// Anyone can re-verify an export, in any language, with this rule:
//
//	hash = lowercase hex of SHA-256( prev_hash ‖ JCS(entry without "hash") )
//
// prev_hash is the previous entry's hash as 64 ASCII hex characters (64
// zeros before the first entry), ‖ is concatenation, and JCS is the JSON
// Canonicalization Scheme of RFC 8785: keys sorted, no whitespace, strings
// escaped only where JSON requires (", \ and control characters; <, >, &,
// U+2028 and U+2029 stay as they are), integers only. Times are RFC 3339 in
// UTC with whole seconds. The hashed object is exactly the line that
// `docracy export --format jsonl` prints, minus its "hash" member. A worked
// example, the first entry of a ledger:
//
//	{"actor":"cli:alice","category":"code","id":"e1","kind":"credit","member":1,"note":"first PR","occurred_at":"2026-11-01T10:00:00Z","points":5,"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","recorded_at":"2026-11-02T09:00:00Z","seq":1,"source":"cli","source_ref":"demo:1","url":""}
//
// Its hash is SHA-256 of the 64 zeros followed by that line:
//
//	printf '%s%s' 0000000000000000000000000000000000000000000000000000000000000000 \
//	  '{"actor":"cli:alice",...,"url":""}' | sha256sum
//	→ a906d5c5969f240005c09d00b6a0201903a0f28798dd2ccc9efb800de95b2895
//
// and it is the prev_hash of entry 2. Verify walks the chain and reports the
// first seq at which an entry was edited, deleted, inserted or moved.
//
// # Storage
//
// Open picks the engine from the database string: a postgres:// or
// postgresql:// URL is PostgreSQL (through pgx), anything else a SQLite
// file (modernc.org/sqlite, no cgo) in WAL mode with synchronous=FULL,
// foreign keys and a busy timeout. The SQL is written once, with "?"
// placeholders that the PostgreSQL connection numbers itself; what the two
// spell differently lives behind the engine interface. Migrations are
// embedded SQL, one directory per engine, versioned by PRAGMA user_version
// on SQLite and the docracy_schema table on PostgreSQL; a database from a
// newer docracy, or one that is not a docracy database, is refused before
// anything is written to it. Derived tables (scores, totals, day_points)
// are kept in the same transaction as each append so that reputation and
// leaderboards never rescan the ledger: a windowed leaderboard adds up one
// day_points row per day and category, and the scores of the two partial
// days at its edges.
//
// Every write transaction is the chain's only writer: within a process by
// a mutex, across processes by SQLite's IMMEDIATE transactions or by a
// transaction-scoped PostgreSQL advisory lock taken first, so that seqs
// stay gapless however many processes append.
package ledger
