package bot_test

import (
	"context"
	"testing"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"fixed the build", "fixed the build"},
		{"line one\nline two\r\n\tend", "line one line two end"},
		{"paid \u202e001\u202c", "paid 001"},
		{"\x1b[2Jclear\x00ed", "[2Jclear ed"},
		{"family 👩\u200d👩\u200d👧, שלום, مرحبا", "family 👩\u200d👩\u200d👧, שלום, مرحبا"},
		{"\xffbad", "\ufffdbad"},
	}
	for _, tt := range tests {
		if got := bot.OneLine(tt.in); got != tt.want {
			t.Errorf("OneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCreditKeepsPlainText: what plain text needs stays accepted and
// recorded as written: line breaks, tabs, right-to-left scripts and the
// joiners of emoji.
func TestCreditKeepsPlainText(t *testing.T) {
	b, _ := newBot(t)
	note := "שלום and مرحبا\n\tfamily 👩\u200d👩\u200d👧"
	e, _, err := b.Credit(context.Background(), bot.CreditRequest{Member: "github:alice", Points: 5,
		Category: "code", Note: note, Actor: "cli:t", Source: ledger.SourceCLI})
	if err != nil || e.Note != note {
		t.Errorf("Credit = note %q, %v; want note %q", e.Note, err, note)
	}
}
