package testkit

import (
	"flag"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update is the one flag of every package's golden files: go test ./...
// -update rewrites them all. A flag must be defined before flag.Parse,
// hence at package level.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// Golden compares got with the golden file at path; with -update it
// writes got there first, and a failed write fails the test rather than
// leaving an old file to compare with.
func Golden(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatalf("update golden file: %v", err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("golden file: %v (go test -update writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		tb.Errorf("%s (-want +got):\n%s", path, diff)
	}
}
