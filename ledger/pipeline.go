package ledger

import (
	"context"
	"math/bits"
)

// step is one statement of a pipeline (see engine.pipeline): its query
// and arguments, and what becomes of its result.
type step struct {
	query   string
	args    []any
	row     func(scanner) error // called with each row of a query; nil for a statement whose rows are not read
	changed *int64              // if set, the rows the statement changed are added to it
}

// pipelineLength bounds the statements PostgreSQL is sent at once.
const pipelineLength = 64

// rowSteps are the statements that write rows with statement(n), a
// statement of n rows, each of at most the engine's rowsPerStatement
// rows; each adds the rows it changed to changed, if set. Every n is a
// power of two (13 rows are 8, 4 and 1), so that a few statement texts
// serve every batch: PostgreSQL's connections prepare each text they
// meet and keep a few hundred. A pipeline sends them all in one round
// trip whatever their number.
func (w *writer) rowSteps(statement func(n int) string, rows [][]any, changed *int64) []step {
	per := w.engine.rowsPerStatement()
	var steps []step
	for len(rows) > 0 {
		n := 1 << (bits.Len(uint(min(per, len(rows)))) - 1)
		var args []any
		for _, row := range rows[:n] {
			args = append(args, row...)
		}
		steps = append(steps, step{query: statement(n), args: args, changed: changed})
		rows = rows[n:]
	}
	return steps
}

// runSteps runs steps one after the other through the statement cache:
// SQLite's pipeline, where a statement costs no round trip.
func (w *writer) runSteps(ctx context.Context, steps []step) error {
	for _, s := range steps {
		if err := w.runStep(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) runStep(ctx context.Context, s step) error {
	if s.row != nil {
		return w.eachRow(ctx, s.query, s.args, s.row)
	}
	stmt, err := w.prepare(ctx, s.query)
	if err != nil {
		return err
	}
	res, err := stmt.ExecContext(ctx, s.args...)
	if err != nil || s.changed == nil {
		return err
	}
	n, err := res.RowsAffected()
	*s.changed += n
	return err
}

// eachRow runs a query through the statement cache and calls fn with each
// row.
func (w *writer) eachRow(ctx context.Context, query string, args []any, fn func(scanner) error) error {
	stmt, err := w.prepare(ctx, query)
	if err != nil {
		return err
	}
	return eachOf(stmt.QueryContext(ctx, args...))(fn)
}
