// Package pgtest gives tests a PostgreSQL database of their own. The server
// is the one DOCRACY_TEST_POSTGRES names (a postgres:// URL of a role that
// may create databases) or, with CI=true, a throw-away cluster started for
// the test; elsewhere the test is skipped, so that a developer without
// PostgreSQL still runs every SQLite test. Only tests import it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// EnvDSN names the variable holding the URL of a server to test against.
const EnvDSN = "DOCRACY_TEST_POSTGRES"

// SkipMessage is why a PostgreSQL test does not run outside CI.
const SkipMessage = "PostgreSQL tests skipped: set " + EnvDSN + " or run with CI=true"

// Server is a PostgreSQL server on which each test creates its database.
type Server struct {
	admin *url.URL // a database to connect to in order to create others
}

// Start returns the server to test against: the one DOCRACY_TEST_POSTGRES
// names; else, with CI=true, a cluster started now and stopped when tb
// ends, failing tb if it cannot start; else tb is skipped.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		u, err := url.Parse(dsn)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			tb.Fatalf("%s: want a postgres:// URL", EnvDSN)
		}
		return &Server{admin: u}
	}
	if os.Getenv("CI") != "true" {
		tb.Skip(SkipMessage)
	}
	c, err := startCluster()
	if err != nil {
		tb.Fatalf("start a PostgreSQL cluster (CI=true requires one): %v", err)
	}
	tb.Cleanup(c.stop)
	return &Server{admin: c.url()}
}

// NewDatabase creates an empty database, dropped when tb ends, and
// returns its URL.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := "docracy_test_" + randomHex(tb)
	s.exec(tb, "CREATE DATABASE "+name)
	tb.Cleanup(func() { s.exec(tb, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u := *s.admin
	u.Path = "/" + name
	return u.String()
}

// DSN is the URL of a new database on the server Start gives.
func DSN(tb testing.TB) string {
	tb.Helper()
	return Start(tb).NewDatabase(tb)
}

// exec runs one statement on the administration database.
func (s *Server) exec(tb testing.TB, stmt string) {
	tb.Helper()
	db, err := sql.Open("pgx", s.admin.String())
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), stmt); err != nil {
		tb.Fatalf("postgres: %s: %v", stmt, err)
	}
}

func randomHex(tb testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// String names the server without its credentials, for messages.
func (s *Server) String() string {
	return fmt.Sprintf("postgres://%s%s", s.admin.Host, s.admin.Path)
}
