package main

import (
	"context"
	"fmt"
	"os"
	"time"

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
	return f.withApp(ctx, e, false, func(a *app) error {
		d, err := digests(a.cfg, a.ledger).Due(ctx, when)
		if err != nil {
			return err
		}
		if *pngPath != "" {
			if err := writeChart(d, *pngPath); err != nil {
				return err
			}
		}
		return printDigest(e, d, *format)
	})
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
