package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/docracy/docracy/ledger"
)

// payable refuses a period that must not be paid: of the other kind than
// payouts.period, wholly before the ledger's first contribution, or
// overlapping a run that stands, which would pay the same work twice.
func (t *Treasury) payable(ctx context.Context, p Period) error {
	if kind := t.kindOf(p.Name); kind != t.Rules.Period {
		return invalidf("period", "period %s is %s, but payouts.period is %s: name %s like %s",
			p.Name, kindNoun(kind), t.Rules.Period, kindNoun(t.Rules.Period), PeriodAt(p.Start, t.Rules.Period, t.Rules.Location).Name)
	}
	first, ok, err := t.Ledger.FirstContribution(ctx)
	if err != nil {
		return err
	}
	if ok && !p.End.After(first) {
		return invalidf("period", "period %s ends before the ledger starts (its first contribution is dated %s): pick %s or a later period",
			p.Name, first.In(t.Rules.Location).Format("2006-01-02"), PeriodAt(first, t.Rules.Period, t.Rules.Location).Name)
	}
	return t.overlapping(ctx, p)
}

// overlapping refuses p if it shares any time with a standing run of
// another period name (the same name is "already closed").
func (t *Treasury) overlapping(ctx context.Context, p Period) error {
	runs, err := t.Ledger.PayoutRuns(ctx)
	if err != nil {
		return fmt.Errorf("payout runs: %w", err)
	}
	return t.overlaps(p, runs)
}

// overlaps refuses p if it shares any time with one of runs that stands.
func (t *Treasury) overlaps(p Period, runs []ledger.PayoutRun) error {
	for _, r := range runs {
		if r.Reopened != nil || r.Period == p.Name {
			continue
		}
		q, err := ParsePeriod(r.Period, t.kindOf(r.Period), t.Rules.Location)
		if err != nil {
			return err
		}
		if q.Start.Before(p.End) && p.Start.Before(q.End) {
			return invalidf("period", "period %s (%s) overlaps %s (%s), closed %s: that work is paid already; "+
				"pick a period that does not overlap it, or reopen %s first (docracy payout reopen --period %s --reason …)",
				p.Name, days(p), q.Name, days(q), r.ClosedAt.In(t.Rules.Location).Format("2006-01-02"), q.Name, q.Name)
		}
	}
	return nil
}

func kindNoun(k PeriodKind) string {
	if k == Weekly {
		return "an ISO week"
	}
	return "a month"
}

// days names a period's first and last day; its end is exclusive.
func days(p Period) string {
	return p.Start.Format("2006-01-02") + " to " + p.End.Add(-time.Second).Format("2006-01-02")
}

// ReopenPreview returns the standing run of a period: what a reopen would
// revoke, for a confirmation before Reopen.
func (t *Treasury) ReopenPreview(ctx context.Context, period string) (Run, error) {
	p, err := t.period(period)
	if err != nil {
		return Run{}, err
	}
	run, err := t.closedRun(ctx, p)
	switch {
	case err != nil && !isNotFound(err):
		return Run{}, err
	case err != nil || run.Reopened != nil:
		return Run{}, notFoundf("period", "period %s has no closed run to reopen: see docracy payout preview --period %s", p.Name, p.Name)
	}
	return run, nil
}

// Reopen undoes the standing run of a period: a revoke entry for each of
// its payout entries, with the reason, after which the period may be
// closed again. It returns the run, now reopened.
func (t *Treasury) Reopen(ctx context.Context, period, reason, actor string, source ledger.Source) (Run, error) {
	if reason == "" {
		return Run{}, invalidf("reason", "reason is missing: say why the run is reopened")
	}
	if err := checkText("reason", reason, MaxReasonLen); err != nil {
		return Run{}, err
	}
	run, err := t.ReopenPreview(ctx, period)
	if err != nil {
		return Run{}, err
	}
	_, err = t.Ledger.ReopenPayout(ctx, ledger.ReopenRequest{Period: run.Period.Name, Reason: reason, Actor: actor, Source: source})
	if isNotFound(err) {
		return Run{}, notFoundf("period", "period %s has no closed run to reopen", run.Period.Name)
	} else if err != nil {
		return Run{}, fmt.Errorf("reopen %s: %w", run.Period.Name, err)
	}
	return t.closedRun(ctx, run.Period)
}

func isNotFound(err error) bool { return errors.Is(err, ledger.ErrNotFound) }
