package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/docracy/docracy/bot"
)

// Exit statuses: scripts tell a failure from a mistyped command.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env is what a command runs with. Tests run commands in process by
// giving their own streams, environment and terminal.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) (string, bool)
	// stdinTerminal and stderrTerminal say whether a person is there to
	// answer a question and to watch a progress line.
	stdinTerminal  bool
	stderrTerminal bool
	// flags are the running command's, so that a use case's refusal of a
	// value can be reported as the usage error of the flag that gave it.
	flags *flag.FlagSet
}

// command is one "docracy <name>" subcommand.
type command struct {
	name     string
	synopsis string // the arguments, as shown in help
	summary  string
	run      func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "[--listen ADDR] [--log-format text|json]", "run the bot: webhooks, slash commands, digest, dashboard and API", runServe},
		{"init", "[PATH] [--force]", "write a commented starter configuration (default docracy.yaml)", runInit},
		{"credit", "--member M --points N --category C [--note T] [--url U] [--ref KEY] [--at RFC3339]", "credit a member for a contribution; prints the entry's seq", runCredit},
		{"rep", "MEMBER | --member M [--format text|json]", "show a member's reputation", runRep},
		{"leaderboard", "[--window 7d|30d|all] [--category C] [--limit N] [--format text|json]", "rank members by points", runLeaderboard},
		{"history", "--member M [--limit N] [--format text|json]", "list a member's latest entries", runHistory},
		{"revoke", "--entry SEQ|ID --reason TEXT", "cancel a credit; prints the revoke entry's seq", runRevoke},
		{"link", "--member discord:<user id> --github LOGIN | --member M --email ADDRESS", "attach a Discord account to a GitHub account's member (prints the link entry's seq), or a commit e-mail to a member", runLink},
		{"payout", "preview|close|reopen|export [--period P] [--format F] [--yes]", "preview, close once (confirmed on a terminal), reopen, or export a period's payouts", runPayout},
		{"digest", "preview [--at RFC3339] [--format text|json|markdown] [--png FILE]", "show the digest the schedule has due, as it would be posted", runDigest},
		{"member", "college --member M --college C [--note T] [--ref KEY] | wallet --member M --address A", "place a member in a college (prints the entry's seq), or set their payout address", runMember},
		{"verify", "", "recompute the hash chain, then check every derived table against it; prints ok <entries> <head hash>", runVerify},
		{"rebuild", "", "verify the chain, then recompute every derived table (reputation, accounts, colleges, payouts) from it in one transaction", runRebuild},
		{"export", "[--format jsonl|csv]", "print every entry in seq order", runExport},
		{"backup", "FILE", "write a consistent copy of the ledger to a new file", runBackup},
		{"copy", "--from DATABASE --to DATABASE", "copy a ledger entry by entry into an empty one, SQLite or PostgreSQL either way; the head hash stays the same", runCopy},
		{"github", "backfill --repo owner/name [--since DATE]", "credit a repository's merged pull requests and reviews since DATE", runGitHub},
		{"discord", "register [--guild ID|global]", "register the slash commands with Discord (bulk overwrite)", runDiscord},
		{"poll", "open|vote|close|show|list [flags]", "open a poll (prints its id), vote (prints the entry's seq), close it once, show or list polls", runPoll},
		{"version", "", "print the version", runVersion},
	}
}

// run runs the command named by args[0] and returns the exit status.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(e.stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitStatus(e, c.name, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "docracy: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, "usage: docracy <command> [--config FILE] [--db FILE] [flags]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nA member is named github:<login>, discord:<user id> or by member id.\n"+
		"Every command reads --config (default ./docracy.yaml if present, else built-in\n"+
		"defaults and the environment) and --db (overrides the database key).\n"+
		"Run \"docracy <command> -h\" for a command's flags.\n")
}

// usageError is a mistake in how a command was called: exit status 2. An
// empty message means the flag package has already explained it.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// exitStatus reports err on stderr, saying what to do, and maps it to an
// exit status.
func exitStatus(e *env, name string, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &ue), asFlagValue(e, err, &ue):
		if ue.msg != "" {
			fmt.Fprintf(e.stderr, "docracy %s: %s\nrun \"docracy %s -h\" for usage\n", name, ue.msg, name)
		}
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "docracy %s: %v\n", name, err)
		return exitFailure
	}
}

// asFlagValue reports whether err is a use case refusing a value that a
// flag of the command gave (bot.CodeInvalid naming the field), and makes
// it the usage error it is: a mistyped --window is no different from a
// missing one. A period is left out: besides a malformed name, which the
// payout commands check first, its refusals are about the ledger (closed
// already, not ended yet), not the value.
func asFlagValue(e *env, err error, ue **usageError) bool {
	var be *bot.Error
	if e.flags == nil || !errors.As(err, &be) || be.Code != bot.CodeInvalid || be.Field == "period" {
		return false
	}
	fl := e.flags.Lookup(be.Field)
	if fl == nil || !strings.HasPrefix(be.Message, be.Field+" ") {
		return false
	}
	*ue = &usageError{"--" + be.Message} // the message starts with the field's name and value
	return true
}

// flags is a command's flag set, with the flags every command takes.
type flags struct {
	*flag.FlagSet
	config string
	db     string
	output *string // --format text|json, when the command has it
}

func newFlags(e *env, name string) *flags {
	f := &flags{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError)}
	e.flags = f.FlagSet
	f.SetOutput(e.stderr)
	f.StringVar(&f.config, "config", "", "configuration `FILE` (default ./docracy.yaml if present, else built-in defaults)")
	f.StringVar(&f.db, "db", "", "ledger database `FILE`, overriding the configuration's database")
	f.Usage = func() {
		usage := fmt.Sprintf("usage: docracy %s [flags]\n\nflags:\n", name) // a subcommand's
		for _, c := range commands() {
			if c.name == name {
				usage = fmt.Sprintf("usage: docracy %s %s\n\n%s.\n\nflags:\n", name, c.synopsis, c.summary)
			}
		}
		fmt.Fprint(f.Output(), usage)
		f.PrintDefaults()
	}
	return f
}

// parse parses flags and positional arguments in any order (the flag
// package alone stops at the first positional one) and returns the
// positional ones; at most max are accepted.
func (f *flags) parse(args []string, max int) ([]string, error) {
	var positional []string
	for {
		if err := f.Parse(args); errors.Is(err, flag.ErrHelp) {
			return nil, err
		} else if err != nil {
			return nil, &usageError{} // the flag package printed it
		}
		rest := f.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional, args = append(positional, rest[0]), rest[1:]
	}
	if len(positional) > max {
		return nil, usagef("unexpected argument %q", positional[max])
	}
	return positional, nil
}

// require reports the first of the named flags that was not given.
func (f *flags) require(names ...string) error {
	set := map[string]bool{}
	f.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	for _, name := range names {
		if !set[name] {
			return usagef("--%s is required", name)
		}
	}
	return nil
}

// parseRequired parses the flags of a command that takes no positional
// argument, checks that the required ones were given and that --format,
// when the command has it, is text or json.
func (f *flags) parseRequired(args []string, required ...string) error {
	if _, err := f.parse(args, 0); err != nil {
		return err
	}
	if err := f.require(required...); err != nil {
		return err
	}
	if f.output != nil {
		return checkFormat(*f.output, "text", "json")
	}
	return nil
}

// format adds the --format flag of the listing commands, text or json.
func (f *flags) format() *string {
	f.output = f.String("format", "text", "output `FORMAT`: text or json")
	return f.output
}

// output prints a use case's answer v as JSON or, in the text format,
// with print; a failed use case prints nothing.
func output[T any](e *env, format string, v T, err error, print func(io.Writer, T) error) error {
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(e.stdout, v)
	}
	return print(e.stdout, v)
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return usagef("--format %q: use %s", format, strings.Join(allowed, " or "))
}
