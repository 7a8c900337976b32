package ledger_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
)

// The database string picks the engine: a postgres URL, else a file.
func TestIsPostgres(t *testing.T) {
	for in, want := range map[string]bool{
		"postgres://u@db/docracy": true, "postgresql://db/docracy": true,
		"./docracy.db": false, "/var/lib/docracy/postgres.db": false, "postgres.db": false,
	} {
		if got := ledger.IsPostgres(in); got != want {
			t.Errorf("IsPostgres(%q) = %v, want %v", in, got, want)
		}
	}
}

// A PostgreSQL URL carries a password: neither an error nor a description
// of the database quotes it, or the user, or the URL's query.
func TestPostgresURLNeverInAnError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the connection is refused
	secrets := []string{"s3cret-pw", "k3y-in-query", "carol-the-user"}
	for _, dsn := range []string{
		"postgres://carol-the-user:s3cret-pw@" + addr + "/docracy?sslmode=disable&application_name=k3y-in-query",
		"postgresql://carol-the-user:s3cret-pw@" + addr + "/docracy?sslmode=bogus&password=k3y-in-query",
		"postgres://carol-the-user:s3cret-pw@[::1/docracy?k3y-in-query",
	} {
		_, err := ledger.Open(context.Background(), dsn, ledger.Options{})
		if err == nil {
			t.Fatalf("open %s: no error", ledger.Describe(dsn))
		}
		for _, s := range append(secrets, dsn) {
			for _, text := range []string{err.Error(), ledger.Describe(dsn)} {
				if strings.Contains(text, s) {
					t.Errorf("%q quotes %q", text, s)
				}
			}
		}
		if errors.Is(err, ledger.ErrNotLedger) {
			t.Errorf("unreachable server reported as not a ledger: %v", err)
		}
	}
}

// A PostgreSQL ledger is backed up by the server's tools: Backup says so
// and writes no file.
func TestBackupOfPostgresIsRefused(t *testing.T) {
	l := postgresBackend(t).open(t, ledger.Options{})
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := l.Backup(context.Background(), path); !errors.Is(err, ledger.ErrBackupUnsupported) || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup: %v, want ErrBackupUnsupported naming pg_dump", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused backup left %s: %v", path, err)
	}
}

// TestScrubURL: what the leader election logs of a failed connection holds
// neither the password nor the user of the URL it dialled.
func TestScrubURL(t *testing.T) {
	const url = "postgres://alice:s3cret@db.example:5432/coop"
	err := ledger.ScrubURL(errors.New(`failed to connect to user=alice database=coop: password "s3cret" refused for "alice"`), url)
	for _, secret := range []string{"s3cret", "alice"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("scrubbed error %q still holds %q", err, secret)
		}
	}
	if err := ledger.ScrubURL(errors.New("x"), "postgres://%zz"); strings.Contains(err.Error(), "%zz") {
		t.Errorf("error for an invalid URL %q quotes it", err)
	}
}
