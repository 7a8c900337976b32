package ledger

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// ErrPeriodClosed is returned when a payout period is closed a second time.
var ErrPeriodClosed = errors.New("payout period already closed")

// PayoutRun is a closed period's payout: the rule it followed and what
// each member received.
type PayoutRun struct {
	Period   string    // e.g. "2026-11" or "2026-W48"
	Policy   string    // proportional, reputation or balanced
	Currency string    // e.g. EUR
	Decimals int       // minor units per unit, as a power of ten
	Budget   *big.Int  // minor units
	ClosedAt time.Time // when it was closed
	Actor    string    // who closed it
	Payouts  []Payout  // by member id
}

// Payout is one member's payment in a run.
type Payout struct {
	Member int64
	Amount *big.Int // minor units
	Seq    int64    // the payout entry in the chain
}

// PayoutNote is the note of a payout entry: the amount in decimal with its
// currency, the period and the policy, so that the chain itself records
// what was paid.
func PayoutNote(run PayoutRun, amount *big.Int) string {
	return fmt.Sprintf("%s %s for %s (%s)", FormatAmount(amount, run.Decimals), run.Currency, run.Period, run.Policy)
}

// ClosePayout records a run: one payout entry per payout, in one
// transaction, and the run itself. A period can be closed once; a second
// close, even a concurrent one, fails with ErrPeriodClosed and writes
// nothing.
func (l *Ledger) ClosePayout(ctx context.Context, run PayoutRun, source Source) (PayoutRun, error) {
	err := l.write(ctx, func(w *writer) error {
		run.ClosedAt = w.now
		err := w.exec(ctx, `INSERT INTO payout_runs (period, policy, currency, decimals, budget, closed_at, actor)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (period) DO NOTHING`,
			run.Period, run.Policy, run.Currency, run.Decimals, run.Budget.String(), w.now.Unix(), run.Actor)
		if err != nil {
			return err
		}
		if closed, err := w.changes(ctx); err != nil {
			return err
		} else if closed == 0 {
			return fmt.Errorf("period %s: %w", run.Period, ErrPeriodClosed)
		}
		for i := range run.Payouts {
			if err := w.appendPayout(ctx, run, &run.Payouts[i], source); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return PayoutRun{}, fmt.Errorf("close payout: %w", err)
	}
	return run, nil
}

func (w *writer) appendPayout(ctx context.Context, run PayoutRun, p *Payout, source Source) error {
	e, created, err := w.append(ctx, NewEntry{
		Kind: KindPayout, Member: p.Member, OccurredAt: w.now, Source: source,
		SourceRef: fmt.Sprintf("payout:%s:%d", run.Period, p.Member), Actor: run.Actor,
		Note: PayoutNote(run, p.Amount),
	})
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("period %s: %w (entry %d)", run.Period, ErrPeriodClosed, e.Seq)
	}
	p.Seq = e.Seq
	return w.exec(ctx, "INSERT INTO payouts (seq, period, member_id, amount) VALUES (?, ?, ?, ?)",
		e.Seq, run.Period, p.Member, p.Amount.String())
}

// changes is the number of rows the last statement of the transaction wrote.
func (w *writer) changes(ctx context.Context) (int64, error) {
	var n int64
	err := w.tx.QueryRowContext(ctx, "SELECT changes()").Scan(&n)
	return n, err
}

// PayoutRun returns a closed run with its payouts, or ErrNotFound.
func (l *Ledger) PayoutRun(ctx context.Context, period string) (PayoutRun, error) {
	runs, err := l.payoutRuns(ctx, "WHERE period = ?", period)
	if err != nil {
		return PayoutRun{}, err
	}
	if len(runs) == 0 {
		return PayoutRun{}, fmt.Errorf("payout %s: %w", period, ErrNotFound)
	}
	run := runs[0]
	err = l.eachRow(ctx, func(row scanner) error {
		var p Payout
		var amount string
		if err := row.Scan(&p.Member, &amount, &p.Seq); err != nil {
			return err
		}
		p.Amount, _ = new(big.Int).SetString(amount, 10)
		run.Payouts = append(run.Payouts, p)
		return nil
	}, "SELECT member_id, amount, seq FROM payouts WHERE period = ? ORDER BY member_id", period)
	if err != nil {
		return PayoutRun{}, fmt.Errorf("payout %s: %w", period, err)
	}
	return run, nil
}

// PayoutRuns returns every closed run, newest period first, without
// their payouts.
func (l *Ledger) PayoutRuns(ctx context.Context) ([]PayoutRun, error) {
	return l.payoutRuns(ctx, "")
}

func (l *Ledger) payoutRuns(ctx context.Context, where string, args ...any) ([]PayoutRun, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT period, policy, currency, decimals, budget, closed_at, actor
		FROM payout_runs `+where+` ORDER BY closed_at DESC, period DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("payout runs: %w", err)
	}
	defer rows.Close()
	runs := []PayoutRun{}
	for rows.Next() {
		var r PayoutRun
		var budget string
		var closed int64
		if err := rows.Scan(&r.Period, &r.Policy, &r.Currency, &r.Decimals, &budget, &closed, &r.Actor); err != nil {
			return nil, fmt.Errorf("payout runs: %w", err)
		}
		r.Budget, _ = new(big.Int).SetString(budget, 10)
		r.ClosedAt = time.Unix(closed, 0).UTC()
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

// PaidTotals returns what each member has been paid in all closed runs of
// the currency, in minor units of decimals.
func (l *Ledger) PaidTotals(ctx context.Context, currency string, decimals int) (map[int64]*big.Int, error) {
	paid := map[int64]*big.Int{}
	err := l.eachRow(ctx, func(row scanner) error {
		var m int64
		var amount string
		if err := row.Scan(&m, &amount); err != nil {
			return err
		}
		v, ok := new(big.Int).SetString(amount, 10)
		if !ok {
			return fmt.Errorf("bad amount %q", amount)
		}
		if paid[m] == nil {
			paid[m] = new(big.Int)
		}
		paid[m].Add(paid[m], v)
		return nil
	}, `SELECT p.member_id, p.amount FROM payouts p JOIN payout_runs r ON r.period = p.period
		WHERE r.currency = ? AND r.decimals = ?`, currency, decimals)
	if err != nil {
		return nil, fmt.Errorf("paid totals: %w", err)
	}
	return paid, nil
}

// PointsBetween returns each member's counted points with occurred_at in
// [start, end).
func (l *Ledger) PointsBetween(ctx context.Context, start, end time.Time) (map[int64]int64, error) {
	return l.pointsWhere(ctx, "occurred_at >= ? AND occurred_at < ?", start.Unix(), end.Unix())
}

// LifetimePoints returns each member's counted points earned before end.
// It reads the running totals and subtracts the few entries after end, so
// it costs one row per member rather than one per entry.
func (l *Ledger) LifetimePoints(ctx context.Context, end time.Time) (map[int64]int64, error) {
	points, err := l.totals(ctx)
	if err != nil {
		return nil, err
	}
	later, err := l.pointsWhere(ctx, "occurred_at >= ?", end.Unix())
	if err != nil {
		return nil, err
	}
	for m, p := range later {
		points[m] -= p
	}
	return points, nil
}

// ReputationsAt returns each member's reputation at time at, from the
// running weights less those of entries after at.
func (l *Ledger) ReputationsAt(ctx context.Context, at time.Time) (map[int64]float64, error) {
	d, err := readDecay(ctx, l.db)
	if err != nil {
		return nil, err
	}
	weights := map[int64]float64{}
	err = l.eachRow(ctx, func(row scanner) error {
		var m int64
		var w float64
		err := row.Scan(&m, &w)
		weights[m] = w
		return err
	}, "SELECT member_id, weight FROM totals WHERE category = ''")
	if err != nil {
		return nil, fmt.Errorf("reputations: %w", err)
	}
	err = l.eachRow(ctx, func(row scanner) error {
		var m, points, occurred int64
		err := row.Scan(&m, &points, &occurred)
		weights[m] -= d.weight(points, occurred)
		return err
	}, "SELECT member_id, points, occurred_at FROM scores WHERE occurred_at > ?", at.Unix())
	if err != nil {
		return nil, fmt.Errorf("reputations: %w", err)
	}
	reps := make(map[int64]float64, len(weights))
	for m, w := range weights {
		reps[m] = max(0, d.value(w, at.Unix()))
	}
	return reps, nil
}

func (l *Ledger) totals(ctx context.Context) (map[int64]int64, error) {
	return l.pointsQuery(ctx, "SELECT member_id, points FROM totals WHERE category = ''")
}

func (l *Ledger) pointsWhere(ctx context.Context, where string, args ...any) (map[int64]int64, error) {
	return l.pointsQuery(ctx, "SELECT member_id, sum(points) FROM scores WHERE "+where+" GROUP BY member_id", args...)
}

// pointsQuery reads (member, points) rows into a map.
func (l *Ledger) pointsQuery(ctx context.Context, query string, args ...any) (map[int64]int64, error) {
	points := map[int64]int64{}
	err := l.eachRow(ctx, func(row scanner) error {
		var m, p int64
		err := row.Scan(&m, &p)
		points[m] = p
		return err
	}, query, args...)
	if err != nil {
		return nil, fmt.Errorf("points: %w", err)
	}
	return points, nil
}

// eachRow runs a query and calls fn for each row.
func (l *Ledger) eachRow(ctx context.Context, fn func(scanner) error, query string, args ...any) error {
	rows, err := l.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ParsePayoutNote reads the amount back from a payout entry's note, for
// tools that check payouts from an export alone.
func ParsePayoutNote(note string, decimals int) (*big.Int, string, error) {
	amount, rest, ok := strings.Cut(note, " ")
	currency, _, _ := strings.Cut(rest, " ")
	if !ok {
		return nil, "", fmt.Errorf("payout note %q: no amount", note)
	}
	v, err := ParseAmount(amount, decimals)
	return v, currency, err
}
