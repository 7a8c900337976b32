package discord_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/integrations/github/githubtest"
)

// TestRealPayloads posts the payloads of testdata, written as Discord
// sends them (every field it sets today, nulls included), and checks each
// is understood.
func TestRealPayloads(t *testing.T) {
	h := newHarness(t)
	h.github.SetUser(githubtest.User{ID: 4242, Login: "bob-builds"})
	tests := []struct {
		file string
		want func(r *discordgo.InteractionResponse) bool
	}{
		{"ping.json", func(r *discordgo.InteractionResponse) bool { return r.Type == discordgo.InteractionResponsePong }},
		{"credit.json", func(r *discordgo.InteractionResponse) bool {
			return r.Data.Embeds[0].Title == "+5 doc points for Bob" && r.Data.Content == "<@100000000000000002>"
		}},
		{"praise.json", func(r *discordgo.InteractionResponse) bool { return r.Data.Embeds[0].Title == "Bob praised Carol" }},
		{"rep.json", func(r *discordgo.InteractionResponse) bool {
			return strings.HasPrefix(r.Data.Embeds[0].Description, "**Rank 1** · reputation **5.0**")
		}},
		{"leaderboard.json", func(r *discordgo.InteractionResponse) bool {
			return r.Data.Embeds[0].Title == "Leaderboard · last 30 days · code"
		}},
		{"link.json", func(r *discordgo.InteractionResponse) bool {
			return r.Data.Embeds[0].Title == "Prove that github:bob-builds is yours"
		}},
		{"wallet.json", func(r *discordgo.InteractionResponse) bool { return r.Data.Embeds[0].Title == "Payout address saved" }},
		{"revoke.json", func(r *discordgo.InteractionResponse) bool { return r.Data.Embeds[0].Title == "Entry e1 revoked" }},
		{"payout_cancel.json", func(r *discordgo.InteractionResponse) bool {
			return r.Type == discordgo.InteractionResponseUpdateMessage && r.Data.Content == "Nothing was closed." &&
				r.Data.Components != nil && len(r.Data.Components) == 0
		}},
		{"dm_rep.json", func(r *discordgo.InteractionResponse) bool {
			return r.Data.Flags == discordgo.MessageFlagsEphemeral && strings.Contains(r.Data.Embeds[0].Description, "not in direct messages")
		}},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		resp := h.post(body)
		var r discordgo.InteractionResponse
		err = decodeJSON(resp, &r)
		if err != nil || !tt.want(&r) {
			t.Errorf("%s: %s, %v, reply %s", tt.file, resp.Status, err, describe(&r))
		}
	}
}

func describe(r *discordgo.InteractionResponse) string {
	if r.Data == nil || len(r.Data.Embeds) == 0 {
		return fmt.Sprintf("type %d", r.Type)
	}
	return r.Data.Embeds[0].Title + ": " + r.Data.Embeds[0].Description
}
