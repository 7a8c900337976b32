package ledger_test

import (
	"context"
	"testing"

	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

func place(t *testing.T, l *ledger.Ledger, member int64, college, ref string) ledger.Entry {
	t.Helper()
	e, _, err := l.SetCollege(context.Background(), ledger.CollegeRequest{Member: member, College: college,
		Source: ledger.SourceCLI, SourceRef: ref, Actor: "cli:test"})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A member's college is chained: the table follows the latest entry, and
// the college at an earlier seq is still known.
func TestCollegesAreChained(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice, bob := member(t, l, "alice"), member(t, l, "bob")
	first := place(t, l, alice, "workers", "c1")
	place(t, l, bob, "users", "c2")
	if again := place(t, l, alice, "users", "c1"); again.Seq != first.Seq {
		t.Fatalf("a repeated ref appended seq %d", again.Seq)
	}
	moved := place(t, l, alice, "partners", "c3")
	left := place(t, l, bob, "", "c4")

	if e, _ := l.Entry(ctx, first.Seq); e.Kind != ledger.KindCollege || e.Category != "workers" || e.Points != 0 {
		t.Errorf("college entry = %+v", e)
	}
	for _, tt := range []struct {
		seq  int64
		want map[int64]string
	}{
		{first.Seq, map[int64]string{}},
		{moved.Seq, map[int64]string{alice: "workers", bob: "users"}},
		{left.Seq, map[int64]string{alice: "partners", bob: "users"}},
		{left.Seq + 1, map[int64]string{alice: "partners"}},
	} {
		got, err := l.CollegesAt(ctx, tt.seq)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("colleges before seq %d (-want +got):\n%s", tt.seq, diff)
		}
	}
	if m, _ := l.Member(ctx, alice); m.College != "partners" {
		t.Errorf("alice's college = %q, want partners", m.College)
	}
	if m, _ := l.Member(ctx, bob); m.College != "" {
		t.Errorf("bob's college = %q, want none", m.College)
	}
	if _, n, err := l.Verify(ctx); err != nil || n != 4 {
		t.Errorf("verify = %d, %v", n, err)
	}
}
