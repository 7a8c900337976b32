package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// decay turns points into running weights: an entry of p points at time a
// weighs p·2^((a−anchor)/halfLife), and a weight w is worth
// w·2^(−(t−anchor)/halfLife) at time t. Sums of weights then give
// reputation for every member without reading their entries.
type decay struct {
	anchor   int64   // unix seconds
	halfLife float64 // seconds; 0 = no decay
}

// maxExponent keeps weights far from float64 overflow (2^1023): past it the
// anchor moves forward and stored weights are rescaled.
const maxExponent = 512

func (d decay) exponent(at int64) float64 {
	if d.halfLife == 0 {
		return 0
	}
	return float64(at-d.anchor) / d.halfLife
}

// weight caps the exponent so that even an entry dated far ahead of the
// anchor (stored before MaxClockSkew was enforced) weighs a finite amount;
// entries within the skew never reach the cap, as rebase keeps them below.
func (d decay) weight(points, at int64) float64 {
	return float64(points) * math.Exp2(min(d.exponent(at), maxExponent))
}

// value is what a weight is worth at time t, never NaN, infinite or
// negative: a zero weight stays zero however far t lies from the anchor
// (0·Inf would be NaN), the rounding a revoke leaves cannot go below zero,
// and a figure past float64 saturates instead of overflowing.
func (d decay) value(weight float64, t int64) float64 {
	if !(weight > 0) {
		return 0
	}
	v := weight * math.Exp2(-d.exponent(t))
	if math.IsInf(v, 1) {
		return math.MaxFloat64
	}
	return v
}

func (d decay) String() string {
	return fmt.Sprintf("%d %s", d.anchor, strconv.FormatFloat(d.halfLife, 'g', -1, 64))
}

func parseDecay(s string) (decay, error) {
	a, h, ok := strings.Cut(s, " ")
	anchor, err1 := strconv.ParseInt(a, 10, 64)
	halfLife, err2 := strconv.ParseFloat(h, 64)
	if !ok || err1 != nil || err2 != nil {
		return decay{}, fmt.Errorf("bad decay meta %q", s)
	}
	return decay{anchor: anchor, halfLife: halfLife}, nil
}

const selectDecay = "SELECT value FROM meta WHERE key = 'decay'"

func readDecay(ctx context.Context, q queryer) (decay, error) {
	return scanDecay(q.QueryRowContext(ctx, selectDecay))
}

func scanDecay(row *sql.Row) (decay, error) {
	var s string
	err := row.Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return decay{}, nil
	} else if err != nil {
		return decay{}, fmt.Errorf("read decay: %w", err)
	}
	return parseDecay(s)
}

// loadDecay makes the stored weights agree with the configured half-life,
// recomputing them from the scores when it changed (once, at open).
func (l *Ledger) loadDecay(ctx context.Context) error {
	want := l.halfLife.Seconds()
	return l.write(ctx, func(w *writer) error {
		var exists int
		err := w.tx.QueryRowContext(ctx, "SELECT count(*) FROM meta WHERE key = 'decay'").Scan(&exists)
		if err != nil {
			return err
		}
		if exists == 1 && w.decay.halfLife == want {
			return nil
		}
		d := decay{anchor: w.now.Unix(), halfLife: want}
		if err := w.reweigh(ctx, d); err != nil {
			return fmt.Errorf("reweigh reputation: %w", err)
		}
		return nil
	})
}

// reweigh recomputes every weight of totals under d and stores d.
func (w *writer) reweigh(ctx context.Context, d decay) error {
	sums, err := w.sumScores(ctx, d)
	if err != nil {
		return err
	}
	for k, t := range sums {
		err := w.exec(ctx, "UPDATE totals SET weight = ? WHERE category = ? AND member_id = ?", t.weight, k.category, k.member)
		if err != nil {
			return err
		}
	}
	return w.setDecay(ctx, d)
}

// sumScores reads the scores table once and sums its points and weights
// under d by member and category, and by member alone (category "").
func (w *writer) sumScores(ctx context.Context, d decay) (map[repKey]totalRow, error) {
	sums := map[repKey]totalRow{}
	err := eachRowOf(ctx, w.tx, func(row scanner) error {
		var k repKey
		var points, at int64
		if err := row.Scan(&k.member, &k.category, &points, &at); err != nil {
			return err
		}
		weight := d.weight(points, at)
		for _, k := range []repKey{k, {member: k.member}} {
			t := sums[k]
			sums[k] = totalRow{points: t.points + points, weight: t.weight + weight}
		}
		return nil
	}, "SELECT member_id, category, points, occurred_at FROM scores")
	return sums, err
}

// retotal fills the emptied totals table from the scores, weighed under d,
// in key order, and stores d: one pass over the scores, where grouping
// them in SQL sorted them twice and the weights then took an update per
// row.
func (w *writer) retotal(ctx context.Context, d decay) error {
	sums, err := w.sumScores(ctx, d)
	if err != nil {
		return err
	}
	if err := w.upsertTotals(ctx, sortedTotals(sums)); err != nil {
		return err
	}
	return w.setDecay(ctx, d)
}

func (w *writer) setDecay(ctx context.Context, d decay) error {
	w.decay = d
	return w.exec(ctx, "INSERT INTO meta (key, value) VALUES ('decay', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", d.String())
}

// rebase moves the anchor to at, rescaling stored weights, when an entry
// would otherwise push the exponent towards overflow.
func (w *writer) rebase(ctx context.Context, at int64) error {
	if w.decay.exponent(at) <= maxExponent {
		return nil
	}
	// Weights held by a batch were computed from the old anchor.
	if err := w.flush(ctx); err != nil {
		return err
	}
	d := decay{anchor: at, halfLife: w.decay.halfLife}
	factor := math.Exp2(-w.decay.exponent(at))
	if err := w.exec(ctx, "UPDATE totals SET weight = weight * ?", factor); err != nil {
		return err
	}
	return w.setDecay(ctx, d)
}

const upsertTotal = `INSERT INTO totals (category, member_id, points, weight) VALUES (?, ?, ?, ?)
	ON CONFLICT (category, member_id) DO UPDATE
	SET points = totals.points + excluded.points, weight = totals.weight + excluded.weight`

// upsertTotals is upsertTotal for n rows, which must have n distinct keys.
func upsertTotals(n int) string {
	values, rest, _ := strings.Cut(upsertTotal, "\n")
	return values + strings.Repeat(", (?, ?, ?, ?)", n-1) + "\n" + rest
}

// addScore makes a counting entry count: in scores and in the totals of
// its category and of all categories.
func (w *writer) addScore(ctx context.Context, e Entry) error {
	at := e.scoredAt()
	if err := w.rebase(ctx, at); err != nil {
		return err
	}
	if w.batch != nil {
		w.batch.add(e, at, w.decay.weight(e.Points, at))
		return nil
	}
	err := w.exec(ctx, "INSERT INTO scores (seq, member_id, category, points, occurred_at) VALUES (?, ?, ?, ?, ?)",
		e.Seq, e.Member, e.Category, e.Points, at)
	if err != nil {
		return err
	}
	if err := w.addDayPoints(ctx, e.Member, e.Category, at, e.Points); err != nil {
		return err
	}
	return w.addTotals(ctx, e.Member, e.Category, e.Points, w.decay.weight(e.Points, at))
}

// removeScore undoes addScore for a revoked entry, with the time the
// scores table holds for it: the one its weight was added with.
func (w *writer) removeScore(ctx context.Context, e Entry) error {
	var at int64
	err := w.scan(ctx, "DELETE FROM scores WHERE seq = ? RETURNING occurred_at", []any{e.Seq}, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // not counted: nothing to take back
	} else if err != nil {
		return err
	}
	if err := w.addDayPoints(ctx, e.Member, e.Category, at, -e.Points); err != nil {
		return err
	}
	return w.addTotals(ctx, e.Member, e.Category, -e.Points, -w.decay.weight(e.Points, at))
}

func (w *writer) addTotals(ctx context.Context, member int64, category string, points int64, weight float64) error {
	for _, c := range []string{category, ""} {
		if err := w.exec(ctx, upsertTotal, c, member, points, weight); err != nil {
			return err
		}
	}
	return nil
}

// stale reports derived tables that an entry dated far ahead has spoiled
// (written before MaxClockSkew was enforced): a decay anchor later than
// any entry or clock can explain, or a score counted from beyond the skew.
// Their weights have underflowed to zero and only a rebuild restores them.
func (w *writer) stale(ctx context.Context) (bool, error) {
	var recorded, occurred, maxRecorded int64
	err := w.tx.QueryRowContext(ctx, `SELECT e.recorded_at, s.occurred_at FROM scores s
		JOIN entries e ON e.seq = s.seq ORDER BY s.occurred_at DESC LIMIT 1`).Scan(&recorded, &occurred)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("read newest score: %w", err)
	}
	err = w.tx.QueryRowContext(ctx, "SELECT coalesce(max(recorded_at), 0) FROM entries").Scan(&maxRecorded)
	if err != nil {
		return false, fmt.Errorf("read newest entry: %w", err)
	}
	return occurred > recorded+maxSkewSeconds || w.decay.anchor > max(w.now.Unix(), maxRecorded)+maxSkewSeconds, nil
}

// repair rebuilds spoiled derived tables, so that revoking the entry that
// spoiled them restores everyone's figures.
func (w *writer) repair(ctx context.Context) error {
	stale, err := w.stale(ctx)
	if err != nil || !stale {
		return err
	}
	return w.rebuild(ctx, w.decay.halfLife)
}

// rebuildScores counts every credit and praise that no revoke entry
// cancels (revokes are keyed "revoke:<entry id>"), from its scoredAt. (A
// CASE rather than SQLite's two-argument min, which PostgreSQL spells
// least.)
const rebuildScores = `INSERT INTO scores (seq, member_id, category, points, occurred_at) ` + countedScores

const countedScores = `SELECT seq, member_id, category, points,
		CASE WHEN occurred_at < recorded_at + ? THEN occurred_at ELSE recorded_at + ? END AS occurred_at FROM entries e
	WHERE kind IN ('credit', 'praise') AND NOT EXISTS (` + revokeOf + `)`

// revokeOf finds the revoke of entry e. The range it repeats of the
// equality lets PostgreSQL, which joins rather than looking each entry
// up, hash the few revokes instead of every entry's source_ref (a
// rebuild's delete of wrong scores on the 1M ledger: 3.6 s, then 1.8 s);
// SQLite looks each up by the equality as before.
const revokeOf = `SELECT 1 FROM entries r WHERE r.source_ref >= 'revoke:' AND r.source_ref < 'revoke;'
		AND r.source_ref = 'revoke:' || e.id`

// deleteWrongScores deletes the scores rows that are not rows of
// countedScores, and insertMissingScores inserts those of countedScores
// that scores lacks: together, scores becomes countedScores.
const (
	deleteWrongScores = `DELETE FROM scores WHERE NOT EXISTS (SELECT 1 FROM (` + countedScores + `) c
		WHERE c.seq = scores.seq AND c.member_id = scores.member_id AND c.category = scores.category
		AND c.points = scores.points AND c.occurred_at = scores.occurred_at)`
	insertMissingScores = `INSERT INTO scores (seq, member_id, category, points, occurred_at)
		SELECT * FROM (` + countedScores + `) c WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.seq = c.seq)`
)

// rebuild replaces the derived tables with what the entries say, weighed
// from a fresh anchor at now. The indexes of scores are dropped while it
// is refilled and built again after: building an index from a million
// rows sorts them once, where keeping it up to date inserts each at a
// random place. Where they stay (PostgreSQL while others may read, see
// engine.indexesOf), scores is brought to what the entries say by
// difference: a rebuild of a ledger whose scores are right then changes
// no row and no index, where refilling it rewrote a million of each.
func (w *writer) rebuild(ctx context.Context, halfLife float64) error {
	return w.withoutIndexes(ctx, "scores", func(dropped int) error {
		if dropped == 0 {
			return w.rescore(ctx, halfLife, deleteWrongScores, insertMissingScores)
		}
		return w.refill(ctx, halfLife)
	})
}

// refill is rebuild with scores emptied and filled again.
func (w *writer) refill(ctx context.Context, halfLife float64) error {
	if _, err := w.tx.ExecContext(ctx, "DELETE FROM scores"); err != nil {
		return fmt.Errorf("rebuild derived tables: %w", err)
	}
	return w.rescore(ctx, halfLife, rebuildScores)
}

// rescore runs the statements that make scores what the entries say, each
// taking the skew bound twice, then sums totals again from scores.
func (w *writer) rescore(ctx context.Context, halfLife float64, statements ...string) error {
	for _, s := range statements {
		if _, err := w.tx.ExecContext(ctx, s, maxSkewSeconds, maxSkewSeconds); err != nil {
			return fmt.Errorf("rebuild derived tables: %w", err)
		}
	}
	if _, err := w.tx.ExecContext(ctx, "DELETE FROM totals"); err != nil {
		return fmt.Errorf("rebuild derived tables: %w", err)
	}
	return w.retotal(ctx, decay{anchor: w.now.Unix(), halfLife: halfLife})
}
