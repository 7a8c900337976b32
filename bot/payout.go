package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/docracy/docracy/ledger"
)

// Policy is how a payout run weighs members.
type Policy string

// The payout policies (payouts.policy).
const (
	Proportional Policy = "proportional" // points earned in the period
	ByReputation Policy = "reputation"   // reputation at the period's end
	Balanced     Policy = "balanced"     // lifetime fairness: catch up who was underpaid
)

// PayoutRules are the payouts section of the configuration, parsed.
type PayoutRules struct {
	Currency        string
	Decimals        int
	Period          PeriodKind
	Budget          *big.Int // minor units
	Policy          Policy
	MinAmount       *big.Int // minor units; nil = none
	MaxSharePercent int
	ExcludeColleges []string
	ExcludeMembers  []string // member names: github:<login>, discord:<id> or ids
	Location        *time.Location
}

// PayoutLedger is what a Treasury needs from the ledger.
type PayoutLedger interface {
	Members(ctx context.Context) ([]ledger.Member, error)
	Accounts(ctx context.Context) (map[int64][]ledger.Account, error)
	PointsBetween(ctx context.Context, start, end time.Time) (map[int64]int64, error)
	LifetimePoints(ctx context.Context, end time.Time) (map[int64]int64, error)
	ReputationsAt(ctx context.Context, at time.Time) (map[int64]float64, error)
	PaidTotals(ctx context.Context, currency string, decimals int) (map[int64]*big.Int, error)
	ClosePayoutIf(ctx context.Context, run ledger.PayoutRun, source ledger.Source, admit func(standing []ledger.PayoutRun) error) (ledger.PayoutRun, error)
	PayoutRun(ctx context.Context, period string) (ledger.PayoutRun, error)
	PayoutRuns(ctx context.Context) ([]ledger.PayoutRun, error)
	ReopenPayout(ctx context.Context, r ledger.ReopenRequest) (ledger.PayoutRun, error)
	FirstContribution(ctx context.Context) (time.Time, bool, error)
}

// Treasury previews, closes and exports payout runs.
type Treasury struct {
	Ledger PayoutLedger
	Rules  PayoutRules
	Now    func() time.Time
}

// Run is a period's payout, previewed or closed.
type Run struct {
	ID          string       `json:"run,omitempty"` // "2026-10", then "2026-10#2" after a reopening
	Period      Period       `json:"period"`
	Policy      Policy       `json:"policy"`
	Currency    string       `json:"currency"`
	Budget      string       `json:"budget"`
	Closed      bool         `json:"closed"`
	ClosedAt    *time.Time   `json:"closed_at,omitempty"`
	Reopened    *Reopened    `json:"reopened,omitempty"` // its payouts revoked: nothing of it counts as paid
	Notice      string       `json:"notice,omitempty"`   // e.g. that nobody earned anything
	BelowMin    int          `json:"below_min"`          // members whose share fell below min_amount (preview)
	Resplit     string       `json:"resplit"`            // what their shares came to, re-split among the rest
	Allocations []Allocation `json:"allocations"`
}

// Reopened says when, by whom and why a closed run was reopened.
type Reopened struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// Allocation is one member's share of a run.
type Allocation struct {
	Member     int64    `json:"member"`
	Name       string   `json:"name"`
	GitHub     string   `json:"github"`
	Discord    string   `json:"discord"`
	College    string   `json:"college"`           // the member's college now, "" for none
	Address    string   `json:"address,omitempty"` // only in the treasurer's export
	HasAddress bool     `json:"has_address"`       // false: flagged, someone must ask for it
	Amount     string   `json:"amount"`            // decimal, e.g. "123.45"
	Seq        int64    `json:"seq,omitempty"`     // the payout entry, once closed
	minor      *big.Int // the amount in minor units
}

// Public returns the run without payout addresses.
func (r Run) Public() Run {
	out := r
	out.Allocations = make([]Allocation, len(r.Allocations))
	for i, a := range r.Allocations {
		a.Address = ""
		out.Allocations[i] = a
	}
	return out
}

// Preview computes the run of a period without writing anything; for a
// closed period it returns what was closed. An empty name means the period
// that ended last.
func (t *Treasury) Preview(ctx context.Context, period string) (Run, error) {
	p, err := t.period(period)
	if err != nil {
		return Run{}, err
	}
	if closed, err := t.closedRun(ctx, p); err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return Run{}, err
	} else if err == nil && closed.Reopened == nil {
		return closed, nil
	}
	if err := t.payable(ctx, p); err != nil {
		return Run{}, err
	}
	run, err := t.compute(ctx, p)
	if errors.Is(err, ledger.ErrNothingEarned) {
		run.Notice = fmt.Sprintf("nobody earned anything in %s: there is nothing to pay", p.Name)
		return run, nil
	}
	return run, err
}

// Close computes the run of an ended period and records it: one payout
// entry per member. A period closes once; closing it again fails.
func (t *Treasury) Close(ctx context.Context, period, actor string, source ledger.Source) (Run, error) {
	p, err := t.period(period)
	if err != nil {
		return Run{}, err
	}
	if err := t.payable(ctx, p); err != nil {
		return Run{}, err
	}
	if now := t.Now(); now.Before(p.End) {
		return Run{}, invalidf("period", "period %s ends %s: close it after that", p.Name, p.End.Format("2006-01-02 15:04 MST"))
	}
	run, err := t.compute(ctx, p)
	if errors.Is(err, ledger.ErrNothingEarned) {
		return Run{}, invalidf("period", "nobody earned anything in %s: there is nothing to close", p.Name)
	} else if err != nil {
		return Run{}, err
	}
	// Checked again where the run is written: a close of an overlapping
	// period may have been written since payable looked.
	_, err = t.Ledger.ClosePayoutIf(ctx, t.ledgerRun(run, actor), source, func(standing []ledger.PayoutRun) error {
		return t.overlaps(p, standing)
	})
	if errors.Is(err, ledger.ErrPeriodClosed) {
		return Run{}, conflictf("period", "period %s is already closed: see docracy payout export --period %s", p.Name, p.Name)
	} else if err != nil {
		return Run{}, fmt.Errorf("close %s: %w", p.Name, err)
	}
	return t.closedRun(ctx, p)
}

// Export returns a closed run with the payout addresses, for the
// treasurer's payment tool.
//
// A name like "2026-10#1" picks one run of a period closed more than once
// (the first); the period's name alone picks its latest run.
func (t *Treasury) Export(ctx context.Context, name string) (Run, error) {
	period, nth, numbered := strings.Cut(name, "#")
	p, err := t.period(period)
	if err != nil {
		return Run{}, err
	}
	if numbered {
		return t.numberedRun(ctx, p, p.Name+"#"+nth)
	}
	run, err := t.closedRun(ctx, p)
	if errors.Is(err, ledger.ErrNotFound) {
		return Run{}, notFoundf("period", "period %s is not closed: preview it, then close it with docracy payout close --period %s", p.Name, p.Name)
	}
	return run, err
}

// Runs lists the closed runs, newest first, without allocations.
func (t *Treasury) Runs(ctx context.Context) ([]Run, error) {
	closed, err := t.Ledger.PayoutRuns(ctx)
	if err != nil {
		return nil, fmt.Errorf("payout runs: %w", err)
	}
	runs := make([]Run, 0, len(closed))
	for _, c := range closed {
		p, err := ParsePeriod(c.Period, t.kindOf(c.Period), t.Rules.Location)
		if err != nil {
			return nil, err
		}
		runs = append(runs, runFromLedger(p, c, directory{}))
	}
	return runs, nil
}

// Run returns one closed run with its allocations, addresses left out.
func (t *Treasury) Run(ctx context.Context, period string) (Run, error) {
	run, err := t.Export(ctx, period)
	return run.Public(), err
}

func (t *Treasury) period(name string) (Period, error) {
	if name == "" {
		return PeriodAt(t.Now(), t.Rules.Period, t.Rules.Location).Previous(t.Rules.Period), nil
	}
	return ParsePeriod(name, t.kindOf(name), t.Rules.Location)
}

// kindOf accepts either kind of name, so that runs closed before a change
// of payouts.period stay readable.
func (t *Treasury) kindOf(name string) PeriodKind {
	if strings.Contains(name, "-W") {
		return Weekly
	}
	return Monthly
}

// numberedRun returns the run named like "2026-10#2" of period p.
func (t *Treasury) numberedRun(ctx context.Context, p Period, name string) (Run, error) {
	run, err := t.runNamed(ctx, p, name)
	if errors.Is(err, ledger.ErrNotFound) {
		return Run{}, notFoundf("period", "period %s has no run %s: its runs are listed on the dashboard and at /api/v1/payouts", p.Name, name)
	}
	return run, err
}

func (t *Treasury) closedRun(ctx context.Context, p Period) (Run, error) {
	return t.runNamed(ctx, p, p.Name)
}

func (t *Treasury) runNamed(ctx context.Context, p Period, name string) (Run, error) {
	c, err := t.Ledger.PayoutRun(ctx, name)
	if err != nil {
		return Run{}, err
	}
	who, err := t.directory(ctx)
	if err != nil {
		return Run{}, err
	}
	return runFromLedger(p, c, who), nil
}

func runFromLedger(p Period, c ledger.PayoutRun, who directory) Run {
	closedAt := c.ClosedAt
	run := Run{ID: c.ID, Period: p, Policy: Policy(c.Policy), Currency: c.Currency, Budget: ledger.FormatAmount(c.Budget, c.Decimals),
		Closed: true, ClosedAt: &closedAt, Allocations: []Allocation{}}
	if r := c.Reopened; r != nil {
		run.Reopened = &Reopened{At: r.At, By: r.Actor, Reason: r.Reason}
	}
	for _, pay := range c.Payouts {
		a := who.allocation(pay.Member)
		a.minor, a.Amount, a.Seq = pay.Amount, ledger.FormatAmount(pay.Amount, c.Decimals), pay.Seq
		run.Allocations = append(run.Allocations, a)
	}
	return run
}

func (t *Treasury) ledgerRun(run Run, actor string) ledger.PayoutRun {
	lr := ledger.PayoutRun{Period: run.Period.Name, Policy: string(run.Policy), Currency: run.Currency,
		Decimals: t.Rules.Decimals, Budget: t.Rules.Budget, Actor: actor}
	for _, a := range run.Allocations {
		lr.Payouts = append(lr.Payouts, ledger.Payout{Member: a.Member, Amount: a.minor})
	}
	return lr
}

// compute weighs the eligible members by the policy and shares the budget.
func (t *Treasury) compute(ctx context.Context, p Period) (Run, error) {
	run := Run{Period: p, Policy: t.Rules.Policy, Currency: t.Rules.Currency,
		Budget: ledger.FormatAmount(t.Rules.Budget, t.Rules.Decimals), Allocations: []Allocation{}}
	who, err := t.directory(ctx)
	if err != nil {
		return run, err
	}
	claims, err := t.claims(ctx, p, who)
	if err != nil {
		return run, err
	}
	split, err := ledger.Divide(claims, ledger.SplitRules{
		Budget: t.Rules.Budget, MinAmount: t.Rules.MinAmount, MaxSharePercent: t.Rules.MaxSharePercent})
	switch {
	case errors.Is(err, ledger.ErrAllCapped):
		return run, invalidf("payouts.max_share_percent", "%s: %v; raise payouts.max_share_percent", p.Name, err)
	case errors.Is(err, ledger.ErrAllBelowMin):
		return run, invalidf("payouts.min_amount", "%s: the budget of %s %s is below payouts.min_amount (%s): lower min_amount or raise the budget",
			p.Name, run.Budget, run.Currency, ledger.FormatAmount(t.Rules.MinAmount, t.Rules.Decimals))
	case err != nil:
		return run, err
	}
	run.BelowMin, run.Resplit = split.BelowMin, ledger.FormatAmount(split.Resplit, t.Rules.Decimals)
	for _, s := range split.Shares {
		a := who.allocation(s.Member)
		a.minor, a.Amount = s.Amount, ledger.FormatAmount(s.Amount, t.Rules.Decimals)
		run.Allocations = append(run.Allocations, a)
	}
	return run, nil
}

// claims turns the policy into one exact integer weight per eligible
// member.
func (t *Treasury) claims(ctx context.Context, p Period, who directory) ([]ledger.Claim, error) {
	earned, err := t.Ledger.PointsBetween(ctx, p.Start, p.End)
	if err != nil {
		return nil, fmt.Errorf("weigh %s: %w", p.Name, err)
	}
	if !anyEligible(earned, who) {
		return nil, ledger.ErrNothingEarned
	}
	var weights map[int64]*big.Int
	switch t.Rules.Policy {
	case Proportional:
		weights = bigWeights(earned)
	case ByReputation:
		weights, err = t.reputationWeights(ctx, p)
	case Balanced:
		weights, err = t.underpayWeights(ctx, p, who)
	default:
		return nil, invalidf("payouts.policy", "unknown payout policy %q", t.Rules.Policy)
	}
	if err != nil {
		return nil, fmt.Errorf("weigh %s: %w", p.Name, err)
	}
	claims := make([]ledger.Claim, 0, len(weights))
	for m, w := range weights {
		if who.eligible(m) {
			claims = append(claims, ledger.Claim{Member: m, Weight: w})
		}
	}
	return claims, nil
}

// anyEligible says whether an eligible member earned points: a period in
// which nobody did pays nobody, whatever the policy.
func anyEligible(points map[int64]int64, who directory) bool {
	for m, p := range points {
		if p > 0 && who.eligible(m) {
			return true
		}
	}
	return false
}

// reputationScale turns reputations into integer weights with six
// decimals: the float never touches an amount, only the weights.
const reputationScale = 1e6

func (t *Treasury) reputationWeights(ctx context.Context, p Period) (map[int64]*big.Int, error) {
	reps, err := t.Ledger.ReputationsAt(ctx, p.End)
	weights := make(map[int64]*big.Int, len(reps))
	for m, r := range reps {
		weights[m] = big.NewInt(int64(math.Round(r * reputationScale)))
	}
	return weights, err
}

// underpayWeights implements balanced: with P the eligible members'
// lifetime points, paid their payouts so far and B the budget,
// target_i = (paid + B) × points_i / P and the weight is what target_i
// exceeds paid_i by, scaled by P to stay an integer:
// max(0, (paid + B) × points_i − paid_i × P).
func (t *Treasury) underpayWeights(ctx context.Context, p Period, who directory) (map[int64]*big.Int, error) {
	points, err := t.Ledger.LifetimePoints(ctx, p.End)
	if err != nil {
		return nil, err
	}
	paid, err := t.Ledger.PaidTotals(ctx, t.Rules.Currency, t.Rules.Decimals)
	if err != nil {
		return nil, err
	}
	total, paidTotal := new(big.Int), new(big.Int)
	for m, pts := range points {
		if who.eligible(m) && pts > 0 {
			total.Add(total, big.NewInt(pts))
			if paid[m] != nil {
				paidTotal.Add(paidTotal, paid[m])
			}
		}
	}
	pot := new(big.Int).Add(paidTotal, t.Rules.Budget)
	weights := make(map[int64]*big.Int, len(points))
	for m, pts := range points {
		if pts <= 0 {
			continue
		}
		w := new(big.Int).Mul(pot, big.NewInt(pts))
		if paid[m] != nil {
			w.Sub(w, new(big.Int).Mul(paid[m], total))
		}
		if w.Sign() > 0 {
			weights[m] = w
		}
	}
	return weights, nil
}

func bigWeights(points map[int64]int64) map[int64]*big.Int {
	out := make(map[int64]*big.Int, len(points))
	for m, p := range points {
		out[m] = big.NewInt(p)
	}
	return out
}

// directory knows every member's name, accounts, college and address,
// and who the rules exclude.
type directory struct {
	members  map[int64]ledger.Member
	accounts map[int64][]ledger.Account
	excluded map[int64]bool
}

func (t *Treasury) directory(ctx context.Context) (directory, error) {
	members, err := t.Ledger.Members(ctx)
	if err != nil {
		return directory{}, fmt.Errorf("members: %w", err)
	}
	accounts, err := t.Ledger.Accounts(ctx)
	if err != nil {
		return directory{}, fmt.Errorf("accounts: %w", err)
	}
	d := directory{members: map[int64]ledger.Member{}, accounts: accounts, excluded: map[int64]bool{}}
	colleges := map[string]bool{}
	for _, c := range t.Rules.ExcludeColleges {
		colleges[c] = true
	}
	names := map[string]bool{}
	for _, n := range t.Rules.ExcludeMembers {
		names[strings.ToLower(n)] = true
	}
	for _, m := range members {
		d.members[m.ID] = m
		d.excluded[m.ID] = colleges[m.College] || names[strconv.FormatInt(m.ID, 10)] || d.named(m.ID, names)
	}
	return d, nil
}

func (d directory) named(member int64, names map[string]bool) bool {
	for _, a := range d.accounts[member] {
		if names[strings.ToLower(a.String())] || names[string(a.Platform)+":"+a.ExternalID] {
			return true
		}
	}
	return false
}

func (d directory) eligible(member int64) bool {
	_, known := d.members[member]
	return known && !d.excluded[member]
}

func (d directory) allocation(member int64) Allocation {
	m := d.members[member]
	a := Allocation{Member: member, Name: m.Name, College: m.College, Address: m.PayoutAddress, HasAddress: m.PayoutAddress != ""}
	for _, acc := range d.accounts[member] {
		switch acc.Platform {
		case ledger.PlatformGitHub:
			a.GitHub = acc.Login
		case ledger.PlatformDiscord:
			a.Discord = acc.ExternalID
		}
	}
	return a
}
