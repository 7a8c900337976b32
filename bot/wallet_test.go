package bot_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
)

func TestSetWallet(t *testing.T) {
	c, l, _ := newCommunity(t)
	ctx := context.Background()
	m, err := c.Bot.DiscordMember(ctx, "7", "Dana")
	if err != nil {
		t.Fatal(err)
	}
	masked, err := c.SetWallet(ctx, "discord:7", "  FR76 3000 1007 9412 3456 7890 185 ")
	if err != nil || masked != "•••0185" {
		t.Errorf("SetWallet = %q, %v", masked, err)
	}
	got, _ := l.Member(ctx, m.ID)
	if got.PayoutAddress != "FR76 3000 1007 9412 3456 7890 185" {
		t.Errorf("payout address = %q", got.PayoutAddress)
	}
	tests := []struct {
		member, address string
		want            *bot.Error
	}{
		{"discord:7", "abc", &bot.Error{Code: bot.CodeInvalid, Field: "address", Message: "address is 3 characters long: give your IBAN or wallet address, 4 to 200 characters"}},
		{"discord:7", "abc\x00def", &bot.Error{Code: bot.CodeInvalid, Field: "address", Message: "address: use printable characters only"}},
		{"discord:8", "0x52908400098527886E0F7030069857D2E4169EE7", &bot.Error{Code: bot.CodeNotFound, Field: "member", Message: "no member holds discord:8 yet: a member appears with their first credit"}},
	}
	for _, tt := range tests {
		_, err := c.SetWallet(ctx, tt.member, tt.address)
		if diff := cmp.Diff(tt.want, err); diff != "" {
			t.Errorf("SetWallet(%q, %q) (-want +got):\n%s", tt.member, tt.address, diff)
		}
	}
	if a := bot.MaskAddress("abc"); a != "•••" {
		t.Errorf("MaskAddress(abc) = %q", a)
	}
}
