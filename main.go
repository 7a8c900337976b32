// Command docracy is a contribution-tracking bot for open cooperatives: it
// credits every contribution in an append-only, verifiable ledger and turns
// it into reputation. Run "docracy help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/mattn/go-isatty"
)

func main() {
	e := &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv,
		stdinTerminal: terminal(os.Stdin), stderrTerminal: terminal(os.Stderr),
	}
	os.Exit(runUntilSignal(e, os.Args[1:]))
}

// runUntilSignal runs a command whose context ends on Ctrl-C or SIGTERM, so
// that every command (a long backfill as much as serve) stops between
// writes and says so, rather than dying by the signal. A second signal
// kills at once.
func runUntilSignal(e *env, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop)
	return run(ctx, e, args)
}

func terminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
