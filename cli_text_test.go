package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
)

// A member named before hidden characters were refused (a Discord display
// name, say) shows in rep and history as plain text, with no mark that
// turns the terminal's text or clears its screen.
func TestCommandsShowNamesAsPlainText(t *testing.T) {
	te := newTestEnv(t)
	te.must("credit", "--member", "github:alice", "--points", "1", "--category", "code")
	l, err := ledger.Open(context.Background(), te.db, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := l.CreateMember(context.Background(), "mallory\u202e\x1b[2J", "")
	l.Close()
	if err != nil {
		t.Fatal(err)
	}
	te.must("credit", "--member", strconv.FormatInt(m.ID, 10), "--points", "2", "--category", "code")
	for _, args := range [][]string{{"rep", strconv.FormatInt(m.ID, 10)}, {"history", "--member", strconv.FormatInt(m.ID, 10)}} {
		out := te.must(args...)
		if strings.ContainsAny(out, "\u202e\x1b") || !strings.HasPrefix(out, "mallory [2J (member 2") {
			t.Errorf("docracy %s:\n%q", strings.Join(args, " "), out)
		}
	}
}
