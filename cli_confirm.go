package main

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
)

// errNotConfirmed is the answer "no" to a confirmation: nothing was done.
var errNotConfirmed = errors.New("not confirmed: nothing written")

// confirm asks the person at the terminal to confirm what summary
// describes, before a command writes something that cannot be taken back
// silently: payout close, and payout reopen the same way (confirm with
// the run and the reason, after canConfirm). yes (the --yes flag) skips
// the question, for scripts.
func confirm(e *env, summary string, yes bool) error {
	if err := canConfirm(e, yes); err != nil || yes {
		return err
	}
	fmt.Fprint(e.stderr, summary)
	fmt.Fprint(e.stderr, "Go ahead? [y/N] ")
	answer, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && answer == "" {
		fmt.Fprintln(e.stderr) // end of input is a no
		return errNotConfirmed
	}
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return nil
	}
	return errNotConfirmed
}

// canConfirm refuses, without a terminal to ask on and without --yes, a
// command that must be confirmed: it is a usage error (exit 2), the
// command being called in a way that cannot work, and the message says
// how to call it. Commands call it first, before any work.
func canConfirm(e *env, yes bool) error {
	if yes || e.stdinTerminal {
		return nil
	}
	return usagef("this asks for confirmation and stdin is not a terminal: run it on a terminal, or add --yes")
}
