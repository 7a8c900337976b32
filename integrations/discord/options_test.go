package discord_test

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/discord/discordtest"
)

// TestBadOptions checks that a wrong option, whoever caught it (the router
// against the command's definition, or the bot's rules), is answered with
// an ephemeral error naming the option and saying what to do, and that
// nothing is stored.
func TestBadOptions(t *testing.T) {
	member := discordtest.UserOption("member", bob)
	points := discordtest.Int("points", 5)
	category := discordtest.String("category", "doc")
	note := discordtest.String("note", "a note")
	tests := []struct {
		name string
		cmd  string
		opts []discordtest.Option
		want string
	}{
		{"points below min", "credit", []discordtest.Option{member, discordtest.Int("points", 0), category, note},
			"**Option `points`**: points 0: give a whole number from 1 to 10000"},
		{"points above max", "credit", []discordtest.Option{member, discordtest.Int("points", 10001), category, note},
			"**Option `points`**: points 10001: give a whole number from 1 to 10000"},
		{"points not whole", "credit", []discordtest.Option{member, func(d *discordgo.ApplicationCommandInteractionData) {
			d.Options = append(d.Options, &discordgo.ApplicationCommandInteractionDataOption{Name: "points", Type: discordgo.ApplicationCommandOptionInteger, Value: 2.5})
		}, category, note}, "**Option `points`**: points must be a whole number"},
		{"points as text", "credit", []discordtest.Option{member, discordtest.String("points", "five"), category, note},
			"**Option `points`**: points must be a whole number: pick it again"},
		{"unknown category", "credit", []discordtest.Option{member, points, discordtest.String("category", "cooking"), note},
			"**Option `category`**: category \"cooking\": pick one of the offered choices"},
		{"missing note", "credit", []discordtest.Option{member, points, category},
			"**Option `note`**: note is missing: fill it in (what the contribution was)"},
		{"bad url", "credit", []discordtest.Option{member, points, category, note, discordtest.String("url", "ftp://x.org/a")},
			"**Option `url`**: url \"ftp://x.org/a\": give a full http:// or https:// address"},
		{"unknown option", "credit", []discordtest.Option{member, points, category, note, discordtest.String("colour", "red")},
			"/credit has no option colour: the command changed, run it again from Discord's command picker"},
		{"member not a user", "credit", []discordtest.Option{discordtest.String("member", "bob"), points, category, note},
			"**Option `member`**: member must be a member of the server"},
		{"bad entry", "revoke", []discordtest.Option{discordtest.String("entry", "last"), discordtest.String("reason", "why")},
			"**Option `entry`**: entry \"last\": give the entry's seq (a number) or its id"},
		{"missing entry", "revoke", []discordtest.Option{discordtest.String("entry", "42"), discordtest.String("reason", "why")},
			"**Option `entry`**: entry 42 does not exist"},
		{"bad window", "leaderboard", []discordtest.Option{discordtest.String("window", "1y")},
			"**Option `window`**: window \"1y\": pick one of the offered choices"},
		{"bad login", "link", []discordtest.Option{discordtest.String("github", "not a login")},
			"**Option `github`**: github \"not a login\": give a GitHub login, e.g. octocat"},
		{"short address", "wallet", []discordtest.Option{discordtest.String("address", "abc")},
			"**Option `address`**: address is 3 characters long: give 4 to 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			refusal(t, h.send(h.command(alice, tt.cmd, tt.opts...)), tt.want)
			if len(h.entries()) != 0 {
				t.Errorf("a refused /%s stored an entry", tt.cmd)
			}
		})
	}
}

// TestInternalErrorSaysWhatToDo checks that a failure that is not the
// caller's says so, points at /history, and leaks nothing.
func TestInternalErrorSaysWhatToDo(t *testing.T) {
	h := newHarness(t)
	if err := h.ledger.Close(); err != nil {
		t.Fatal(err)
	}
	i := h.command(bob, "rep")
	r := h.send(i)
	refusal(t, r, "Something went wrong on docracy's side. Check `/history`")
	if desc := r.Data.Embeds[0].Description; !strings.Contains(desc, i.ID) || strings.Contains(desc, "sql") {
		t.Errorf("internal error reply = %q, want the interaction id and no detail", desc)
	}
}
