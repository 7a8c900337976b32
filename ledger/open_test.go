package ledger_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/docracy/docracy/ledger"
)

// hotJournal leaves at dst a copy of path and of its rollback journal taken
// in the middle of a transaction that spilled pages into the file: what a
// writer killed at that instant leaves behind.
func hotJournal(t *testing.T, path, setup, dst string) {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=journal_mode(DELETE)&_pragma=cache_size(10)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if setup != "" {
		if _, err := db.Exec(setup); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`CREATE TABLE filler (b BLOB);
		WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 400)
		INSERT INTO filler SELECT randomblob(1000) FROM n`); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-journal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil || len(b) == 0 {
			t.Fatalf("no spilled transaction to copy: %s%s: %d bytes, %v", path, suffix, len(b), err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOpenRecoversACrashedCreation is a first start killed while SQLite
// wrote the new file: the next start rolls the journal back and creates
// the ledger, where it used to refuse it as "not a docracy database".
func TestOpenRecoversACrashedCreation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crashed.db")
	// A file already holds a header and no table, as it does once SQLite
	// has started writing a new database.
	hotJournal(t, filepath.Join(dir, "live.db"), "CREATE TABLE t (a); DROP TABLE t", path)
	l := openPath(t, path, ledger.Options{})
	mustAppend(t, l, credit(member(t, l, "alice"), 1, "code", "r1", t0))
	if _, n, err := l.Verify(context.Background()); err != nil || n != 1 {
		t.Errorf("verify: %d entries, %v; want 1", n, err)
	}
}

// TestOpenRefusesACrashedForeignDatabase checks that recovering a journal
// is not a way to write into another application's database.
func TestOpenRefusesACrashedForeignDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crashed.db")
	hotJournal(t, filepath.Join(dir, "live.db"), "PRAGMA application_id = 7; CREATE TABLE notes (body TEXT)", path)
	db, _ := os.ReadFile(path)
	journal, _ := os.ReadFile(path + "-journal")
	if _, err := ledger.Open(context.Background(), path, ledger.Options{}); !errors.Is(err, ledger.ErrNotLedger) {
		t.Errorf("err = %v, want ErrNotLedger", err)
	}
	assertUntouched(t, path, db)
	assertUntouched(t, path+"-journal", journal)
}

// TestOpenTakesThePathLiterally opens files whose names hold URI syntax:
// each must be created under exactly its name, and nothing in the name may
// change a setting (here: the WAL journal, or a read-only open).
func TestOpenTakesThePathLiterally(t *testing.T) {
	for _, name := range []string{
		"a?b.db",
		"with space.db",
		"x#y.db",
		"100%.db",
		"e%3Fz.db",
		"a&b=c;d.db",
		"ünïcødé ✓.db",
		"c?_pragma=journal_mode(DELETE)",
		"d?mode=ro&_pragma=journal_mode(MEMORY).db",
		"file:f.db",
		"q?_pragma=query_only(1)&x=.db",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			l := openPath(t, path, ledger.Options{})
			mustAppend(t, l, credit(member(t, l, "alice"), 1, "code", "r1", t0))
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if len(names) != 1 || names[0] != name {
				t.Fatalf("files created: %q, want only %q", names, name)
			}
			header, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			// Bytes 18 and 19 of the header are 2 in WAL mode, 1 otherwise.
			if header[18] != 2 || header[19] != 2 {
				t.Errorf("file format bytes %d %d: the journal is not WAL", header[18], header[19])
			}
			again := openPath(t, path, ledger.Options{})
			if _, n, err := again.Verify(context.Background()); err != nil || n != 1 {
				t.Errorf("reopened: %d entries, %v; want 1", n, err)
			}
		})
	}
}

// TestBackupTakesThePathLiterally writes backups to names that SQLite
// would read as URIs or that hold URI syntax.
func TestBackupTakesThePathLiterally(t *testing.T) {
	l := openTemp(t, ledger.Options{})
	mustAppend(t, l, credit(member(t, l, "alice"), 1, "code", "r1", t0))
	for _, name := range []string{"file:b.db?mode=memory", "a?b.db", "x#y.db", "100%.db"} {
		dir := t.TempDir()
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		err = l.Backup(context.Background(), name)
		t.Chdir(wd)
		if err != nil {
			t.Fatalf("backup to %q: %v", name, err)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 1 || entries[0].Name() != name {
			t.Errorf("backup to %q created %v", name, entries)
			continue
		}
		copy := openPath(t, filepath.Join(dir, name), ledger.Options{})
		if _, n, err := copy.Verify(context.Background()); err != nil || n != 1 {
			t.Errorf("backup %q: %d entries, %v; want 1", name, n, err)
		}
	}
}
