package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
)

// A ledger copied into another engine and back keeps its head hash, its
// members' figures, accounts, colleges and payouts, and verifies.
func TestCopySQLiteToSQLite(t *testing.T) { testCopyThrough(t, sqliteBackend(), sqliteBackend()) }

func TestCopySQLiteToPostgresAndBack(t *testing.T) {
	testCopyThrough(t, sqliteBackend(), postgresBackend(t))
}

func testCopyThrough(t *testing.T, home, away backend) {
	ctx := context.Background()
	d := newDerivedLedger(t, home)
	want := snapshot(t, d)
	head, _, err := d.l.VerifyAll(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	there := copyInto(t, d.l, away)
	back := copyInto(t, there, home)
	for _, l := range []*ledger.Ledger{there, back} {
		got, _, err := l.VerifyAll(ctx, nil)
		if err != nil || got != head {
			t.Errorf("%s: head %+v, %v; want %+v", l, got, err, head)
		}
		if s := snapshot(t, derivedLedger{l: l, alice: d.alice, bob: d.bob, carol: d.carol}); s != want {
			t.Errorf("%s shows:\n%s\nthe original:\n%s", l, s, want)
		}
	}
	// The copy goes on: a new member takes a new id, a new entry chains on.
	m, err := back.CreateMember(ctx, "dave", "")
	if err != nil || m.ID <= d.carol {
		t.Fatalf("new member %d, %v; want an id past the copied ones", m.ID, err)
	}
	mustAppend(t, back, credit(m.ID, 1, "code", "after-copy", t0))
	if _, _, err := back.VerifyAll(ctx, nil); err != nil {
		t.Errorf("verify after an append to the copy: %v", err)
	}
}

// copyInto copies src into a new ledger of b.
func copyInto(t *testing.T, src *ledger.Ledger, b backend) *ledger.Ledger {
	t.Helper()
	dst := b.open(t, ledger.Options{HalfLife: ledgerHalfLife})
	var seen int64
	if _, err := ledger.Copy(context.Background(), dst, src, func(n int64) { seen = n }); err != nil {
		t.Fatalf("copy into %s: %v", b.name, err)
	}
	if head, _ := src.Head(context.Background()); seen != head.Seq {
		t.Errorf("progress reached %d, want %d", seen, head.Seq)
	}
	return dst
}

// A target that holds anything is refused, and left as it was.
func TestCopyRefusesANonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	src := openTemp(t, ledger.Options{})
	mustAppend(t, src, credit(member(t, src, "alice"), 1, "code", "a", t0))
	for name, fill := range map[string]func(*ledger.Ledger){
		"a member":   func(l *ledger.Ledger) { member(t, l, "bob") },
		"an entry":   func(l *ledger.Ledger) { mustAppend(t, l, credit(member(t, l, "bob"), 2, "code", "b", t0)) },
		"the source": nil,
	} {
		t.Run(name, func(t *testing.T) {
			dst := src
			if fill != nil {
				dst = openTemp(t, ledger.Options{})
				fill(dst)
			}
			before, _ := dst.Head(ctx)
			if _, err := ledger.Copy(ctx, dst, src, nil); !errors.Is(err, ledger.ErrNotEmpty) {
				t.Fatalf("copy: %v, want ErrNotEmpty", err)
			}
			if after, _ := dst.Head(ctx); after != before {
				t.Errorf("the refused copy moved the head from %+v to %+v", before, after)
			}
		})
	}
}

// A copy that stops part way, here at a source entry edited behind the
// ledger's back, leaves the target as empty as it found it, so that it can
// be run again; one that ends leaves the target with every index a new
// ledger has, on either engine.
func TestCopyIsAllOrNothing(t *testing.T) {
	for _, target := range []func(*testing.T) backend{func(*testing.T) backend { return sqliteBackend() }, postgresBackend} {
		b := target(t)
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			home := sqliteBackend()
			path := home.newDatabase(t)
			src := openPath(t, path, ledger.Options{})
			alice := member(t, src, "alice")
			for i := range 30 {
				mustAppend(t, src, credit(alice, 1, "code", fmt.Sprint("c", i), t0))
			}
			home.tamper(t, path, "entries", "UPDATE entries SET points = 7 WHERE seq = 20")
			database := b.newDatabase(t)
			dst := openPath(t, database, ledger.Options{})
			var broken *ledger.ChainError
			if _, err := ledger.Copy(ctx, dst, src, nil); !errors.As(err, &broken) || broken.Seq != 20 {
				t.Fatalf("copy of a ledger edited at seq 20: %v", err)
			}
			home.exec(t, path, "UPDATE entries SET points = 1 WHERE seq = 20")
			head, err := ledger.Copy(ctx, dst, src, nil)
			if err != nil || head.Seq != 30 {
				t.Fatalf("the copy run again: head %+v, %v", head, err)
			}
			if got, want := indexNames(t, b, database), indexNames(t, b, b.newDatabase(t)); got != want {
				t.Errorf("the copy has the indexes %s, a new ledger %s", got, want)
			}
		})
	}
}

// indexNames lists the indexes of the ledger in database, opened first so
// that a new one has its schema.
func indexNames(t *testing.T, b backend, database string) string {
	t.Helper()
	openPath(t, database, ledger.Options{})
	query := map[string]string{
		"sqlite": "SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name",
		"pgx":    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
	}[b.driver]
	rows, err := b.rawDB(t, database).Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil || len(names) < 5 {
		t.Fatalf("indexes %v, %v", names, err)
	}
	return strings.Join(names, " ")
}
