package ledger

import (
	"context"
	"database/sql"
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
	// ID names the run: the period for its first run, then "2026-10#2",
	// "2026-10#3"… for the runs that follow a reopening.
	ID       string
	Period   string     // e.g. "2026-11" or "2026-W48"
	Policy   string     // proportional, reputation or balanced
	Currency string     // e.g. EUR
	Decimals int        // minor units per unit, as a power of ten
	Budget   *big.Int   // minor units
	ClosedAt time.Time  // when it was closed
	Actor    string     // who closed it
	Reopened *Reopening // nil while the run stands
	Payouts  []Payout   // by member id
}

// Reopening is how a closed run was undone: every payout entry of the run
// revoked, for a reason.
type Reopening struct {
	At     time.Time
	Actor  string
	Reason string
}

// Payout is one member's payment in a run.
type Payout struct {
	Member int64
	Amount *big.Int // minor units
	Seq    int64    // the payout entry in the chain
}

// PayoutNote is the note of a payout entry: the amount in decimal with its
// currency, the period and the policy, for people reading the chain; the
// same facts are in the entry's data for programs.
func PayoutNote(run PayoutRun, amount *big.Int) string {
	return fmt.Sprintf("%s %s for %s (%s)", FormatAmount(amount, run.Decimals), run.Currency, run.Period, run.Policy)
}

// ClosePayout records a run: one payout entry per payout, in one
// transaction, and the run itself. A period has at most one standing run;
// a second close, even a concurrent one, fails with ErrPeriodClosed and
// writes nothing. Once its run is reopened, the period closes again under
// a new run id.
func (l *Ledger) ClosePayout(ctx context.Context, run PayoutRun, source Source) (PayoutRun, error) {
	return l.ClosePayoutIf(ctx, run, source, nil)
}

// ClosePayoutIf is ClosePayout that first asks admit, within the closing
// transaction, whether the run may stand beside the runs that stand; an
// error from admit refuses the close as it is. Asked before the write, two
// closes at once could both pass it.
func (l *Ledger) ClosePayoutIf(ctx context.Context, run PayoutRun, source Source, admit func(standing []PayoutRun) error) (PayoutRun, error) {
	var refused error
	err := l.write(ctx, func(w *writer) error {
		if refused = w.admit(ctx, admit); refused != nil {
			return refused
		}
		id, err := w.nextRunID(ctx, run.Period)
		if err != nil {
			return err
		}
		run.ID, run.ClosedAt = id, w.now
		err = w.exec(ctx, `INSERT INTO payout_runs (run, period, policy, currency, decimals, budget, closed_at, actor)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			run.ID, run.Period, run.Policy, run.Currency, run.Decimals, run.Budget.String(), w.now.Unix(), run.Actor)
		if err != nil {
			return err
		}
		for i := range run.Payouts {
			if err := w.appendPayout(ctx, run, &run.Payouts[i], source); err != nil {
				return err
			}
		}
		return nil
	})
	if refused != nil {
		return PayoutRun{}, refused
	} else if err != nil {
		return PayoutRun{}, fmt.Errorf("close payout: %w", err)
	}
	return run, nil
}

// admit asks admit, if any, about the standing runs as the write sees them.
func (w *writer) admit(ctx context.Context, admit func([]PayoutRun) error) error {
	if admit == nil {
		return nil
	}
	rows, err := w.tx.QueryContext(ctx, "SELECT "+runColumns+" FROM payout_runs WHERE reopened_at IS NULL ORDER BY closed_at, run")
	if err != nil {
		return fmt.Errorf("close payout: standing runs: %w", err)
	}
	defer rows.Close()
	var standing []PayoutRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return fmt.Errorf("close payout: standing runs: %w", err)
		}
		standing = append(standing, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("close payout: standing runs: %w", err)
	}
	return admit(standing)
}

// nextRunID names the next run of a period, or refuses if one stands.
func (w *writer) nextRunID(ctx context.Context, period string) (string, error) {
	var runs, standing int
	err := w.tx.QueryRowContext(ctx, `SELECT count(*), count(*) - count(reopened_at)
		FROM payout_runs WHERE period = ?`, period).Scan(&runs, &standing)
	switch {
	case err != nil:
		return "", err
	case standing > 0:
		return "", fmt.Errorf("period %s: %w", period, ErrPeriodClosed)
	case runs == 0:
		return period, nil
	}
	return fmt.Sprintf("%s#%d", period, runs+1), nil
}

func (w *writer) appendPayout(ctx context.Context, run PayoutRun, p *Payout, source Source) error {
	data, err := NewData(payoutData{Amount: FormatAmount(p.Amount, run.Decimals), Currency: run.Currency,
		Period: run.Period, Policy: run.Policy, Run: run.ID})
	if err != nil {
		return err
	}
	e, created, err := w.append(ctx, NewEntry{
		Kind: KindPayout, Member: p.Member, OccurredAt: w.now, Source: source,
		SourceRef: fmt.Sprintf("payout:%s:%d", run.ID, p.Member), Actor: run.Actor,
		Note: PayoutNote(run, p.Amount), Data: data,
	})
	if err != nil {
		return err
	}
	if !created {
		return fmt.Errorf("period %s: %w (entry %d)", run.Period, ErrPeriodClosed, e.Seq)
	}
	p.Seq = e.Seq
	return w.exec(ctx, "INSERT INTO payouts (seq, run, member_id, amount) VALUES (?, ?, ?, ?)",
		e.Seq, run.ID, p.Member, p.Amount.String())
}

// ReopenRequest asks to undo the standing run of a period.
type ReopenRequest struct {
	Period string // the period whose standing run is reopened
	Reason string // why, the note of every revoke
	Actor  string
	Source Source
}

// ReopenPayout appends a revoke entry ("revoke:<entry id>") for every
// payout entry of the period's standing run, in one transaction, and marks
// the run reopened: nothing is rewritten, and the period may be closed
// again. Without a standing run it returns ErrNotFound.
func (l *Ledger) ReopenPayout(ctx context.Context, r ReopenRequest) (PayoutRun, error) {
	var id string
	err := l.write(ctx, func(w *writer) error {
		err := w.tx.QueryRowContext(ctx, "SELECT run FROM payout_runs WHERE period = ? AND reopened_at IS NULL", r.Period).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("period %s has no closed run: %w", r.Period, ErrNotFound)
		} else if err != nil {
			return err
		}
		if err := w.revokeRun(ctx, id, r); err != nil {
			return err
		}
		return w.exec(ctx, "UPDATE payout_runs SET reopened_at = ?, reopen_actor = ?, reopen_reason = ? WHERE run = ?",
			w.now.Unix(), r.Actor, r.Reason, id)
	})
	if err != nil {
		return PayoutRun{}, fmt.Errorf("reopen payout: %w", err)
	}
	return l.PayoutRun(ctx, id)
}

// revokeRun appends the revoke of each payout entry of a run.
func (w *writer) revokeRun(ctx context.Context, run string, r ReopenRequest) error {
	rows, err := w.tx.QueryContext(ctx, "SELECT "+qualified("e.")+
		" FROM payouts p JOIN entries e ON e.seq = p.seq WHERE p.run = ? ORDER BY p.seq", run)
	if err != nil {
		return err
	}
	targets, err := scanEntries(rows)
	if err != nil {
		return err
	}
	for _, e := range targets {
		_, _, err := w.append(ctx, NewEntry{Kind: KindRevoke, Member: e.Member, OccurredAt: w.now, Source: r.Source,
			SourceRef: "revoke:" + e.ID, Actor: r.Actor, Note: r.Reason})
		if err != nil {
			return fmt.Errorf("revoke seq %d: %w", e.Seq, err)
		}
	}
	return nil
}

// scanEntries reads and closes rows of entry columns.
func scanEntries(rows *sql.Rows) ([]Entry, error) {
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// PayoutRun returns a run with its payouts, or ErrNotFound. name is a
// period, which names its latest run, or a run id with its number
// ("2026-10#1" is the first run of 2026-10, whose id is "2026-10"). The
// amounts are read from the chained payout entries, not from the payouts
// table.
func (l *Ledger) PayoutRun(ctx context.Context, name string) (PayoutRun, error) {
	where, arg := "WHERE period = ?", name
	if period, n, ok := strings.Cut(name, "#"); ok {
		where = "WHERE run = ?"
		if n == "1" {
			arg = period
		}
	}
	runs, err := l.payoutRuns(ctx, where, arg)
	if err != nil {
		return PayoutRun{}, err
	}
	if len(runs) == 0 {
		return PayoutRun{}, fmt.Errorf("payout %s: %w", name, ErrNotFound)
	}
	run := runs[0]
	err = l.eachRow(ctx, func(row scanner) error {
		p, err := chainedPayout(row)
		if err == nil {
			run.Payouts = append(run.Payouts, Payout{Member: p.member, Amount: p.Amount, Seq: p.seq})
		}
		return err
	}, chainedPayouts+" WHERE p.run = ? ORDER BY p.member_id, p.seq", run.ID)
	if err != nil {
		return PayoutRun{}, fmt.Errorf("payout %s: %w", name, err)
	}
	return run, nil
}

// PayoutRuns returns every run, reopened ones included, the latest closed
// first, without their payouts.
func (l *Ledger) PayoutRuns(ctx context.Context) ([]PayoutRun, error) {
	return l.payoutRuns(ctx, "")
}

func (l *Ledger) payoutRuns(ctx context.Context, where string, args ...any) ([]PayoutRun, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT `+runColumns+` FROM payout_runs `+where+
		` ORDER BY closed_at DESC, length(run) DESC, run DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("payout runs: %w", err)
	}
	defer rows.Close()
	runs := []PayoutRun{}
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("payout runs: %w", err)
		}
		runs = append(runs, r)
	}
	return runs, rows.Err()
}

const runColumns = `run, period, policy, currency, decimals, budget, closed_at, actor,
	reopened_at, reopen_actor, reopen_reason`

func scanRun(row scanner) (PayoutRun, error) {
	var r PayoutRun
	var budget, reopenActor, reason string
	var closed int64
	var reopened sql.NullInt64
	err := row.Scan(&r.ID, &r.Period, &r.Policy, &r.Currency, &r.Decimals, &budget, &closed, &r.Actor,
		&reopened, &reopenActor, &reason)
	r.Budget, _ = new(big.Int).SetString(budget, 10)
	r.ClosedAt = time.Unix(closed, 0).UTC()
	if reopened.Valid {
		r.Reopened = &Reopening{At: time.Unix(reopened.Int64, 0).UTC(), Actor: reopenActor, Reason: reason}
	}
	return r, err
}

// PaidTotals returns what each member has been paid in the currency, in
// minor units of decimals: every payout entry that no revoke undid, its
// amount as the chain says.
func (l *Ledger) PaidTotals(ctx context.Context, currency string, decimals int) (map[int64]*big.Int, error) {
	paid := map[int64]*big.Int{}
	err := l.eachRow(ctx, func(row scanner) error {
		p, err := chainedPayout(row)
		if err != nil || p.Currency != currency || p.Decimals != decimals {
			return err
		}
		if paid[p.member] == nil {
			paid[p.member] = new(big.Int)
		}
		paid[p.member].Add(paid[p.member], p.Amount)
		return nil
	}, chainedPayouts+" WHERE NOT EXISTS ("+revokeOf+")")
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
	return eachRowOf(ctx, l.db, fn, query, args...)
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

// FirstContribution returns when the earliest counted contribution
// occurred; ok is false while there is none.
func (l *Ledger) FirstContribution(ctx context.Context) (first time.Time, ok bool, err error) {
	var at sql.NullInt64
	if err := l.db.QueryRowContext(ctx, "SELECT min(occurred_at) FROM scores").Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("first contribution: %w", err)
	}
	return time.Unix(at.Int64, 0).UTC(), at.Valid, nil
}
