// Package ledgertest opens ledgers for tests: a fresh one in a temporary
// directory, closed at cleanup, and large ones for benchmarks (a million
// entries take minutes to append, so each is built once per machine and
// cached in the temp directory).
package ledgertest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

// Categories are the default contribution categories.
var Categories = []string{"code", "review", "doc", "design", "translation", "bug", "security", "infra", "community", "research", "ops"}

// Spec describes a generated ledger: Entries credits over Members members,
// spread uniformly over Span before At, in random categories, 1–10 points.
type Spec struct {
	Members int
	Entries int
	Span    time.Duration
	At      time.Time
}

// Large is the benchmark ledger of the issues: 1,000,000 entries over
// 10,000 members across two years, as a large cooperative would hold.
var Large = Spec{Members: 10_000, Entries: 1_000_000, Span: 730 * 24 * time.Hour,
	At: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}

// HalfLife is the half-life fixtures are built with, the default of 90 days.
const HalfLife = 90 * 24 * time.Hour

var (
	mu    sync.Mutex
	built = map[Spec]string{}
)

// Path returns the path of a ledger built to spec, building it on first
// use. The file is shared: open it read-only in spirit, or copy it with
// Backup before writing. Members are named member1..memberN and hold the
// GitHub accounts 1..N (login userN).
func Path(tb testing.TB, s Spec) string {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if path, ok := built[s]; ok {
		return path
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("docracy-fixture-%s-%d-%d-%d-%d.db", ledger.SchemaID, s.Members, s.Entries, int64(s.Span.Hours()), s.At.Unix()))
	if err := build(path, s); err != nil {
		tb.Fatalf("build fixture: %v", err)
	}
	built[s] = path
	return path
}

func build(path string, s Spec) error {
	ctx := context.Background()
	opts := ledger.Options{HalfLife: HalfLife, Now: func() time.Time { return s.At }}
	if l, err := ledger.Open(ctx, path, opts); err == nil {
		head, _ := l.Head(ctx)
		l.Close()
		if head.Seq == int64(s.Entries) {
			return nil
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	l, err := ledger.Open(ctx, path, opts)
	if err != nil {
		return err
	}
	defer l.Close()
	if err := insertMembers(path, s); err != nil {
		return err
	}
	return appendEntries(ctx, l, s)
}

func appendEntries(ctx context.Context, l *ledger.Ledger, s Spec) error {
	rng := rand.New(rand.NewPCG(1, 2))
	batch := make([]ledger.NewEntry, 0, 10_000)
	for i := range s.Entries {
		batch = append(batch, ledger.NewEntry{
			Kind: ledger.KindCredit, Member: 1 + rng.Int64N(int64(s.Members)),
			Category: Categories[rng.IntN(len(Categories))], Points: 1 + rng.Int64N(10),
			OccurredAt: s.At.Add(-time.Duration(rng.Int64N(int64(s.Span)))),
			Source:     ledger.SourceGitHub, SourceRef: fmt.Sprintf("fixture:%d", i), Actor: "github:1",
			Note: "Merged pull request #1234: make the thing faster", URL: "https://github.com/coop/repo/pull/1234",
		})
		if len(batch) == cap(batch) || i == s.Entries-1 {
			if _, err := l.AppendBatch(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

// insertMembers adds members and their GitHub accounts in one transaction,
// much faster than one EnsureAccount each.
func insertMembers(path string, s Spec) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := 1; i <= s.Members; i++ {
		if _, err := tx.Exec("INSERT INTO members (id, name, created_at) VALUES (?, ?, ?)", i, fmt.Sprint("member", i), s.At.Unix()); err != nil {
			return err
		}
		if _, err := tx.Exec("INSERT INTO accounts (platform, external_id, login, member_id) VALUES ('github', ?, ?, ?)", fmt.Sprint(i), fmt.Sprint("user", i), i); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Open opens a new ledger in a file under tb.TempDir() on the clock now
// (time.Now when nil), with points that never decay, and closes it when the
// test ends.
func Open(tb testing.TB, now func() time.Time) *ledger.Ledger {
	tb.Helper()
	return OpenOptions(tb, ledger.Options{Now: now})
}

// OpenOptions is Open with the options given.
func OpenOptions(tb testing.TB, opts ledger.Options) *ledger.Ledger {
	tb.Helper()
	return OpenPath(tb, filepath.Join(tb.TempDir(), "ledger.db"), opts)
}

// Copy opens a private copy of the fixture s, for a benchmark that writes,
// on the fixture's stopped clock and half-life, and closes it when the
// benchmark ends.
func Copy(tb testing.TB, s Spec) *ledger.Ledger {
	tb.Helper()
	src, opts := openFixture(tb, s)
	path := filepath.Join(tb.TempDir(), "copy.db")
	err := src.Backup(context.Background(), path)
	src.Close()
	if err != nil {
		tb.Fatal(err)
	}
	return OpenPath(tb, path, opts)
}

// openFixture opens the fixture s, built if need be, with the options a
// copy of it is opened with: its stopped clock and half-life. The caller
// closes it.
func openFixture(tb testing.TB, s Spec) (*ledger.Ledger, ledger.Options) {
	tb.Helper()
	opts := ledger.Options{HalfLife: HalfLife, Now: func() time.Time { return s.At }}
	src, err := ledger.Open(context.Background(), Path(tb, s), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return src, opts
}

// OpenPath opens the ledger at path with opts and closes it when the test
// ends.
func OpenPath(tb testing.TB, path string, opts ledger.Options) *ledger.Ledger {
	tb.Helper()
	l, err := ledger.Open(context.Background(), path, opts)
	if err != nil {
		tb.Fatalf("open ledger: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return l
}

// CopyInto copies the fixture s into database, an empty ledger in any
// engine (a file path or a postgres:// URL), for a benchmark that sets
// the engines side by side on the same data, and closes it when the
// benchmark ends.
func CopyInto(tb testing.TB, s Spec, database string) *ledger.Ledger {
	tb.Helper()
	src, opts := openFixture(tb, s)
	defer src.Close()
	dst := OpenPath(tb, database, opts)
	if _, err := ledger.Copy(context.Background(), dst, src, nil); err != nil {
		tb.Fatal(err)
	}
	return dst
}
