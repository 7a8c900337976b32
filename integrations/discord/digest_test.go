package discord_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/ledger/ledgertest"
)

var updateDigest = flag.Bool("update-digest", false, "rewrite the digest golden files")

func TestRenderDigestGolden(t *testing.T) {
	d, err := bot.BuildDigest(context.Background(), ledgertest.Sample(t), ledgertest.SampleStart, ledgertest.SampleEnd, 10)
	if err != nil {
		t.Fatal(err)
	}
	msg := discord.RenderDigest(d)
	got, err := json.MarshalIndent(msg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	checkDigestGolden(t, "digest.golden.json", string(got)+"\n")
	checkDigestGolden(t, "digest.golden.md", discord.DigestMarkdown(msg))
	if !strings.Contains(msg.Embeds[0].Description, `\*carol\*\_`) {
		t.Errorf("a name's Markdown is not escaped: %s", msg.Embeds[0].Description)
	}
}

func checkDigestGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateDigest {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

// TestRenderDigestWithinLimits gives the digest far more than fits: 200
// newcomers and top contributors with 80-character names full of Markdown
// and mentions, and long notes.
func TestRenderDigestWithinLimits(t *testing.T) {
	d := bot.Digest{Start: ledgertest.SampleStart, End: ledgertest.SampleEnd, Points: 200 * 7, Entries: 400, Contributors: 200}
	for i := range 200 {
		name := fmt.Sprintf("**@everyone** _%03d_ [link](http://x) <@&123> %s", i, strings.Repeat("é", 40))[:80]
		d.Newcomers = append(d.Newcomers, name)
		d.Top = append(d.Top, bot.DigestMember{Member: int64(i + 1), Name: name, Points: 7, Categories: []string{"code", "doc", "review"}})
		d.Notable = append(d.Notable, bot.DigestEntry{Name: name, Points: 7, Category: "code", Note: strings.Repeat("note ", 100), URL: "https://github.com/coop/x/pull/1"})
		d.Categories = append(d.Categories, bot.DigestTotal{Name: fmt.Sprint("category", i), Points: 7})
		d.Colleges = append(d.Colleges, bot.DigestTotal{Name: fmt.Sprint("college", i), Points: 7})
	}
	msg := discord.RenderDigest(d)
	if n := discord.Len(msg.Content); n > discord.MaxContentLen {
		t.Errorf("content is %d characters", n)
	}
	if n := discord.EmbedsLen(msg.Embeds); n > discord.MaxEmbedsTotalLen {
		t.Errorf("embeds total %d characters", n)
	}
	for _, e := range msg.Embeds {
		if discord.Len(e.Description) > discord.MaxDescriptionLen || len(e.Fields) > discord.MaxFields {
			t.Errorf("embed over its limits: %d description, %d fields", discord.Len(e.Description), len(e.Fields))
		}
		for _, f := range e.Fields {
			if discord.Len(f.Value) > discord.MaxFieldValueLen {
				t.Errorf("field %q is %d characters", f.Name, discord.Len(f.Value))
			}
		}
	}
	top := msg.Embeds[0].Fields[0]
	if top.Name != "Top contributors" || !strings.Contains(top.Value, "more") {
		t.Errorf("the cut list does not say how many were left out: %q", top.Value)
	}
	if !strings.Contains(msg.Embeds[0].Description, "…and ") {
		t.Errorf("the newcomers list does not say how many were left out")
	}
	if len(msg.AllowedMentions.Parse) != 0 || len(msg.AllowedMentions.Users) != 0 || len(msg.AllowedMentions.Roles) != 0 {
		t.Errorf("allowed mentions %+v: the digest must ping nobody", msg.AllowedMentions)
	}
	if strings.Contains(msg.Embeds[0].Description, "@everyone") {
		t.Error("@everyone is not defused")
	}
}
