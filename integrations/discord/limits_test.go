package discord_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/integrations/discord"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello!", 5, "hell…"},
		{"héllo wörld", 6, "héllo…"},
		{"a😀b", 4, "a😀b"}, // the emoji counts for two
		{"a😀bc", 4, "a😀…"},
		{"a😀b", 3, "a…"}, // the emoji does not fit beside the ellipsis
		{"abc", 0, ""},
		{"", 3, ""},
	}
	for _, tt := range tests {
		got := discord.Truncate(tt.s, tt.max)
		if got != tt.want || discord.Len(got) > tt.max {
			t.Errorf("Truncate(%q, %d) = %q (%d), want %q", tt.s, tt.max, got, discord.Len(got), tt.want)
		}
	}
}

func TestFit(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	fields := func(n, size int) []*discordgo.MessageEmbedField {
		var f []*discordgo.MessageEmbedField
		for i := range n {
			f = append(f, &discordgo.MessageEmbedField{Name: fmt.Sprint("f", i), Value: long(size)})
		}
		return f
	}
	tests := []struct {
		name    string
		content string
		embeds  []*discordgo.MessageEmbed
	}{
		{"long content", long(2500), nil},
		{"long texts", "", []*discordgo.MessageEmbed{{Title: long(300), Description: long(5000),
			Footer: &discordgo.MessageEmbedFooter{Text: long(3000)}, Author: &discordgo.MessageEmbedAuthor{Name: long(300)},
			Fields: []*discordgo.MessageEmbedField{{Name: long(300), Value: long(2000)}}}}},
		{"too many fields", "", []*discordgo.MessageEmbed{{Fields: fields(30, 10)}}},
		{"fields over the total", "", []*discordgo.MessageEmbed{{Description: long(3000), Fields: fields(25, 1000)}}},
		{"descriptions over the total", "", []*discordgo.MessageEmbed{{Description: long(4000)}, {Description: long(4000)}, {Description: long(4000)}}},
		{"too many embeds", "", func() []*discordgo.MessageEmbed {
			var e []*discordgo.MessageEmbed
			for range 12 {
				e = append(e, &discordgo.MessageEmbed{Title: "t"})
			}
			return e
		}()},
	}
	for _, tt := range tests {
		before := fmt.Sprintf("%+v", tt.embeds)
		content, embeds := discord.Fit(tt.content, tt.embeds)
		if got := fmt.Sprintf("%+v", tt.embeds); got != before {
			t.Errorf("%s: Fit changed its input", tt.name)
		}
		checkLimits(t, tt.name, content, embeds)
		if len(tt.embeds) > 0 && len(embeds) == 0 {
			t.Errorf("%s: Fit dropped every embed", tt.name)
		}
	}
	// What fits is left as it is.
	small := []*discordgo.MessageEmbed{{Title: "t", Description: "d", Fields: fields(3, 5)}}
	content, embeds := discord.Fit("c", small)
	if diff := cmp.Diff(small, embeds); content != "c" || diff != "" {
		t.Errorf("Fit changed what fits (-want +got):\n%s", diff)
	}
}

// checkLimits fails the test for anything over Discord's limits.
func checkLimits(t *testing.T, name, content string, embeds []*discordgo.MessageEmbed) {
	t.Helper()
	if discord.Len(content) > discord.MaxContentLen {
		t.Errorf("%s: content %d characters", name, discord.Len(content))
	}
	if len(embeds) > discord.MaxEmbeds || discord.EmbedsLen(embeds) > discord.MaxEmbedsTotalLen {
		t.Errorf("%s: %d embeds, %d characters", name, len(embeds), discord.EmbedsLen(embeds))
	}
	for _, e := range embeds {
		if discord.Len(e.Title) > discord.MaxTitleLen || discord.Len(e.Description) > discord.MaxDescriptionLen || len(e.Fields) > discord.MaxFields {
			t.Errorf("%s: embed over its limits: title %d, description %d, %d fields", name, discord.Len(e.Title), discord.Len(e.Description), len(e.Fields))
		}
		for _, f := range e.Fields {
			if discord.Len(f.Name) > discord.MaxFieldNameLen || discord.Len(f.Value) > discord.MaxFieldValueLen {
				t.Errorf("%s: field %d/%d characters", name, discord.Len(f.Name), discord.Len(f.Value))
			}
		}
		if e.Footer != nil && discord.Len(e.Footer.Text) > discord.MaxFooterLen || e.Author != nil && discord.Len(e.Author.Name) > discord.MaxAuthorNameLen {
			t.Errorf("%s: footer or author over the limit", name)
		}
	}
}
