package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/config"
	"github.com/docracy/docracy/ledger"
)

func runPayout(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usagef("name a subcommand: preview, close, reopen or export")
	}
	switch args[0] {
	case "preview":
		return runPayoutPreview(ctx, e, args[1:])
	case "close":
		return runPayoutClose(ctx, e, args[1:])
	case "reopen":
		return runPayoutReopen(ctx, e, args[1:])
	case "export":
		return runPayoutExport(ctx, e, args[1:])
	}
	return usagef("unknown subcommand %q: use preview, close, reopen or export", args[0])
}

func runPayoutPreview(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "payout")
	period := f.String("period", "", "`PERIOD` to preview, e.g. 2026-11 or 2026-W48 (default the last ended)")
	format := f.format()
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if err := checkFormat(*format, "text", "json"); err != nil {
		return err
	}
	return withTreasury(ctx, e, f, func(t *bot.Treasury) error {
		run, err := t.Preview(ctx, *period)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(e.stdout, run.Public())
		}
		return printRun(e.stdout, run)
	})
}

func runPayoutClose(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "payout")
	period := f.String("period", "", "`PERIOD` to close, e.g. 2026-11 (default the last ended)")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	return withTreasury(ctx, e, f, func(t *bot.Treasury) error {
		run, err := t.Close(ctx, *period, actor(e), ledger.SourceCLI)
		if err != nil {
			return err
		}
		return printRun(e.stdout, run)
	})
}

// runPayoutReopen revokes every payout entry of a period's standing run.
// --yes is accepted for scripts; like close, it asks nothing.
func runPayoutReopen(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "payout")
	period := f.String("period", "", "closed `PERIOD` to reopen, e.g. 2026-11")
	reason := f.String("reason", "", "why the run is reopened (`TEXT`, kept in the ledger)")
	f.Bool("yes", false, "do not ask for confirmation")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if *period == "" || *reason == "" {
		return usagef("name the run to reopen and why: --period P --reason T")
	}
	return withTreasury(ctx, e, f, func(t *bot.Treasury) error {
		run, err := t.Reopen(ctx, *period, *reason, actor(e), ledger.SourceCLI)
		if err != nil {
			return err
		}
		return printRun(e.stdout, run)
	})
}

func runPayoutExport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "payout")
	period := f.String("period", "", "closed `PERIOD` to export (default the last ended)")
	format := f.String("format", "csv", "output `FORMAT`: csv or json")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if err := checkFormat(*format, "csv", "json"); err != nil {
		return err
	}
	return withTreasury(ctx, e, f, func(t *bot.Treasury) error {
		run, err := t.Export(ctx, *period)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(e.stdout, run)
		}
		return writePayoutCSV(e.stdout, run)
	})
}

func withTreasury(ctx context.Context, e *env, f *flags, fn func(*bot.Treasury) error) error {
	a, err := f.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := newTreasury(a.cfg, a.ledger)
	if err != nil {
		return err
	}
	return fn(t)
}

// newTreasury wires the payouts configuration to the ledger.
func newTreasury(cfg *config.Config, l *ledger.Ledger) (*bot.Treasury, error) {
	rules, err := payoutRules(cfg)
	if err != nil {
		return nil, err
	}
	return &bot.Treasury{Ledger: l, Rules: rules, Now: time.Now}, nil
}

// payoutRules parses the payouts section; config has checked its syntax.
// Periods follow the digest's time zone (CRON_TZ of digest.schedule).
func payoutRules(cfg *config.Config) (bot.PayoutRules, error) {
	p := cfg.Payouts
	budget, err := ledger.ParseAmount(p.Budget, p.Decimals)
	if err != nil {
		return bot.PayoutRules{}, fmt.Errorf("config: payouts.budget: %w", err)
	}
	minAmount, err := ledger.ParseAmount(p.MinAmount, p.Decimals)
	if err != nil {
		return bot.PayoutRules{}, fmt.Errorf("config: payouts.min_amount: %w", err)
	}
	return bot.PayoutRules{
		Currency: p.Currency, Decimals: p.Decimals, Period: bot.PeriodKind(p.Period), Budget: budget,
		Policy: bot.Policy(p.Policy), MinAmount: minAmount, MaxSharePercent: p.MaxSharePercent,
		ExcludeColleges: p.ExcludeColleges, ExcludeMembers: p.ExcludeMembers,
		Location: scheduleLocation(cfg.Digest.Schedule),
	}, nil
}

// scheduleLocation is the time zone a cron schedule runs in: its CRON_TZ,
// else UTC.
func scheduleLocation(spec string) *time.Location {
	if s, err := cron.ParseStandard(spec); err == nil {
		if ss, ok := s.(*cron.SpecSchedule); ok && ss.Location != time.Local {
			return ss.Location
		}
	}
	return time.UTC
}

func printRun(w io.Writer, run bot.Run) error {
	state := "preview, nothing written"
	if run.Closed {
		state = "closed " + run.ClosedAt.Format(time.RFC3339)
	}
	if r := run.Reopened; r != nil {
		state += fmt.Sprintf(", REOPENED %s by %s: %s (its payouts are revoked)", r.At.Format(time.RFC3339), r.By, r.Reason)
	}
	fmt.Fprintf(w, "payout %s (%s to %s), %s %s by %s: %s\n", run.Period.Name,
		run.Period.Start.Format("2006-01-02"), run.Period.End.Format("2006-01-02"), run.Budget, run.Currency, run.Policy, state)
	if run.Notice != "" {
		_, err := fmt.Fprintln(w, run.Notice)
		return err
	}
	if run.BelowMin > 0 {
		fmt.Fprintf(w, "%d members fell below min_amount; their %s %s was re-split among the %d paid\n",
			run.BelowMin, run.Resplit, run.Currency, len(run.Allocations))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nMEMBER\tNAME\tAMOUNT\tADDRESS")
	for _, a := range run.Allocations {
		address := "on file"
		if !a.HasAddress {
			address = "MISSING: ask for it"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", a.Member, a.Name, a.Amount, address)
	}
	return tw.Flush()
}

// writePayoutCSV writes member,name,github,discord,college,address,amount for the
// treasurer's payment tool; a member without an address keeps a row with
// an empty address.
func writePayoutCSV(w io.Writer, run bot.Run) error {
	if r := run.Reopened; r != nil {
		return fmt.Errorf("payout %s was reopened %s: %s; its payouts are revoked, so there is nothing to pay (see --format json)",
			run.Period.Name, r.At.Format("2006-01-02"), r.Reason)
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"member", "name", "github", "discord", "college", "address", "amount"})
	for _, a := range run.Allocations {
		cw.Write([]string{fmt.Sprint(a.Member), a.Name, a.GitHub, a.Discord, a.College, a.Address, a.Amount})
	}
	cw.Flush()
	return cw.Error()
}
