package ledger

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// scoreBatch holds the derived rows of the counting entries of one
// AppendBatch until the batch ends: each entry's scores row, and the
// totals summed per member and category, so that a member credited a
// hundred times in a batch costs two totals updates, not two hundred,
// and rows go to the B-trees in key order.
type scoreBatch struct {
	scores []scoreRow
	totals map[totalKey]totalRow
	days   map[dayKey]map[int64]int64 // points per member, per day_points row
}

type scoreRow struct {
	seq, member int64
	category    string
	points, at  int64
}

type totalKey struct {
	category string
	member   int64
}

// add counts e, scored at at with weight, in the batch.
func (b *scoreBatch) add(e Entry, at int64, weight float64) {
	b.scores = append(b.scores, scoreRow{seq: e.Seq, member: e.Member, category: e.Category, points: e.Points, at: at})
	for _, c := range []string{e.Category, ""} {
		k := totalKey{category: c, member: e.Member}
		t := b.totals[k]
		b.totals[k] = totalRow{points: t.points + e.Points, weight: t.weight + weight}
	}
	k := dayKey{day: dayOf(at), category: e.Category}
	if b.days[k] == nil {
		b.days[k] = map[int64]int64{}
	}
	b.days[k][e.Member] += e.Points
}

// flush writes the rows held, if any, and empties the batch. It runs
// before anything in the transaction reads scores or totals.
func (w *writer) flush(ctx context.Context) error {
	b := w.batch
	if b == nil || len(b.scores) == 0 {
		return nil
	}
	if err := w.insertScores(ctx, b.scores); err != nil {
		return fmt.Errorf("write scores: %w", err)
	}
	if err := w.upsertTotals(ctx, sortedTotals(b.totals)); err != nil {
		return fmt.Errorf("write totals: %w", err)
	}
	if err := w.addBatchDays(ctx, b.days); err != nil {
		return err
	}
	b.scores = b.scores[:0]
	clear(b.totals)
	clear(b.days)
	return nil
}

// addBatchDays writes each day_points row the batch touched once, in key
// order.
func (w *writer) addBatchDays(ctx context.Context, days map[dayKey]map[int64]int64) error {
	keys := slices.SortedFunc(maps.Keys(days), func(a, b dayKey) int {
		return cmp.Or(cmp.Compare(a.day, b.day), strings.Compare(a.category, b.category))
	})
	for _, k := range keys {
		if err := w.addDayPointsOf(ctx, k.day, k.category, days[k]); err != nil {
			return err
		}
	}
	return nil
}

// insertScores writes the batch's scores rows, one statement each: a
// statement of many rows makes SQLite keep a statement journal, a copy of
// every page it touches, which cost more than the statements it saved.
func (w *writer) insertScores(ctx context.Context, rows []scoreRow) error {
	stmt, err := w.prepare(ctx, "INSERT INTO scores (seq, member_id, category, points, occurred_at) VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r.seq, r.member, r.category, r.points, r.at); err != nil {
			return err
		}
	}
	return nil
}

// totalDelta is what a batch adds to one totals row.
type totalDelta struct {
	key totalKey
	add totalRow
}

// sortedTotals orders totals by the table's key, so that the writes walk
// the B-tree once from left to right.
func sortedTotals(totals map[totalKey]totalRow) []totalDelta {
	out := make([]totalDelta, 0, len(totals))
	for k, t := range totals {
		out = append(out, totalDelta{key: k, add: t})
	}
	slices.SortFunc(out, func(a, b totalDelta) int {
		return cmp.Or(strings.Compare(a.key.category, b.key.category), cmp.Compare(a.key.member, b.key.member))
	})
	return out
}

// upsertTotals adds each delta to its row.
func (w *writer) upsertTotals(ctx context.Context, deltas []totalDelta) error {
	stmt, err := w.prepare(ctx, `INSERT INTO totals (category, member_id, points, weight) VALUES (?, ?, ?, ?)
		ON CONFLICT (category, member_id) DO UPDATE SET points = totals.points + excluded.points, weight = totals.weight + excluded.weight`)
	if err != nil {
		return err
	}
	for _, d := range deltas {
		if _, err := stmt.ExecContext(ctx, d.key.category, d.key.member, d.add.points, d.add.weight); err != nil {
			return err
		}
	}
	return nil
}

// AppendBatch adds entries in one transaction, for backfills: all or none
// are stored. Entries whose source_ref is already present are skipped; it
// returns how many were created. The derived rows of credits and praise
// are written once, at the end of the batch (or before an entry of another
// kind, whose own derived tables may read them).
func (l *Ledger) AppendBatch(ctx context.Context, ns []NewEntry) (created int, err error) {
	err = l.write(ctx, func(w *writer) error {
		created = 0
		w.batch = &scoreBatch{totals: map[totalKey]totalRow{}, days: map[dayKey]map[int64]int64{}}
		for i, n := range ns {
			if !n.Kind.counts() {
				if err := w.flush(ctx); err != nil {
					return err
				}
			}
			_, ok, err := w.append(ctx, n)
			if err != nil {
				return fmt.Errorf("entry %d: %w", i, err)
			}
			if ok {
				created++
			}
		}
		return w.flush(ctx)
	})
	return created, err
}

// withoutIndexes runs fn with the indexes of table dropped, then creates
// them again from their stored definitions, in the same transaction: a
// failure of fn leaves them as they were. On SQLite only (see
// engine.indexesOf): PostgreSQL keeps them.
func (w *writer) withoutIndexes(ctx context.Context, table string, fn func() error) error {
	indexes, err := w.engine.indexesOf(ctx, w.tx, table)
	if err != nil {
		return fmt.Errorf("read the indexes of %s: %w", table, err)
	}
	for name := range indexes {
		if _, err := w.tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	if err := fn(); err != nil {
		return err
	}
	for name, definition := range indexes {
		if _, err := w.tx.ExecContext(ctx, definition); err != nil {
			return fmt.Errorf("create index %s: %w", name, err)
		}
	}
	return nil
}
