package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

func TestRevoke(t *testing.T) {
	b, l := newBot(t)
	ctx := context.Background()
	first := credit(t, b, "github:alice", 5, "code", time.Hour)
	second := credit(t, b, "github:alice", 3, "doc", time.Hour)

	for _, name := range []string{"1", first.ID} {
		e, created, err := b.Revoke(ctx, bot.RevokeRequest{Entry: name, Reason: "duplicate", Actor: "cli:t", Source: ledger.SourceCLI})
		if err != nil {
			t.Fatalf("Revoke(%s): %v", name, err)
		}
		if e.Seq != 3 || e.Kind != ledger.KindRevoke || e.Points != -5 || e.Note != "duplicate" {
			t.Errorf("Revoke(%s) = seq %d %s %d %q, want seq 3 revoke -5 \"duplicate\"", name, e.Seq, e.Kind, e.Points, e.Note)
		}
		if want := name == "1"; created != want {
			t.Errorf("Revoke(%s) created = %v, want %v", name, created, want)
		}
	}
	rep, err := l.Reputation(ctx, 1, now)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Points != second.Points {
		t.Errorf("points after revoke = %d, want %d", rep.Points, second.Points)
	}
}

func TestRevokeErrors(t *testing.T) {
	b, _ := newBot(t)
	credit(t, b, "github:alice", 5, "code", time.Hour)
	if _, _, err := b.Revoke(context.Background(), bot.RevokeRequest{Entry: "1", Reason: "r", Actor: "cli:t", Source: ledger.SourceCLI}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		entry, reason string
		want          *bot.Error
	}{
		{"2", "r", &bot.Error{Code: bot.CodeInvalid, Field: "entry", Message: "entry 2 is a revoke entry: only credit and praise entries can be revoked"}},
		{"9", "r", &bot.Error{Code: bot.CodeNotFound, Field: "entry", Message: "entry 9 does not exist"}},
		{"e9", "r", &bot.Error{Code: bot.CodeNotFound, Field: "entry", Message: "entry e9 does not exist"}},
		{"last", "r", &bot.Error{Code: bot.CodeInvalid, Field: "entry", Message: `entry "last": give the entry's seq (a number) or its id (its "id" in the export)`}},
		{"1", "  ", &bot.Error{Code: bot.CodeInvalid, Field: "reason", Message: "reason is missing: say why the entry is revoked"}},
	}
	for _, tt := range tests {
		_, _, err := b.Revoke(context.Background(), bot.RevokeRequest{Entry: tt.entry, Reason: tt.reason, Actor: "cli:t", Source: ledger.SourceCLI})
		if diff := cmp.Diff(tt.want, err); diff != "" {
			t.Errorf("Revoke(%q, %q) error (-want +got):\n%s", tt.entry, tt.reason, diff)
		}
	}
}
