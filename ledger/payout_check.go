package ledger

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"time"
)

// tablePayout is a row of the payouts table, as stored.
type tablePayout struct {
	run    string
	member int64
	amount string // minor units, as stored
}

// CheckPayouts compares the payout tables with the chain and names the
// first difference, e.g. "payouts: run 2026-10 member 3: table says
// 9999.99, chain says 33.34"; nil when they agree.
func (l *Ledger) CheckPayouts(ctx context.Context) error {
	tx, err := l.db.BeginTx(ctx, l.engine.snapshot())
	if err != nil {
		return fmt.Errorf("payouts: check: %w", err)
	}
	defer tx.Rollback()
	return checkPayouts(ctx, tx)
}

// checkPayouts is CheckPayouts within a read, such as verify's snapshot.
func checkPayouts(ctx context.Context, tx queryer) error {
	chain, err := derivePayouts(ctx, tx)
	if err != nil {
		return fmt.Errorf("payouts: check: %w", err)
	}
	runs, rows, err := payoutTables(ctx, tx)
	if err != nil {
		return fmt.Errorf("payouts: check: %w", err)
	}
	return comparePayouts(chain, runs, rows)
}

func payoutTables(ctx context.Context, q queryer) (map[string]PayoutRun, map[int64]tablePayout, error) {
	runs := map[string]PayoutRun{}
	rows := map[int64]tablePayout{}
	r, err := q.QueryContext(ctx, "SELECT "+runColumns+" FROM payout_runs")
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	for r.Next() {
		run, err := scanRun(r)
		if err != nil {
			return nil, nil, err
		}
		runs[run.ID] = run
	}
	if err := r.Err(); err != nil {
		return nil, nil, err
	}
	p, err := q.QueryContext(ctx, "SELECT seq, run, member_id, amount FROM payouts")
	if err != nil {
		return nil, nil, err
	}
	defer p.Close()
	for p.Next() {
		var seq int64
		var t tablePayout
		if err := p.Scan(&seq, &t.run, &t.member, &t.amount); err != nil {
			return nil, nil, err
		}
		rows[seq] = t
	}
	return runs, rows, p.Err()
}

// comparePayouts walks the chain's runs in the order they were closed and
// reports the first thing the tables say otherwise, then what the tables
// hold that the chain does not.
func comparePayouts(chain []PayoutRun, runs map[string]PayoutRun, rows map[int64]tablePayout) error {
	for _, c := range chain {
		t, ok := runs[c.ID]
		if !ok {
			return derivedf("payouts", "run %s: table has no such run, chain says it was closed %s", c.ID, formatTime(c.ClosedAt))
		}
		if err := compareRun(c, t); err != nil {
			return err
		}
		delete(runs, c.ID)
		for _, p := range c.Payouts {
			if err := comparePayout(c, p, rows); err != nil {
				return err
			}
			delete(rows, p.Seq)
		}
	}
	if ids := slices.Sorted(maps.Keys(runs)); len(ids) > 0 {
		return derivedf("payouts", "run %s: table has it, chain has no payout entry of it", ids[0])
	}
	if seqs := slices.Sorted(maps.Keys(rows)); len(seqs) > 0 {
		t := rows[seqs[0]]
		return derivedf("payouts", "run %s member %d: table says %s, chain has no such payout (seq %d)", t.run, t.member, t.amount, seqs[0])
	}
	return nil
}

func comparePayout(c PayoutRun, p Payout, rows map[int64]tablePayout) error {
	t, ok := rows[p.Seq]
	want := FormatAmount(p.Amount, c.Decimals)
	switch {
	case !ok:
		return derivedf("payouts", "run %s member %d: table has no payout, chain says %s", c.ID, p.Member, want)
	case t.run != c.ID:
		return derivedf("payouts", "run %s member %d: table puts entry %d in run %s", c.ID, p.Member, p.Seq, t.run)
	case t.member != p.Member:
		return derivedf("payouts", "run %s entry %d: table says member %d, chain says member %d", c.ID, p.Seq, t.member, p.Member)
	case t.amount != p.Amount.String():
		return derivedf("payouts", "run %s member %d: table says %s, chain says %s", c.ID, p.Member, tableAmount(t.amount, c.Decimals), want)
	}
	return nil
}

// tableAmount prints a stored amount as the chain's would be, or as it is
// stored when it is not a number at all.
func tableAmount(stored string, decimals int) string {
	if v, ok := new(big.Int).SetString(stored, 10); ok {
		return FormatAmount(v, decimals)
	}
	return strconv.Quote(stored)
}

// compareRun names the first field of a run the table has wrong.
func compareRun(c, t PayoutRun) error {
	fields := []struct{ name, table, chain string }{
		{"period", t.Period, c.Period},
		{"policy", t.Policy, c.Policy},
		{"currency", t.Currency, c.Currency},
		{"decimals", strconv.Itoa(t.Decimals), strconv.Itoa(c.Decimals)},
		{"budget", tableAmount(fmt.Sprint(t.Budget), c.Decimals), FormatAmount(c.Budget, c.Decimals)},
		{"closed at", formatTime(t.ClosedAt), formatTime(c.ClosedAt)},
		{"closed by", t.Actor, c.Actor},
		{"reopened", reopening(t.Reopened), reopening(c.Reopened)},
	}
	for _, f := range fields {
		if f.table != f.chain {
			return derivedf("payouts", "run %s: table says %s %s, chain says %s", c.ID, f.name, f.table, f.chain)
		}
	}
	return nil
}

func reopening(r *Reopening) string {
	if r == nil {
		return "no"
	}
	return fmt.Sprintf("%s by %s (%q)", r.At.UTC().Format(time.RFC3339), r.Actor, r.Reason)
}
