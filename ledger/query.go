package ledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Head is the newest entry's position and hash: a commitment to the whole
// history that anyone holding an export can check.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Head returns the chain head; an empty ledger has seq 0 and ZeroHash.
func (l *Ledger) Head(ctx context.Context) (Head, error) {
	return readHead(ctx, l.db)
}

// entryColumnNames are the columns scanEntry reads, in its order.
var entryColumnNames = []string{"seq", "id", "kind", "member_id", "category", "points", "occurred_at",
	"recorded_at", "source", "source_ref", "actor", "note", "url", "prev_hash", "hash", "data"}

var entryColumns = qualified("")

// qualified lists the entry columns, each prefixed (e.g. "e." in a join).
func qualified(prefix string) string {
	return prefix + strings.Join(entryColumnNames, ", "+prefix)
}

type scanner interface{ Scan(dest ...any) error }

func scanEntry(s scanner) (Entry, error) {
	var e Entry
	var occurred, recorded int64
	var data string
	var member sql.NullInt64 // NULL for a poll or a tally, which are about no member
	err := s.Scan(&e.Seq, &e.ID, &e.Kind, &member, &e.Category, &e.Points, &occurred, &recorded,
		&e.Source, &e.SourceRef, &e.Actor, &e.Note, &e.URL, &e.PrevHash, &e.Hash, &data)
	e.Member = member.Int64
	if data != "" {
		e.Data = json.RawMessage(data)
	}
	e.OccurredAt = time.Unix(occurred, 0).UTC()
	e.RecordedAt = time.Unix(recorded, 0).UTC()
	return e, err
}

func entryWhere(ctx context.Context, q queryer, where string, arg any) (Entry, error) {
	e, err := scanEntry(q.QueryRowContext(ctx, "SELECT "+entryColumns+" FROM entries WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return Entry{}, ErrNotFound
	} else if err != nil {
		return Entry{}, fmt.Errorf("read entry: %w", err)
	}
	return e, nil
}

// Entry returns the entry at seq.
func (l *Ledger) Entry(ctx context.Context, seq int64) (Entry, error) {
	return entryWhere(ctx, l.db, "seq = ?", seq)
}

// EntryByID returns the entry with the given stable id.
func (l *Ledger) EntryByID(ctx context.Context, id string) (Entry, error) {
	return entryWhere(ctx, l.db, "id = ?", id)
}

// EntryByRef returns the entry stored under an idempotency key.
func (l *Ledger) EntryByRef(ctx context.Context, sourceRef string) (Entry, error) {
	return entryWhere(ctx, l.db, "source_ref = ?", sourceRef)
}

// Revoked reports whether the entry has been revoked.
func (l *Ledger) Revoked(ctx context.Context, e Entry) (bool, error) {
	_, err := l.EntryByRef(ctx, "revoke:"+e.ID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Entries returns up to limit entries with seq greater than after, in seq
// order: one page of the ledger.
func (l *Ledger) Entries(ctx context.Context, after int64, limit int) ([]Entry, error) {
	entries := []Entry{}
	err := l.queryEntries(ctx, func(e Entry) error {
		entries = append(entries, e)
		return nil
	}, "seq > ? ORDER BY seq LIMIT ?", after, limit)
	return entries, err
}

// Each calls fn for every entry after the given seq, in seq order, without
// holding the ledger in memory. An error from fn stops the walk. The rows
// are read a few thousand entries ahead of fn, in a goroutine of their own.
func (l *Ledger) Each(ctx context.Context, after int64, fn func(Entry) error) error {
	return readAhead(ctx, func(add func(Entry) error) error {
		return eachChainRow(ctx, l.db, l.engine.separatesChainText(), after, add)
	}, fn)
}

// History returns a member's entries, newest first, leaving out revoke
// entries and the entries they revoked.
func (l *Ledger) History(ctx context.Context, member int64, limit int) ([]Entry, error) {
	entries := []Entry{}
	err := l.queryEntries(ctx, func(e Entry) error {
		entries = append(entries, e)
		return nil
	}, `member_id = ? AND kind <> 'revoke'
		AND NOT EXISTS (SELECT 1 FROM entries r WHERE r.source_ref = 'revoke:' || entries.id)
		ORDER BY seq DESC LIMIT ?`, member, limit)
	return entries, err
}

func (l *Ledger) queryEntries(ctx context.Context, fn func(Entry) error, where string, args ...any) error {
	return queryEntries(ctx, l.db, fn, where, args...)
}

// queryEntries reads entries through q, a connection or a transaction.
func queryEntries(ctx context.Context, q queryer, fn func(Entry) error, where string, args ...any) error {
	rows, err := q.QueryContext(ctx, "SELECT "+entryColumns+" FROM entries WHERE "+where, args...)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return fmt.Errorf("read entries: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	return nil
}

// Backup writes a consistent copy of a SQLite database to path with
// VACUUM INTO, while the ledger stays open for reads and writes. path must
// not exist yet. A PostgreSQL ledger returns ErrBackupUnsupported.
func (l *Ledger) Backup(ctx context.Context, path string) error {
	if err := l.engine.backup(ctx, l.db, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
