package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// openTemp opens a ledger in a fresh file under t.TempDir().
func openTemp(t testing.TB, opts ledger.Options) *ledger.Ledger {
	t.Helper()
	return openPath(t, filepath.Join(t.TempDir(), "docracy.db"), opts)
}

func openPath(t testing.TB, path string, opts ledger.Options) *ledger.Ledger {
	t.Helper()
	if opts.Now == nil {
		opts.Now = testkit.NewClock(t0).Now
	}
	l, err := ledger.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func member(t testing.TB, l *ledger.Ledger, login string) int64 {
	t.Helper()
	m, _, err := l.EnsureAccount(context.Background(), ledger.Account{Platform: ledger.PlatformGitHub, Login: login}, "")
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func credit(member int64, points int64, category, ref string, at time.Time) ledger.NewEntry {
	return ledger.NewEntry{
		Kind: ledger.KindCredit, Member: member, Category: category, Points: points,
		OccurredAt: at, Source: ledger.SourceCLI, SourceRef: ref, Actor: "cli:test",
	}
}

func mustAppend(t testing.TB, l *ledger.Ledger, n ledger.NewEntry) ledger.Entry {
	t.Helper()
	e, _, err := l.Append(context.Background(), n)
	if err != nil {
		t.Fatalf("append %s: %v", n.SourceRef, err)
	}
	return e
}

func testAppendIsIdempotentOnSourceRef(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	alice := member(t, l, "alice")

	first, created, err := l.Append(ctx, credit(alice, 5, "code", "pr:1", t0))
	if err != nil || !created {
		t.Fatalf("first append: created=%v err=%v", created, err)
	}
	again, created, err := l.Append(ctx, credit(alice, 99, "doc", "pr:1", t0.Add(-time.Hour)))
	if err != nil || created {
		t.Fatalf("repeat append: created=%v err=%v", created, err)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("repeat returned another entry (-first +again):\n%s", diff)
	}
	head, err := l.Head(ctx)
	if err != nil || head.Seq != 1 || head.Hash != first.Hash {
		t.Errorf("head = %+v, %v; want seq 1 hash %s", head, err, first.Hash)
	}
	n, err := l.AppendBatch(ctx, []ledger.NewEntry{credit(alice, 1, "code", "pr:1", t0), credit(alice, 2, "code", "pr:2", t0)})
	if err != nil || n != 1 {
		t.Errorf("batch with one repeat created %d, %v; want 1", n, err)
	}
}

func TestAppendRefusesBadEntries(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice := member(t, l, "alice")
	tests := []struct {
		name string
		edit func(*ledger.NewEntry)
	}{
		{"no ref", func(n *ledger.NewEntry) { n.SourceRef = "" }},
		{"negative credit", func(n *ledger.NewEntry) { n.Points = -1 }},
		{"unknown member", func(n *ledger.NewEntry) { n.Member = 999 }},
		{"no category", func(n *ledger.NewEntry) { n.Category = "" }},
		{"bad kind", func(n *ledger.NewEntry) { n.Kind = "gift" }},
		{"invalid utf-8", func(n *ledger.NewEntry) { n.Note = "\xff" }},
		{"unsafe integer", func(n *ledger.NewEntry) { n.Points = 1 << 60 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := credit(alice, 5, "code", "ref:"+tt.name, t0)
			tt.edit(&n)
			if _, _, err := l.Append(ctx, n); err == nil {
				t.Fatal("append succeeded")
			}
			if head, _ := l.Head(ctx); head.Seq != 0 {
				t.Errorf("head seq = %d after a refused append", head.Seq)
			}
		})
	}
}

func TestRevokedEntriesAreLeftOut(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice, bob := member(t, l, "alice"), member(t, l, "bob")
	keep := mustAppend(t, l, credit(alice, 5, "code", "a1", t0.Add(-time.Hour)))
	gone := mustAppend(t, l, credit(alice, 20, "code", "a2", t0.Add(-time.Hour)))
	mustAppend(t, l, credit(bob, 10, "doc", "b1", t0.Add(-time.Hour)))

	rev, created, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: gone.Seq, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "duplicate"})
	if err != nil || !created {
		t.Fatalf("revoke: created=%v err=%v", created, err)
	}
	if rev.Kind != ledger.KindRevoke || rev.Points != -20 || rev.Member != alice || rev.SourceRef != "revoke:"+gone.ID {
		t.Errorf("revoke entry = %+v", rev)
	}
	if again, created, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: gone.Seq, Source: ledger.SourceCLI}); err != nil || created || again.Seq != rev.Seq {
		t.Errorf("second revoke: seq %d created=%v err=%v; want the first revoke back", again.Seq, created, err)
	}
	if _, _, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: rev.Seq, Source: ledger.SourceCLI}); !errors.Is(err, ledger.ErrNotRevocable) {
		t.Errorf("revoking a revoke: err = %v, want ErrNotRevocable", err)
	}
	if _, _, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: 99, Source: ledger.SourceCLI}); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("revoking a missing seq: err = %v, want ErrNotFound", err)
	}

	rep, err := l.Reputation(ctx, alice, t0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Points != 5 || rep.Rank != 2 {
		t.Errorf("alice reputation points=%d rank=%d, want 5 and 2 (bob has 10)", rep.Points, rep.Rank)
	}
	for _, w := range []ledger.Window{ledger.Window7d, ledger.Window30d, ledger.WindowAll} {
		board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: w})
		if err != nil {
			t.Fatal(err)
		}
		got := [][2]int64{}
		for _, s := range board {
			got = append(got, [2]int64{s.Member, s.Points})
		}
		if diff := cmp.Diff([][2]int64{{bob, 10}, {alice, 5}}, got); diff != "" {
			t.Errorf("leaderboard %s (-want +got):\n%s", w, diff)
		}
	}
	history, err := l.History(ctx, alice, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 1 || history[0].Seq != keep.Seq {
		t.Errorf("history = %v, want only seq %d", history, keep.Seq)
	}
	if _, n, err := l.Verify(ctx); err != nil || n != 4 {
		t.Errorf("verify: %d entries, %v", n, err)
	}
}

func TestReputationDecaysByHalfLife(t *testing.T) {
	ctx := context.Background()
	halfLife := 90 * 24 * time.Hour
	c := testkit.NewClock(t0)
	l := openTemp(t, ledger.Options{HalfLife: halfLife, Now: c.Now})
	alice := member(t, l, "alice")
	mustAppend(t, l, credit(alice, 8, "code", "old", t0.Add(-2*halfLife))) // worth 8/4 = 2
	mustAppend(t, l, credit(alice, 6, "doc", "mid", t0.Add(-halfLife)))    // worth 6/2 = 3
	mustAppend(t, l, credit(alice, 4, "code", "new", t0))                  // worth 4
	c.Set(t0.Add(halfLife))
	mustAppend(t, l, credit(alice, 100, "code", "future", c.Now())) // not yet earned at t0

	rep, err := l.Reputation(ctx, alice, t0)
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.Reputation{
		Member: alice, Score: 9, Points: 18, Rank: 1,
		Categories: []ledger.CategoryScore{{Category: "code", Score: 6, Points: 12}, {Category: "doc", Score: 3, Points: 6}},
	}
	if diff := cmp.Diff(want, rep, cmp.Comparer(approx)); diff != "" {
		t.Errorf("reputation at t0 (-want +got):\n%s", diff)
	}
	later, err := l.Reputation(ctx, alice, t0.Add(halfLife))
	if err != nil {
		t.Fatal(err)
	}
	if !approx(later.Score, (2+3+4)/2.0+100) {
		t.Errorf("reputation one half-life later = %v, want 104.5", later.Score)
	}
	board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: ledger.WindowAll, At: t0.Add(halfLife)})
	if err != nil || len(board) != 1 || !approx(board[0].Reputation, 104.5) {
		t.Errorf("leaderboard reputation = %+v, %v; want 104.5 from the running totals", board, err)
	}
}

func TestNoDecayAndHalfLifeChange(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	l, err := ledger.Open(ctx, path, ledger.Options{Now: testkit.NewClock(t0).Now})
	if err != nil {
		t.Fatal(err)
	}
	alice := member(t, l, "alice")
	mustAppend(t, l, credit(alice, 8, "code", "old", t0.Add(-100*24*time.Hour)))
	if board, _ := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: ledger.WindowAll}); board[0].Reputation != 8 {
		t.Errorf("no decay: reputation %v, want 8", board[0].Reputation)
	}
	l.Close()

	l = openPath(t, path, ledger.Options{HalfLife: 100 * 24 * time.Hour})
	board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: ledger.WindowAll})
	if err != nil || !approx(board[0].Reputation, 4) {
		t.Errorf("after the half-life changed: %+v %v, want reputation 4", board, err)
	}
}

func approx(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func TestLeaderboardWindowsCategoriesAndTies(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	a, b, c := member(t, l, "a"), member(t, l, "b"), member(t, l, "c")
	day := 24 * time.Hour
	mustAppend(t, l, credit(c, 7, "code", "c-recent", t0.Add(-2*day)))
	mustAppend(t, l, credit(b, 7, "doc", "b-recent", t0.Add(-3*day)))
	mustAppend(t, l, credit(a, 30, "code", "a-old", t0.Add(-20*day)))
	mustAppend(t, l, credit(b, 50, "code", "b-ancient", t0.Add(-400*day)))
	mustAppend(t, l, credit(a, 1, "code", "a-future", t0.Add(ledger.MaxClockSkew)))

	tests := []struct {
		window   ledger.Window
		category string
		want     [][2]int64
	}{
		{ledger.Window7d, "", [][2]int64{{b, 7}, {c, 7}}}, // tie: lower member id first
		{ledger.Window30d, "", [][2]int64{{a, 30}, {b, 7}, {c, 7}}},
		{ledger.Window30d, "code", [][2]int64{{a, 30}, {c, 7}}},
		{ledger.WindowAll, "", [][2]int64{{b, 57}, {a, 31}, {c, 7}}},
		{ledger.WindowAll, "doc", [][2]int64{{b, 7}}},
		{ledger.WindowAll, "design", [][2]int64{}},
	}
	for _, tt := range tests {
		t.Run(string(tt.window)+"/"+tt.category, func(t *testing.T) {
			board, err := l.Leaderboard(ctx, ledger.LeaderboardQuery{Window: tt.window, Category: tt.category})
			if err != nil {
				t.Fatal(err)
			}
			got := [][2]int64{}
			for i, s := range board {
				if s.Rank != i+1 || s.Name == "" {
					t.Errorf("row %d: rank %d name %q", i, s.Rank, s.Name)
				}
				got = append(got, [2]int64{s.Member, s.Points})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := ledger.ParseWindow("1y"); err == nil {
		t.Error("ParseWindow accepted 1y")
	}
}

func testAccountsByLoginThenID(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	named, created, err := l.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformGitHub, Login: "Octocat"}, "")
	if err != nil || !created {
		t.Fatalf("by login: %v created=%v", err, created)
	}
	byID, created, err := l.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: "583231", Login: "octocat"}, "")
	if err != nil || created || byID.ID != named.ID {
		t.Fatalf("by id: member %d created=%v err=%v; want member %d", byID.ID, created, err, named.ID)
	}
	renamed, _, err := l.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: "583231", Login: "octo-renamed"}, "")
	if err != nil || renamed.ID != named.ID {
		t.Fatalf("renamed: %v %v", renamed, err)
	}
	want := []ledger.Account{{Platform: ledger.PlatformGitHub, ExternalID: "583231", Login: "octo-renamed"}}
	if diff := cmp.Diff(want, renamed.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if m, err := l.MemberByLogin(ctx, ledger.PlatformGitHub, "OCTO-RENAMED"); err != nil || m.ID != named.ID {
		t.Errorf("by login, any case: %v %v", m.ID, err)
	}
	discord, created, err := l.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: "80351110224678912"}, "Nelly")
	if err != nil || !created || discord.Name != "Nelly" || discord.ID == named.ID {
		t.Errorf("discord member: %+v created=%v err=%v", discord, created, err)
	}
	if _, err := l.MemberByAccount(ctx, ledger.PlatformDiscord, "1"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("unknown account: %v, want ErrNotFound", err)
	}
}

func TestBackupIsAConsistentCopy(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice := member(t, l, "alice")
	for i := range 20 {
		mustAppend(t, l, credit(alice, 1, "code", fmt.Sprint("r", i), t0))
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := l.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := l.Backup(ctx, path); err == nil {
		t.Error("backup over an existing file succeeded")
	}
	want, _, _ := l.Verify(ctx)
	copy := openPath(t, path, ledger.Options{})
	got, n, err := copy.Verify(ctx)
	if err != nil || n != 20 || got != want {
		t.Errorf("copy verifies to %+v (%d entries, %v), want %+v", got, n, err, want)
	}
}

func TestOpenRefusesForeignFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	random := filepath.Join(dir, "random.bin")
	junk := make([]byte, 8192)
	for i := range junk {
		junk[i] = byte(i*7 + i/13)
	}
	if err := os.WriteFile(random, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.Open(ctx, random, ledger.Options{}); !errors.Is(err, ledger.ErrNotLedger) {
		t.Errorf("random file: err = %v, want ErrNotLedger", err)
	}
	assertUntouched(t, random, junk)
	assertNoSidecars(t, random)

	// A SQLite database of another application.
	other := filepath.Join(dir, "other.db")
	execRaw(t, other, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hello')")
	before, _ := os.ReadFile(other)
	if _, err := ledger.Open(ctx, other, ledger.Options{}); !errors.Is(err, ledger.ErrNotLedger) {
		t.Errorf("foreign sqlite: err = %v, want ErrNotLedger", err)
	}
	assertUntouched(t, other, before)
	assertNoSidecars(t, other)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	l, err := ledger.Open(ctx, path, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	execRaw(t, path, "PRAGMA user_version = 99")
	before, _ := os.ReadFile(path)
	_, err = ledger.Open(ctx, path, ledger.Options{})
	if !errors.Is(err, ledger.ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
	want := "schema version 99, this binary knows up to "
	if got := err.Error(); !strings.Contains(got, want) {
		t.Errorf("error %q does not say %q", got, want)
	}
	assertUntouched(t, path, before)
}

func assertUntouched(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s was modified", path)
	}
}

// assertNoSidecars checks that opening left no journal beside the file.
func assertNoSidecars(t *testing.T, path string) {
	t.Helper()
	for _, suffix := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s%s was created", path, suffix)
		}
	}
}
