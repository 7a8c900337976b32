package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

func runPayout(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "payout", []subcommand{
		{"preview", "[--period P] [--format text|json]", "show who would be paid what; writes nothing", runPayoutPreview},
		{"close", "[--period P] [--yes]", "pay the period once: one payout entry per member (asks first on a terminal)", runPayoutClose},
		{"reopen", "--period P --reason T [--yes]", "revoke every payout of a closed run, so the period may be closed again (asks first on a terminal)", runPayoutReopen},
		{"export", "[--period P] [--format csv|json]", "the closed period's payments, for the treasurer's payment tool", runPayoutExport},
	}, args)
}

func runPayoutPreview(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "payout preview")
	period := f.String("period", "", "`PERIOD` to preview, e.g. 2026-11 or 2026-W48 (default the last ended)")
	format := f.format()
	if err := f.parseRequired(args); err != nil {
		return err
	}
	return withTreasury(ctx, e, f, *period, func(t *bot.Treasury) error {
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
	f := newFlags(e, "payout close")
	period := f.String("period", "", "`PERIOD` to close, e.g. 2026-11 (default the last ended)")
	yes := f.Bool("yes", false, "close without asking for confirmation (for scripts)")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	return changeRun(ctx, e, f, *period, *yes, runChange{
		preview: func(t *bot.Treasury) (bot.Run, error) { return t.Preview(ctx, *period) },
		does:    "Closing appends one payout entry per member above, %s %s in all, and cannot be undone silently.",
		apply:   func(t *bot.Treasury) (bot.Run, error) { return t.Close(ctx, *period, actor(e), ledger.SourceCLI) },
	})
}

// runPayoutReopen revokes every payout entry of a period's standing run,
// after showing it and asking on a terminal, as close does.
func runPayoutReopen(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "payout reopen")
	period := f.String("period", "", "closed `PERIOD` to reopen, e.g. 2026-11")
	reason := f.String("reason", "", "why the run is reopened (`TEXT`, kept in the ledger)")
	yes := f.Bool("yes", false, "reopen without asking for confirmation (for scripts)")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if *period == "" || *reason == "" {
		return usagef("name the run to reopen and why: --period P --reason T")
	}
	return changeRun(ctx, e, f, *period, *yes, runChange{
		preview: func(t *bot.Treasury) (bot.Run, error) { return t.ReopenPreview(ctx, *period) },
		does:    "Reopening appends a revoke entry for each payout above, %s %s in all; the period may then be closed again.",
		apply: func(t *bot.Treasury) (bot.Run, error) {
			return t.Reopen(ctx, *period, *reason, actor(e), ledger.SourceCLI)
		},
	})
}

// runChange is a payout command that writes: the run it would write, what
// that appends (given the run's budget and currency), and the writing.
type runChange struct {
	preview func(*bot.Treasury) (bot.Run, error)
	does    string
	apply   func(*bot.Treasury) (bot.Run, error)
}

// changeRun shows the treasurer the run a change would write, totals
// first, and asks before writing it, unless --yes; then prints the run.
func changeRun(ctx context.Context, e *env, f *flags, period string, yes bool, c runChange) error {
	if err := canConfirm(e, yes); err != nil {
		return err // before anything is read: a script without --yes learns at once
	}
	return withTreasury(ctx, e, f, period, func(t *bot.Treasury) error {
		if !yes {
			if err := confirmRun(e, t, c); err != nil {
				return err
			}
		}
		run, err := c.apply(t)
		if err != nil {
			return err
		}
		return printRun(e.stdout, run)
	})
}

func confirmRun(e *env, t *bot.Treasury, c runChange) error {
	run, err := c.preview(t)
	if err != nil {
		return err
	}
	var summary strings.Builder
	if err := printRun(&summary, run); err != nil {
		return err
	}
	fmt.Fprintf(&summary, "\n"+c.does+"\n", run.Budget, run.Currency)
	return confirm(e, summary.String(), false)
}

func runPayoutExport(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "payout export")
	period := f.String("period", "", "closed `PERIOD` to export (default the last ended)")
	format := f.String("format", "csv", "output `FORMAT`: csv or json")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if err := checkFormat(*format, "csv", "json"); err != nil {
		return err
	}
	return withTreasury(ctx, e, f, *period, func(t *bot.Treasury) error {
		run, err := t.Export(ctx, *period)
		return output(e, *format, run, err, writePayoutCSV)
	})
}

// withTreasury opens the ledger and runs fn with its treasury, once the
// --period given (if any) is known to be well formed: a malformed one is a
// usage error, like any flag's value.
func withTreasury(ctx context.Context, e *env, f *flags, period string, fn func(*bot.Treasury) error) error {
	return f.withApp(ctx, e, false, func(a *app) error {
		t, err := newTreasury(a.cfg, a.ledger)
		if err != nil {
			return err
		}
		if period != "" {
			// Either kind of name is well formed: runs closed before a change
			// of payouts.period stay readable, and the treasury refuses a
			// close of the wrong kind itself.
			kind := bot.Monthly
			if strings.Contains(period, "-W") {
				kind = bot.Weekly
			}
			if _, err := bot.ParsePeriod(period, kind, t.Rules.Location); err != nil {
				return usagef("--%v", err) // the message starts with "period"
			}
		}
		return fn(t)
	})
}

func printRun(w io.Writer, run bot.Run) error {
	state := "preview, nothing written"
	if run.Closed {
		state = "closed " + run.ClosedAt.Format(time.RFC3339)
	}
	if r := run.Reopened; r != nil {
		state += fmt.Sprintf(", REOPENED %s by %s: %s (its payouts are revoked)", r.At.Format(time.RFC3339), r.By, bot.OneLine(r.Reason))
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
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", a.Member, bot.OneLine(a.Name), a.Amount, address)
	}
	return tw.Flush()
}

// writePayoutCSV writes member,name,github,discord,college,address,amount for the
// treasurer's payment tool; a member without an address keeps a row with
// an empty address.
func writePayoutCSV(w io.Writer, run bot.Run) error {
	if r := run.Reopened; r != nil {
		return fmt.Errorf("payout %s was reopened %s: %s; its payouts are revoked, so there is nothing to pay (see --format json)",
			run.Period.Name, r.At.Format("2006-01-02"), bot.OneLine(r.Reason))
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"member", "name", "github", "discord", "college", "address", "amount"})
	for _, a := range run.Allocations {
		cw.Write([]string{fmt.Sprint(a.Member), a.Name, a.GitHub, a.Discord, a.College, a.Address, a.Amount})
	}
	cw.Flush()
	return cw.Error()
}
