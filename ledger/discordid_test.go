package ledger_test

import (
	"testing"

	"github.com/docracy/docracy/ledger"
)

// A Discord id is what Discord sends; config, commands and member names
// all accept exactly these.
func TestIsDiscordID(t *testing.T) {
	for id, want := range map[string]bool{
		"80351110224678912":    true,
		"1":                    true,
		"18446744073709551615": true,  // the largest uint64
		"18446744073709551616": false, // one more
		"":                     false,
		"0":                    false,
		"0123":                 false,
		"+123":                 false,
		"-123":                 false,
		"12 3":                 false,
		"general":              false,
		"1_000":                false,
	} {
		if got := ledger.IsDiscordID(id); got != want {
			t.Errorf("IsDiscordID(%q) = %v, want %v", id, got, want)
		}
	}
}
