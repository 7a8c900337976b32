package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
)

// subcommand is one "docracy <command> <name>" of a command that groups
// several (payout, digest, member).
type subcommand struct {
	name     string
	synopsis string
	summary  string
	run      func(ctx context.Context, e *env, args []string) error
}

// runSubcommand runs the subcommand args[0] of parent. With no name, or
// with -h, it shows the subcommands: help asked for is not a mistake.
func runSubcommand(ctx context.Context, e *env, parent string, subs []subcommand, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			subcommandUsage(e, parent, subs)
			return flag.ErrHelp
		}
		for _, s := range subs {
			if s.name == args[0] {
				return s.run(ctx, e, args[1:])
			}
		}
		return usagef("unknown subcommand %q: use %s", args[0], subcommandNames(subs))
	}
	return usagef("name a subcommand: %s", subcommandNames(subs))
}

func subcommandNames(subs []subcommand) string {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func subcommandUsage(e *env, parent string, subs []subcommand) {
	fmt.Fprintf(e.stderr, "usage: docracy %s <subcommand> [--config FILE] [--db FILE] [flags]\n\nsubcommands:\n", parent)
	tw := tabwriter.NewWriter(e.stderr, 0, 0, 2, ' ', 0)
	for _, s := range subs {
		fmt.Fprintf(tw, "  %s %s\t%s\n", s.name, s.synopsis, s.summary)
	}
	tw.Flush()
	fmt.Fprintf(e.stderr, "\nRun \"docracy %s <subcommand> -h\" for its flags.\n", parent)
}
