// Command docracy is a contribution-tracking bot for open cooperatives: it
// credits every contribution in an append-only, verifiable ledger and turns
// it into reputation. Run "docracy help" for the commands.
package main

import (
	"context"
	"os"
)

func main() {
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv}
	os.Exit(run(context.Background(), e, os.Args[1:]))
}
