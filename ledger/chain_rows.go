package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// chainTextColumns are the text columns of an entry in the order a scan of
// the chain packs them.
var chainTextColumns = []string{"id", "kind", "category", "source", "source_ref", "actor", "note", "url", "prev_hash", "hash", "data"}

// chainIntColumns are the integer columns of an entry in the order a
// separated scan renders them, before the text columns.
var chainIntColumns = []string{"seq", "coalesce(member_id, 0)", "points", "occurred_at", "recorded_at"}

// chainSeparator separates the columns of a separated scan. It is a byte
// no UTF-8 text holds, and every text the ledger writes is UTF-8: a row
// whose text holds it anyway was edited, and is read again column by
// column, so that verify judges it by its content as it would any other.
const chainSeparator = "\xff"

// eachChainRow calls fn with every entry after seq after, in seq order,
// each entry's strings sharing one allocation. separated is the engine's
// separatesChainText.
func eachChainRow(ctx context.Context, q queryer, separated bool, after int64, fn func(Entry) error) error {
	if !separated {
		return eachPrefixedRow(ctx, q, "seq > ?", []any{after}, fn)
	}
	rows, err := q.QueryContext(ctx, separatedSelect(), after)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return fmt.Errorf("read entries: %w", err)
		}
		if err := unpackSeparated(ctx, q, text, fn); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	return nil
}

// unpackSeparated hands fn the entry of text, a row of separatedSelect,
// reading the row again column by column if text does not split into
// exactly its columns.
func unpackSeparated(ctx context.Context, q queryer, text string, fn func(Entry) error) error {
	var e Entry
	if e.unpackSeparated(text) {
		return fn(e)
	}
	seq, _, _ := strings.Cut(text, chainSeparator)
	n, err := strconv.ParseInt(seq, 10, 64)
	if err != nil {
		return fmt.Errorf("read entries: seq %q is not an integer", seq)
	}
	return eachPrefixedRow(ctx, q, "seq = ?", []any{n}, fn)
}

// separatedSelect reads the entries after a seq as one text each: the
// integer then the text columns, rendered by concat and separated by
// chainSeparator. One text built by one function is what a row costs
// SQLite least to hand over: about half of what eleven lengths and texts
// joined by || cost, or sixteen columns.
func separatedSelect() string {
	columns := append(append([]string{}, chainIntColumns...), chainTextColumns...)
	return "SELECT concat(" + strings.Join(columns, ", x'ff', ") + ") FROM entries WHERE seq > ? ORDER BY seq"
}

// unpackSeparated sets e from a text of separatedSelect, and reports
// whether the text held exactly the columns it should.
func (e *Entry) unpackSeparated(text string) bool {
	ints := [...]*int64{&e.Seq, &e.Member, &e.Points, new(int64), new(int64)}
	for _, n := range ints {
		field, rest, ok := strings.Cut(text, chainSeparator)
		v, err := strconv.ParseInt(field, 10, 64)
		if !ok || err != nil {
			return false
		}
		*n, text = v, rest
	}
	e.OccurredAt, e.RecordedAt = time.Unix(*ints[3], 0).UTC(), time.Unix(*ints[4], 0).UTC()
	var data string
	fields := e.textFields(&data)
	for i, f := range fields {
		field, rest, ok := strings.Cut(text, chainSeparator)
		if ok == (i == len(fields)-1) { // a separator too few or too many
			return false
		}
		*f, text = field, rest
	}
	e.setData(data)
	return true
}

// textFields are e's fields of chainTextColumns, data last.
func (e *Entry) textFields(data *string) [11]*string {
	return [...]*string{&e.ID, (*string)(&e.Kind), &e.Category, (*string)(&e.Source), &e.SourceRef,
		&e.Actor, &e.Note, &e.URL, &e.PrevHash, &e.Hash, data}
}

func (e *Entry) setData(data string) {
	if data != "" {
		e.Data = json.RawMessage(data)
	}
}

// prefixedSelect reads the entries where holds as their five integers and
// one text that packs the text columns, each as its length in bytes, ':'
// and its bytes: what any database can spell, and unambiguous whatever
// bytes a column holds.
func prefixedSelect(where string) string {
	packed := make([]string, len(chainTextColumns))
	for i, c := range chainTextColumns {
		packed[i] = "octet_length(" + c + ") || ':' || " + c
	}
	return "SELECT seq, coalesce(member_id, 0), points, occurred_at, recorded_at, " +
		strings.Join(packed, " || ") + " FROM entries WHERE " + where + " ORDER BY seq"
}

// eachPrefixedRow calls fn with the entries of prefixedSelect(where).
func eachPrefixedRow(ctx context.Context, q queryer, where string, args []any, fn func(Entry) error) error {
	rows, err := q.QueryContext(ctx, prefixedSelect(where), args...)
	if err != nil {
		return fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Entry
		var occurred, recorded int64
		var text string
		if err := rows.Scan(&e.Seq, &e.Member, &e.Points, &occurred, &recorded, &text); err != nil {
			return fmt.Errorf("read entries: %w", err)
		}
		e.OccurredAt, e.RecordedAt = time.Unix(occurred, 0).UTC(), time.Unix(recorded, 0).UTC()
		if err := e.unpackPrefixed(text); err != nil {
			return fmt.Errorf("read entries: seq %d: %w", e.Seq, err)
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

// unpackPrefixed sets the text fields from a packed text of prefixedSelect.
func (e *Entry) unpackPrefixed(text string) error {
	var data string
	for i, f := range e.textFields(&data) {
		size, rest, ok := strings.Cut(text, ":")
		n, err := strconv.Atoi(size)
		if !ok || err != nil || n < 0 || n > len(rest) {
			return fmt.Errorf("column %s: packed text is cut short", chainTextColumns[i])
		}
		*f, text = rest[:n], rest[n:]
	}
	e.setData(data)
	return nil
}
