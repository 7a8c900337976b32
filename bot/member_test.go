package bot_test

import (
	"context"
	"testing"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

func TestResolveMember(t *testing.T) {
	b, _ := newBot(t)
	ctx := context.Background()
	alice, err := b.ResolveMember(ctx, "github:alice")
	if err != nil {
		t.Fatal(err)
	}
	want := []ledger.Account{{Platform: ledger.PlatformGitHub, Login: "alice"}}
	if diff := cmp.Diff(want, alice.Accounts); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}

	tests := []struct {
		name   string
		member int64
	}{
		{"github:alice", alice.ID},
		{"github:@Alice", alice.ID}, // logins are case insensitive
		{"1", alice.ID},
		{" github:alice ", alice.ID},
		{"discord:123456789012345678", alice.ID + 1}, // a new member
		{"discord:123456789012345678", alice.ID + 1}, // the same one again
	}
	for _, tt := range tests {
		m, err := b.ResolveMember(ctx, tt.name)
		if err != nil {
			t.Errorf("ResolveMember(%q): %v", tt.name, err)
			continue
		}
		if m.ID != tt.member {
			t.Errorf("ResolveMember(%q) = member %d, want %d", tt.name, m.ID, tt.member)
		}
	}
}

func TestResolveMemberErrors(t *testing.T) {
	b, _ := newBot(t)
	const help = "name a member as github:<login>, discord:<user id> or a member id"
	tests := []struct {
		name    string
		code    bot.Code
		message string
	}{
		{"", bot.CodeInvalid, "member is missing: " + help},
		{"alice", bot.CodeInvalid, `member "alice": ` + help},
		{"0", bot.CodeInvalid, `member "0": ` + help},
		{"-3", bot.CodeInvalid, `member "-3": ` + help},
		{"gitlab:alice", bot.CodeInvalid, `member "gitlab:alice": ` + help},
		{"github:", bot.CodeInvalid, `member "github:": ` + help},
		{"github:al ice", bot.CodeInvalid, `member "github:al ice": ` + help},
		{"discord:alice", bot.CodeInvalid, `member "discord:alice": ` + help},
		{"discord:99999999999999999999", bot.CodeInvalid, `member "discord:99999999999999999999": ` + help},
		{"42", bot.CodeNotFound, "member 42 does not exist"},
	}
	for _, tt := range tests {
		_, err := b.ResolveMember(context.Background(), tt.name)
		if got := bot.ErrorCode(err); got != tt.code {
			t.Errorf("ResolveMember(%q) code = %q, want %q (err %v)", tt.name, got, tt.code, err)
		}
		if got := bot.ErrorMessage(err); got != tt.message {
			t.Errorf("ResolveMember(%q) message = %q, want %q", tt.name, got, tt.message)
		}
	}
}

func TestFindMemberCreatesNothing(t *testing.T) {
	b, l := newBot(t)
	_, err := b.FindMember(context.Background(), "github:ghost")
	want := "no member holds github:ghost yet: a member appears with their first credit"
	if bot.ErrorCode(err) != bot.CodeNotFound || bot.ErrorMessage(err) != want {
		t.Errorf("FindMember = %v, want not found %q", err, want)
	}
	members, err := l.Members(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 0 {
		t.Errorf("FindMember created %d members", len(members))
	}
}
