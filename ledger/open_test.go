package ledger_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/docracy/docracy/ledger"
)

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
