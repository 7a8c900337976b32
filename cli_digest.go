package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/digest"
)

func runDigest(ctx context.Context, e *env, args []string) error {
	return runSubcommand(ctx, e, "digest", []subcommand{
		{"preview", "[--at RFC3339] [--format text|json|markdown] [--png FILE]", "show the digest the schedule has due, as it would be posted", runDigestPreview},
	}, args)
}

func runDigestPreview(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "digest preview")
	at := f.String("at", "", "show the digest due at `TIME` (RFC 3339; default now)")
	format := f.String("format", "text", "output `FORMAT`: text, json (the Discord message) or markdown")
	pngPath := f.String("png", "", "also write the chart to `FILE`")
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	when := time.Now()
	if *at != "" {
		var err error
		if when, err = time.Parse(time.RFC3339, *at); err != nil {
			return usagef("--at %q: give a time like 2026-11-23T09:00:00+01:00", *at)
		}
	}
	if err := checkFormat(*format, digestFormats...); err != nil {
		return err
	}
	a, err := f.open(ctx, e, false)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := digestAt(ctx, a, when)
	if err != nil {
		return err
	}
	if *pngPath != "" {
		if err := writeChart(d, *pngPath); err != nil {
			return err
		}
	}
	return printDigest(e, d, *format)
}

// digestAt builds the digest that the schedule has due at t: the period
// that ended at the last slot.
func digestAt(ctx context.Context, a *app, t time.Time) (bot.Digest, error) {
	schedule, err := cron.ParseStandard(a.cfg.Digest.Schedule)
	if err != nil {
		return bot.Digest{}, fmt.Errorf("digest.schedule %q: %w", a.cfg.Digest.Schedule, err)
	}
	start, end := bot.DigestPeriodAt(schedule, t)
	return bot.BuildDigest(ctx, a.ledger, start, end, a.cfg.Digest.Top)
}

func writeChart(d bot.Digest, path string) error {
	png, err := digest.Chart(d)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	return nil
}
