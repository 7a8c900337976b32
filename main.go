// Command docracy is a contribution-tracking bot for open cooperatives: it
// credits every contribution in an append-only, verifiable ledger and turns
// it into reputation. Run "docracy help" for the commands.
package main

import (
	"context"
	"os"

	"github.com/mattn/go-isatty"
)

func main() {
	e := &env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv,
		stdinTerminal: terminal(os.Stdin), stderrTerminal: terminal(os.Stderr),
	}
	os.Exit(run(context.Background(), e, os.Args[1:]))
}

func terminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}
