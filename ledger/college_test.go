package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
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

// members.college is derived: a row changed behind the ledger's back is
// named by CheckColleges, and RebuildColleges puts the chain's back.
func TestCheckAndRebuildColleges(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "docracy.db")
	l := openPath(t, path, ledger.Options{})
	alice, bob, carol := member(t, l, "alice"), member(t, l, "bob"), member(t, l, "carol")
	place(t, l, alice, "workers", "c1")
	place(t, l, bob, "workers", "c2")
	place(t, l, bob, "users", "c3")
	if err := l.CheckColleges(ctx); err != nil {
		t.Fatalf("untouched ledger: %v", err)
	}
	for _, tt := range []struct{ name, script, want string }{
		{"moved", fmt.Sprintf("UPDATE members SET college = 'workers' WHERE id = %d", bob),
			fmt.Sprintf("members: member %d: table says workers, chain says users", bob)},
		{"placed", fmt.Sprintf("UPDATE members SET college = 'partners' WHERE id = %d", carol),
			fmt.Sprintf("members: member %d: table says partners, chain says no college", carol)},
		{"taken out", fmt.Sprintf("UPDATE members SET college = '' WHERE id = %d", alice),
			fmt.Sprintf("members: member %d: table says no college, chain says workers", alice)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			execRaw(t, path, tt.script)
			if err := l.CheckColleges(ctx); err == nil || err.Error() != tt.want {
				t.Fatalf("check = %v, want %s", err, tt.want)
			}
			if err := l.RebuildColleges(ctx); err != nil {
				t.Fatal(err)
			}
			if err := l.CheckColleges(ctx); err != nil {
				t.Fatalf("after rebuild: %v", err)
			}
		})
	}
	want := map[int64]string{alice: "workers", bob: "users", carol: ""}
	for id, college := range want {
		if m, _ := l.Member(ctx, id); m.College != college {
			t.Errorf("member %d after rebuild: college %q, want %q", id, m.College, college)
		}
	}
}

// A retry of a move is keyed on the member's latest college entry.
func TestCollegeEntry(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice := member(t, l, "alice")
	if _, err := l.CollegeEntry(ctx, alice); !errors.Is(err, ledger.ErrNotFound) {
		t.Fatalf("never placed: %v, want ErrNotFound", err)
	}
	place(t, l, alice, "workers", "c1")
	moved := place(t, l, alice, "users", "c2")
	mustAppend(t, l, credit(alice, 3, "code", "pr:1", t0))
	if e, err := l.CollegeEntry(ctx, alice); err != nil || e.Seq != moved.Seq || e.Category != "users" {
		t.Fatalf("latest = %+v, %v; want seq %d in users", e, err, moved.Seq)
	}
}

// A member merged by a link gives its college to the member it joins, by a
// chained entry: the table and the chain still agree.
func TestLinkCarriesCollege(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	gh := ensure(t, l, danaGitHub, "")
	dc := ensure(t, l, danaDiscord, "Dana")
	place(t, l, dc, "volunteers", "c1")
	res, err := l.Link(ctx, linkDana(ledger.SourceDiscord))
	if err != nil {
		t.Fatal(err)
	}
	if res.Member != gh || res.Merged != dc {
		t.Fatalf("link kept member %d and merged %d, want %d and %d", res.Member, res.Merged, gh, dc)
	}
	e, err := l.CollegeEntry(ctx, gh)
	if err != nil || e.Category != "volunteers" || e.Actor != "discord:1" || e.Seq <= res.Entry.Seq {
		t.Fatalf("college entry of the kept member = %+v, %v", e, err)
	}
	if m, _ := l.Member(ctx, gh); m.College != "volunteers" {
		t.Errorf("kept member's college = %q, want volunteers", m.College)
	}
	if err := l.CheckColleges(ctx); err != nil {
		t.Error(err)
	}
	if _, _, err := l.Verify(ctx); err != nil {
		t.Error(err)
	}
}
