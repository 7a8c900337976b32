package ledger

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// chainPayout is what a payout entry says was paid: read from its note,
// which the chain covers ("33.34 EUR for 2026-10 (balanced)").
type chainPayout struct {
	seq      int64
	member   int64 // who holds the payment now, after any merge
	amount   *big.Int
	decimals int
	period   string
	run      PayoutRun // the run's terms, without its payouts
}

var payoutNote = regexp.MustCompile(`^(\d+(?:\.\d+)?) (\S+) for (\S+) \((\w+)\)$`)

// chainPayouts reads every payout entry's amount and terms.
func (s *chainState) chainPayouts() ([]chainPayout, error) {
	out := make([]chainPayout, 0, len(s.payouts))
	for _, e := range s.payouts {
		m := payoutNote.FindStringSubmatch(e.Note)
		if m == nil {
			return nil, derivedf("payouts", "entry seq %d: its note %q does not say an amount, currency, period and policy", e.Seq, e.Note)
		}
		_, frac, _ := strings.Cut(m[1], ".")
		amount, err := ParseAmount(m[1], len(frac))
		if err != nil {
			return nil, derivedf("payouts", "entry seq %d: amount %q: %v", e.Seq, m[1], err)
		}
		out = append(out, chainPayout{
			seq: e.Seq, member: s.member(e.Member), amount: amount, decimals: len(frac), period: m[3],
			run: PayoutRun{Period: m[3], Policy: m[4], Currency: m[2], Decimals: len(frac), ClosedAt: e.RecordedAt, Actor: e.Actor},
		})
	}
	return out, nil
}

// chainRuns sums the payouts of each period into its run, in the order
// the runs were closed.
func chainRuns(payouts []chainPayout) ([]string, map[string]*PayoutRun) {
	var order []string
	runs := map[string]*PayoutRun{}
	for _, p := range payouts {
		r := runs[p.period]
		if r == nil {
			run := p.run
			run.Budget = new(big.Int)
			r = &run
			runs[p.period] = r
			order = append(order, p.period)
		}
		r.Budget.Add(r.Budget, p.amount)
	}
	return order, runs
}

// tablePayout is a payouts row.
type tablePayout struct {
	period string
	member int64
	amount string
}

// checkPayoutTables compares payouts and payout_runs with the payout
// entries: every payment's member and amount, every run's terms and total.
func checkPayoutTables(ctx context.Context, q queryer, s *chainState) error {
	payouts, err := s.chainPayouts()
	if err != nil {
		return err
	}
	table := map[int64]tablePayout{}
	err = eachRowOf(ctx, q, func(row scanner) error {
		var seq int64
		var p tablePayout
		err := row.Scan(&seq, &p.period, &p.member, &p.amount)
		table[seq] = p
		return err
	}, "SELECT seq, period, member_id, amount FROM payouts ORDER BY seq")
	if err != nil {
		return fmt.Errorf("verify payouts: %w", err)
	}
	for _, p := range payouts {
		t, ok := table[p.seq]
		delete(table, p.seq)
		if err := comparePayout(p, t, ok); err != nil {
			return err
		}
	}
	for seq, t := range table {
		return derivedf("payouts", "run %s member %d: table has a payout (seq %d) that no payout entry records", t.period, t.member, seq)
	}
	return checkPayoutRuns(ctx, q, payouts)
}

func comparePayout(p chainPayout, t tablePayout, found bool) error {
	want := FormatAmount(p.amount, p.decimals)
	switch {
	case !found:
		return derivedf("payouts", "run %s member %d: table has none, chain says %s", p.period, p.member, want)
	case t.period != p.period || t.member != p.member:
		return derivedf("payouts", "entry seq %d: table says run %s member %d, chain says run %s member %d",
			p.seq, t.period, t.member, p.period, p.member)
	}
	amount, ok := new(big.Int).SetString(t.amount, 10)
	if !ok || amount.Cmp(p.amount) != 0 {
		got := t.amount
		if ok {
			got = FormatAmount(amount, p.decimals)
		}
		return derivedf("payouts", "run %s member %d: table says %s, chain says %s", p.period, p.member, got, want)
	}
	return nil
}

func checkPayoutRuns(ctx context.Context, q queryer, payouts []chainPayout) error {
	_, want := chainRuns(payouts)
	var found error
	err := eachRowOf(ctx, q, func(row scanner) error {
		var r PayoutRun
		var budget string
		var closed int64
		if err := row.Scan(&r.Period, &r.Policy, &r.Currency, &r.Decimals, &budget, &closed, &r.Actor); err != nil {
			return err
		}
		if found == nil {
			found = compareRun(r, budget, closed, want[r.Period])
		}
		delete(want, r.Period)
		return nil
	}, "SELECT period, policy, currency, decimals, budget, closed_at, actor FROM payout_runs ORDER BY period")
	if err != nil {
		return fmt.Errorf("verify payout runs: %w", err)
	}
	if found != nil {
		return found
	}
	for period := range want {
		return derivedf("payout_runs", "run %s: table has none, chain has its payout entries", period)
	}
	return nil
}

// compareRun compares a payout_runs row with the run its entries make up.
func compareRun(r PayoutRun, budget string, closed int64, c *PayoutRun) error {
	if c == nil {
		return derivedf("payout_runs", "run %s: table has a run that no payout entry records", r.Period)
	}
	b, ok := new(big.Int).SetString(budget, 10)
	switch {
	case !ok || b.Cmp(c.Budget) != 0:
		if ok {
			budget = FormatAmount(b, c.Decimals)
		}
		return derivedf("payout_runs", "run %s: table says budget %s, chain says %s", r.Period, budget, FormatAmount(c.Budget, c.Decimals))
	case r.Policy != c.Policy || r.Currency != c.Currency || r.Decimals != c.Decimals:
		return derivedf("payout_runs", "run %s: table says %s %s with %d decimals, chain says %s %s with %d",
			r.Period, r.Policy, r.Currency, r.Decimals, c.Policy, c.Currency, c.Decimals)
	case closed != c.ClosedAt.Unix() || r.Actor != c.Actor:
		return derivedf("payout_runs", "run %s: table says closed by %s at %d, chain says by %s at %d",
			r.Period, r.Actor, closed, c.Actor, c.ClosedAt.Unix())
	}
	return nil
}

// rebuildPayoutTables replaces payout_runs and payouts with what the
// payout entries say.
func rebuildPayoutTables(ctx context.Context, w *writer, s *chainState) error {
	payouts, err := s.chainPayouts()
	if err != nil {
		return err
	}
	for _, q := range []string{"DELETE FROM payouts", "DELETE FROM payout_runs"} {
		if err := w.exec(ctx, q); err != nil {
			return fmt.Errorf("rebuild payouts: %w", err)
		}
	}
	order, runs := chainRuns(payouts)
	for _, period := range order {
		r := runs[period]
		err := w.exec(ctx, `INSERT INTO payout_runs (period, policy, currency, decimals, budget, closed_at, actor)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.Period, r.Policy, r.Currency, r.Decimals, r.Budget.String(), r.ClosedAt.Unix(), r.Actor)
		if err != nil {
			return fmt.Errorf("rebuild payouts: run %s: %w", period, err)
		}
	}
	for _, p := range payouts {
		err := w.exec(ctx, "INSERT INTO payouts (seq, period, member_id, amount) VALUES (?, ?, ?, ?)",
			p.seq, p.period, p.member, p.amount.String())
		if err != nil {
			return fmt.Errorf("rebuild payouts: seq %d: %w", p.seq, err)
		}
	}
	return nil
}
