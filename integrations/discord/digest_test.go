package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/docracy/docracy/digest"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/bot/bottest"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

func TestRenderDigestGolden(t *testing.T) {
	d, err := bot.BuildDigest(context.Background(), bottest.SampleWithPolls(t), ledgertest.SampleStart, ledgertest.SampleEnd, 10)
	if err != nil {
		t.Fatal(err)
	}
	msg := discord.RenderDigest(d)
	got, err := json.MarshalIndent(msg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "testdata/digest.golden.json", append(got, '\n'))
	testkit.Golden(t, "testdata/digest.golden.md", []byte(discord.DigestMarkdown(msg)))
	if !strings.Contains(msg.Embeds[0].Description, `\*carol\*\_`) {
		t.Errorf("a name's Markdown is not escaped: %s", msg.Embeds[0].Description)
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
		closes := ledgertest.SampleEnd.Add(time.Duration(i) * time.Hour)
		question := name + strings.Repeat(" and then?", 30)
		d.PollsOpened = append(d.PollsOpened, bot.DigestPoll{ID: fmt.Sprint("e", i+1), Question: question, Mode: "college", ClosesAt: &closes})
		d.PollsClosed = append(d.PollsClosed, bot.DigestPoll{ID: fmt.Sprint("e", i+1000), Question: question, Mode: "member",
			Outcome: "adopted", Adopted: "yes", AdoptedPercent: "66.67", ParticipationPercent: "12.50"})
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
	// The polls come right after the top list, and are never the fields
	// dropped to fit.
	fields := msg.Embeds[0].Fields
	for i, name := range []string{"Polls opened", "Polls closed"} {
		if len(fields) < 2+i {
			t.Errorf("%d fields: %s was dropped", len(fields), name)
		} else if f := fields[1+i]; f.Name != name || !strings.Contains(f.Value, "…and ") || strings.Contains(f.Value, "@everyone**") {
			t.Errorf("field %d is %q: %q, want %s, cut, escaped", 1+i, f.Name, f.Value, name)
		}
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

func sampleDigest(t *testing.T) bot.Digest {
	t.Helper()
	d, err := bot.BuildDigest(context.Background(), ledgertest.Sample(t), ledgertest.SampleStart, ledgertest.SampleEnd, 10)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDigestPosterRetries(t *testing.T) {
	tests := []struct {
		name    string
		failure discordtest.Failure
		minWait time.Duration
	}{
		{"server error then success", discordtest.Failure{Method: "POST", Path: "/api/v9/channels/", Status: 500, Times: 1}, 0},
		{"rate limited", discordtest.Failure{Method: "POST", Path: "/api/v9/channels/", Status: 429, RetryAfter: 0.2, Times: 1,
			Header: http.Header{"X-RateLimit-Reset-After": {"0.2"}, "X-RateLimit-Remaining": {"0"}, "X-RateLimit-Bucket": {"digest"}}}, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := discordtest.New(t)
			fake.Fail(tt.failure)
			poster := discord.ChannelPoster(newREST(t, fake, nil), "1234")
			poster.Chart = digest.Chart
			start := time.Now()
			id, err := poster.PostDigest(context.Background(), sampleDigest(t), "digest-1")
			if err != nil {
				t.Fatal(err)
			}
			if waited := time.Since(start); waited < tt.minWait {
				t.Errorf("posted after %s, before the %s Discord asked for", waited, tt.minWait)
			}
			msgs := fake.Messages()
			if len(msgs) != 1 || id == "" {
				t.Fatalf("%d messages (id %q), want 1", len(msgs), id)
			}
			m := msgs[0]
			if diff := cmp.Diff([]string{"digest.png"}, m.Files); diff != "" {
				t.Errorf("attachments (-want +got):\n%s", diff)
			}
			if m.Nonce != "digest-1" || len(m.Embeds) != 1 || m.Embeds[0].Image.URL != "attachment://digest.png" {
				t.Errorf("message = %+v", m)
			}
			if len(m.AllowedMentions.Parse) != 0 {
				t.Errorf("allowed mentions %+v", m.AllowedMentions)
			}
		})
	}
}

func TestDigestPosterGivesUpOnAStuck429(t *testing.T) {
	fake := discordtest.New(t)
	fake.Fail(discordtest.Failure{Path: "/api/v9/channels/", Status: 429, RetryAfter: 3600, Times: -1})
	_, err := discord.ChannelPoster(newREST(t, fake, nil), "1234").PostDigest(context.Background(), sampleDigest(t), "digest-1")
	if err == nil || len(fake.Messages()) != 0 {
		t.Errorf("err = %v, %d messages; want a prompt failure", err, len(fake.Messages()))
	}
}

func TestWebhookPoster(t *testing.T) {
	fake := discordtest.New(t)
	poster, err := discord.WebhookPoster(newREST(t, fake, nil), "https://discord.com/api/webhooks/42/s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poster.PostDigest(context.Background(), sampleDigest(t), "digest-1"); err != nil {
		t.Fatal(err)
	}
	var posted []discordtest.Call
	for _, c := range fake.Calls() {
		if c.Method == "POST" {
			posted = append(posted, c)
		}
	}
	if len(posted) != 1 || posted[0].Path != "/api/v9/webhooks/42/s3cret" {
		t.Errorf("calls = %+v", posted)
	}
	if _, err := discord.WebhookPoster(nil, "https://example.org/hook"); err == nil {
		t.Error("a URL that is not a Discord webhook was accepted")
	}
}

// crashingStore loses the record of the first digest, as a crash between
// the post and the record would.
type crashingStore struct {
	*ledger.Ledger
	crashed bool
}

func (s *crashingStore) RecordDigest(ctx context.Context, r ledger.DigestRecord) error {
	if !s.crashed {
		s.crashed = true
		return errors.New("killed")
	}
	return s.Ledger.RecordDigest(ctx, r)
}

// TestDigestCrashAfterPostDoesNotPostTwice runs the scheduler against the
// fake Discord, loses the record after the post, and restarts: the nonce
// makes Discord return the first message instead of a second.
func TestDigestCrashAfterPostDoesNotPostTwice(t *testing.T) {
	ctx := context.Background()
	fake := discordtest.New(t)
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, paris)
	clock := func() time.Time { return now }
	l := ledgertest.Open(t, clock)
	schedule, _ := cron.ParseStandard("CRON_TZ=Europe/Paris 0 9 * * MON")
	run := func(store bot.DigestStore) error {
		s := &bot.DigestScheduler{Digests: &bot.Digests{Ledger: l, Schedule: schedule, Top: 10}, Store: store,
			Poster: discord.ChannelPoster(newREST(t, fake, nil), "1234"), Now: clock, After: time.After, Backoff: time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
		return s.PostDue(ctx)
	}
	run(l) // first start: nothing due yet
	now = time.Date(2026, 11, 9, 9, 0, 5, 0, paris)
	if err := run(&crashingStore{Ledger: l}); err == nil {
		t.Fatal("the lost record went unnoticed")
	}
	if err := run(l); err != nil { // the restart
		t.Fatal(err)
	}
	if n := len(fake.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if _, err := l.LastDigest(ctx); err != nil {
		t.Errorf("the restart did not record the digest: %v", err)
	}
}

// TestDigestLinkKeepsWholeURL checks that a credit URL holding "(", ")",
// spaces, "<" and ">" stays one Markdown link in the digest, pointing at
// the whole URL: a raw ")" would end the link early and show the rest as
// text.
func TestDigestLinkKeepsWholeURL(t *testing.T) {
	d := sampleDigest(t)
	const raw = "https://wiki.example/Doc_(draft) v2/<intro>"
	d.Notable = []bot.DigestEntry{{Seq: 1, Name: "Alice", Points: 5, Category: "doc", Note: "wrote the intro", URL: raw}}
	desc := discord.RenderDigest(d).Embeds[0].Description
	// A Markdown link's target runs to the first ")" and cannot hold a space.
	target := regexp.MustCompile(`\[wrote the intro\]\(([^)\s]*)\)`).FindStringSubmatch(desc)
	const want = "https://wiki.example/Doc_%28draft%29%20v2/%3Cintro%3E"
	if target == nil || target[1] != want {
		t.Fatalf("link target = %q, want %q in:\n%s", target, want, desc)
	}
	if u, err := url.Parse(want); err != nil || u.Path != "/Doc_(draft) v2/<intro>" {
		t.Errorf("the encoded target names another page: %v %v", u, err)
	}
}
