package ledger

import "context"

// AppendEach is AppendBatch as it was before batches wrote their derived
// rows together: every entry through the single-append path, in one
// transaction. The batch benchmark measures both in the same run.
func (l *Ledger) AppendEach(ctx context.Context, ns []NewEntry) (created int, err error) {
	err = l.write(ctx, func(w *writer) error {
		created = 0
		for _, n := range ns {
			_, ok, err := w.append(ctx, n)
			if err != nil {
				return err
			}
			if ok {
				created++
			}
		}
		return nil
	})
	return created, err
}

// RebuildScores recomputes scores and totals alone, as Rebuild does, or
// with their indexes kept in place as Rebuild did before.
func (l *Ledger) RebuildScores(ctx context.Context, keepIndexes bool) error {
	return l.write(ctx, func(w *writer) error {
		if keepIndexes {
			return w.refill(ctx, l.halfLife.Seconds())
		}
		return w.rebuild(ctx, l.halfLife.Seconds())
	})
}
