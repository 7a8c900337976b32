package bot_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCredit(t *testing.T) {
	b, l := newBot(t)
	ctx := context.Background()
	at := now.Add(-48 * time.Hour)
	e, created, err := b.Credit(ctx, bot.CreditRequest{
		Member: "github:alice", Points: 5, Category: " Code ", Note: " fixed the build ",
		URL: "https://github.com/docracy/docracy/pull/1", Ref: "pr-1", At: at,
		Actor: "cli:carol", Source: ledger.SourceCLI,
	})
	if err != nil || !created {
		t.Fatalf("Credit = %v, created %v", err, created)
	}
	want := ledger.Entry{
		Seq: 1, ID: ledger.EntryID(1), Kind: ledger.KindCredit, Member: 1, Category: "code",
		Points: 5, OccurredAt: at, RecordedAt: now, Source: ledger.SourceCLI, SourceRef: "cli:pr-1",
		Actor: "cli:carol", Note: "fixed the build", URL: "https://github.com/docracy/docracy/pull/1",
		PrevHash: ledger.ZeroHash,
	}
	if diff := cmp.Diff(want, e, cmpopts.IgnoreFields(ledger.Entry{}, "Hash")); diff != "" {
		t.Errorf("entry (-want +got):\n%s", diff)
	}
	stored, err := l.Entry(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, stored); diff != "" {
		t.Errorf("stored entry differs (-returned +stored):\n%s", diff)
	}
}

func TestCreditRepeatedRef(t *testing.T) {
	b, l := newBot(t)
	ctx := context.Background()
	r := bot.CreditRequest{Member: "github:alice", Points: 5, Category: "code", Ref: "x", Actor: "cli:t", Source: ledger.SourceCLI}
	first, created, err := b.Credit(ctx, r)
	if err != nil || !created {
		t.Fatalf("first Credit = %v, created %v", err, created)
	}
	// A retry naming someone else returns the first entry and creates no member.
	r.Member = "github:bob"
	again, created, err := b.Credit(ctx, r)
	if err != nil || created {
		t.Fatalf("second Credit = %v, created %v", err, created)
	}
	if diff := cmp.Diff(first, again); diff != "" {
		t.Errorf("repeated ref returned another entry (-first +again):\n%s", diff)
	}
	if head, _ := l.Head(ctx); head.Seq != 1 {
		t.Errorf("head seq = %d, want 1", head.Seq)
	}
	if members, _ := l.Members(ctx); len(members) != 1 {
		t.Errorf("%d members, want 1", len(members))
	}
}

func TestCreditGeneratedRef(t *testing.T) {
	b, _ := newBot(t)
	seen := map[string]bool{}
	for range 2 {
		e := credit(t, b, "discord:42", 1, "doc", 0)
		if !regexp.MustCompile(`^cli:[0-9a-f]{32}$`).MatchString(e.SourceRef) {
			t.Errorf("source_ref = %q, want cli:<32 hex digits>", e.SourceRef)
		}
		if seen[e.SourceRef] {
			t.Errorf("source_ref %q generated twice", e.SourceRef)
		}
		seen[e.SourceRef] = true
		if !e.OccurredAt.Equal(now) {
			t.Errorf("occurred_at = %v, want now", e.OccurredAt)
		}
	}
}

func TestCreditInvalid(t *testing.T) {
	valid := bot.CreditRequest{Member: "github:alice", Points: 5, Category: "code", Actor: "cli:t", Source: ledger.SourceCLI}
	tests := []struct {
		name    string
		edit    func(r *bot.CreditRequest)
		field   string
		message string
	}{
		{"no member", func(r *bot.CreditRequest) { r.Member = "" }, "member",
			"member is missing: name a member as github:<login>, discord:<user id> or a member id"},
		{"zero points", func(r *bot.CreditRequest) { r.Points = 0 }, "points",
			"points 0: give a whole number from 1 to 10000 (to take points back, revoke the entry)"},
		{"negative points", func(r *bot.CreditRequest) { r.Points = -5 }, "points",
			"points -5: give a whole number from 1 to 10000 (to take points back, revoke the entry)"},
		{"too many points", func(r *bot.CreditRequest) { r.Points = 10001 }, "points",
			"points 10001: give a whole number from 1 to 10000 (to take points back, revoke the entry)"},
		{"unknown category", func(r *bot.CreditRequest) { r.Category = "foo" }, "category",
			`category "foo" is not one of code, review, doc`},
		{"no category", func(r *bot.CreditRequest) { r.Category = "" }, "category",
			"category is missing: use one of code, review, doc"},
		{"long note", func(r *bot.CreditRequest) { r.Note = strings.Repeat("é", 1001) }, "note",
			"note is 1001 characters long: keep it to 1000"},
		{"bad utf-8", func(r *bot.CreditRequest) { r.Note = "\xff" }, "note",
			"note is not valid UTF-8 text"},
		{"direction override", func(r *bot.CreditRequest) { r.Note = "paid \u202e001 ot 01\u202c" }, "note",
			"note holds the invisible character U+202E, a control or text-direction mark: write plain text"},
		{"terminal escape", func(r *bot.CreditRequest) { r.Note = "fix \x1b[2Jdone" }, "note",
			"note holds the invisible character U+001B, a control or text-direction mark: write plain text"},
		{"carriage return", func(r *bot.CreditRequest) { r.Note = "docs\rcode" }, "note",
			"note holds the invisible character U+000D, a control or text-direction mark: write plain text"},
		{"ftp url", func(r *bot.CreditRequest) { r.URL = "ftp://example.org/x" }, "url",
			`url "ftp://example.org/x": give a full http:// or https:// address`},
		{"relative url", func(r *bot.CreditRequest) { r.URL = "/pull/1" }, "url",
			`url "/pull/1": give a full http:// or https:// address`},
		{"long url", func(r *bot.CreditRequest) { r.URL = "https://x.org/" + strings.Repeat("a", 2000) }, "url",
			"url is 2014 bytes long: keep it to 2000"},
		{"future", func(r *bot.CreditRequest) { r.At = now.Add(time.Hour) }, "at",
			"at 2026-03-01T13:00:00Z is in the future (more than 10m0s ahead of 2026-03-01T12:00:00Z): give the time the contribution happened"},
		{"no actor", func(r *bot.CreditRequest) { r.Actor = " " }, "actor",
			"actor is missing: say who asked for the change"},
		{"bad source", func(r *bot.CreditRequest) { r.Source = "email" }, "source",
			`source "email" is not github, discord or cli`},
		{"control in ref", func(r *bot.CreditRequest) { r.Ref = "a\nb" }, "ref",
			`ref "a\nb": use up to 200 printable characters, e.g. an invoice number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, l := newBot(t)
			r := valid
			tt.edit(&r)
			_, _, err := b.Credit(context.Background(), r)
			want := &bot.Error{Code: bot.CodeInvalid, Field: tt.field, Message: tt.message}
			if diff := cmp.Diff(want, err); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if members, _ := l.Members(context.Background()); len(members) != 0 {
				t.Errorf("a refused credit created %d members", len(members))
			}
		})
	}
}
