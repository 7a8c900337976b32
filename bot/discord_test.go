package bot_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
)

// TestDiscordMember checks first use: a member appears once, named as on
// Discord, and an account the CLI credited first keeps its member.
func TestDiscordMember(t *testing.T) {
	b, l := newBot(t)
	ctx := context.Background()
	credit(t, b, "discord:42", 1, "code", 0)
	for _, u := range []struct{ id, name string }{{"7", "Dana"}, {"7", "Dana R."}, {"42", "Zed"}} {
		if _, err := b.DiscordMember(ctx, u.id, u.name); err != nil {
			t.Fatal(err)
		}
	}
	members, _ := l.Members(ctx)
	var names []string
	for _, m := range members {
		names = append(names, m.Name)
	}
	if diff := cmp.Diff([]string{"discord:42", "Dana"}, names); diff != "" {
		t.Errorf("members (-want +got):\n%s", diff)
	}
	_, err := b.DiscordMember(ctx, "not-a-snowflake", "x")
	if diff := cmp.Diff(&bot.Error{Code: bot.CodeInvalid, Field: "member", Message: `discord user id "not-a-snowflake": expected digits only`}, err); diff != "" {
		t.Errorf("bad id (-want +got):\n%s", diff)
	}
}
