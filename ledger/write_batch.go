package ledger

import (
	"context"
	"fmt"
	"slices"
)

// scoreBatch holds the derived rows of the counting entries of one
// AppendBatch, or of one group commit of GitHub writes, until it ends:
// the range of their scores rows, and the totals summed per member and
// category, so that a member credited a hundred times in a batch costs
// two totals updates, not two hundred, and rows go to the B-trees in key
// order.
type scoreBatch struct {
	from, to int64 // the seqs of the first and last entries whose scores rows wait; from is 0 if none does
	totals   map[repKey]totalRow
	days     map[dayKey]map[int64]int64 // points per member, per day_points row
}

func newScoreBatch() *scoreBatch {
	return &scoreBatch{totals: map[repKey]totalRow{}, days: map[dayKey]map[int64]int64{}}
}

// add counts e, scored at at with weight, in the batch.
func (b *scoreBatch) add(e Entry, at int64, weight float64) {
	if b.from == 0 {
		b.from = e.Seq
	}
	b.to = e.Seq
	for _, c := range []string{e.Category, ""} {
		k := repKey{category: c, member: e.Member}
		t := b.totals[k]
		b.totals[k] = totalRow{points: t.points + e.Points, weight: t.weight + weight}
	}
	k := dayKey{day: dayOf(at), category: e.Category}
	if b.days[k] == nil {
		b.days[k] = map[int64]int64{}
	}
	b.days[k][e.Member] += e.Points
}

// flush writes the rows held, if any, with the statements of extra, and
// empties the batch. It runs before anything in the transaction reads
// entries, scores or totals. The held entries, extra, the scores, the
// totals and the day sums the lookahead read go in one pipeline; a day
// sum it did not read is read there and written in a second.
func (w *writer) flush(ctx context.Context, extra ...step) error {
	steps, check := w.heldSteps()
	steps = append(steps, extra...)
	b := w.batch
	counted := b != nil && b.from != 0
	var days dayUpdate
	if counted {
		var err error
		if days, err = w.ahead.updateDays(b.days); err != nil {
			return err
		}
		steps = append(steps, step{query: batchScores, args: []any{maxSkewSeconds, maxSkewSeconds, b.from, b.to}})
		steps = append(append(steps, w.totalSteps(sortedTotals(b.totals))...), days.steps...)
	}
	if err := w.engine.pipeline(ctx, w, steps); err != nil {
		return fmt.Errorf("write the batch: %w", err)
	}
	if err := check(); err != nil || !counted {
		return err
	}
	if err := w.writeDays(ctx, days.unread, days.stored); err != nil {
		return err
	}
	b.from = 0
	clear(b.totals)
	clear(b.days)
	return nil
}

// batchScores writes the scores rows of the counting entries in a range
// of seqs, in one statement that reads them back from entries, as
// rebuildScores does for the whole ledger. The range ends with the last
// entry the batch counted, not at the head: a flush may run while an
// entry is being derived, after its own row is stored. No entry in the
// range is a revoke (a batch flushes before any entry that does not
// count), and SQLite copies each page the statement changes to its
// statement journal once, where a statement per row or per few hundred
// rows copied the same index pages again and again.
const batchScores = `INSERT INTO scores (seq, member_id, category, points, occurred_at)
	SELECT seq, member_id, category, points,
		CASE WHEN occurred_at < recorded_at + ? THEN occurred_at ELSE recorded_at + ? END FROM entries
	WHERE seq BETWEEN ? AND ? AND kind IN ('credit', 'praise')`

// totalDelta is what a batch adds to one totals row.
type totalDelta struct {
	key repKey
	add totalRow
}

// sortedTotals orders totals by the table's key, so that the writes walk
// the B-tree once from left to right.
func sortedTotals(totals map[repKey]totalRow) []totalDelta {
	out := make([]totalDelta, 0, len(totals))
	for k, t := range totals {
		out = append(out, totalDelta{key: k, add: t})
	}
	slices.SortFunc(out, func(a, b totalDelta) int { return categoryFirst(a.key, b.key) })
	return out
}

// upsertTotals adds each delta to its row.
func (w *writer) upsertTotals(ctx context.Context, deltas []totalDelta) error {
	return w.engine.pipeline(ctx, w, w.totalSteps(deltas))
}

// totalSteps are the statements of upsertTotals.
func (w *writer) totalSteps(deltas []totalDelta) []step {
	rows := make([][]any, len(deltas))
	for i, d := range deltas {
		rows[i] = []any{d.key.category, d.key.member, d.add.points, d.add.weight}
	}
	return w.rowSteps(upsertTotals, rows, nil)
}

// AppendBatch adds entries in one transaction, for backfills: all or none
// are stored. Entries whose source_ref is already present are skipped; it
// returns how many were created. The derived rows of credits and praise
// are written once, at the end of the batch (or before an entry of another
// kind, whose own derived tables may read them).
func (l *Ledger) AppendBatch(ctx context.Context, ns []NewEntry) (created int, err error) {
	err = l.write(ctx, func(w *writer) error {
		created = 0
		w.batch = newScoreBatch()
		for i, n := range ns {
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

// withoutIndexes runs fn with the indexes of table dropped (and, on
// PostgreSQL, its constraints but the key), then makes them again from
// their stored definitions, in the same transaction: a failure of fn
// leaves them as they were. PostgreSQL keeps them unless the table is not
// read meanwhile (see engine.indexesOf).
func (w *writer) withoutIndexes(ctx context.Context, table string, fn func(dropped int) error) error {
	indexes, err := w.engine.indexesOf(ctx, w.tx, table, w.unread)
	if err != nil {
		return fmt.Errorf("read the indexes of %s: %w", table, err)
	}
	for name, index := range indexes {
		if _, err := w.tx.ExecContext(ctx, index.drop); err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
	}
	if err := fn(len(indexes)); err != nil {
		return err
	}
	for name, index := range indexes {
		if _, err := w.tx.ExecContext(ctx, index.create); err != nil {
			return fmt.Errorf("make %s again: %w", name, err)
		}
	}
	return nil
}
