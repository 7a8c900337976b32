package main

import (
	"context"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
)

func TestLinkEmail(t *testing.T) {
	te := newTestEnv(t)
	out := te.must("link", "--member", "github:alice", "--email", "Alice@Example.org")
	if out != "alice@example.org now credits member 1 (alice) as a co-author\n" {
		t.Errorf("link --email printed %q", out)
	}
	l, err := ledger.Open(context.Background(), te.db, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if m, err := l.MemberByEmail(context.Background(), "ALICE@example.org"); err != nil || m.ID != 1 {
		t.Errorf("member by e-mail = %+v, %v; want member 1", m, err)
	}
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"link", "--member", "github:alice", "--email", "Alice <a@b.org>"}, exitUsage, `--email "Alice <a@b.org>": give a plain address`},
		{[]string{"link", "--member", "github:alice", "--email", "nope"}, exitUsage, `--email "nope"`},
		{[]string{"link", "--member", "github:alice", "--email", "a@b.org", "--github", "alice"}, exitUsage, "give --github or --email, not both"},
		{[]string{"link", "--email", "a@b.org"}, exitUsage, "--member is required"},
	}
	for _, tt := range tests {
		_, stderr, code := te.run(append(tt.args, "--db", te.db)...)
		if code != tt.code || !strings.Contains(stderr, tt.stderr) {
			t.Errorf("docracy %s: exit %d, %q; want %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.stderr)
		}
	}
}
