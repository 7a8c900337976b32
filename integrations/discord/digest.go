package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
)

// DigestMessage is a digest as Discord receives it: the JSON of a message
// create (or webhook execute) request. discordgo's MessageSend has no
// nonce, so the digest brings its own type.
type DigestMessage struct {
	Content         string                            `json:"content"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	Attachments     []digestAttachment                `json:"attachments,omitempty"`
	Nonce           string                            `json:"nonce,omitempty"`
	EnforceNonce    bool                              `json:"enforce_nonce,omitempty"`
}

type digestAttachment struct {
	ID       int    `json:"id"`
	Filename string `json:"filename"`
}

// chartFile is the name the chart is attached under; the embed shows it.
const chartFile = "digest.png"

// digestColor is the embeds' side bar.
const digestColor = 0x2b6cb0

// RenderDigest lays a digest out as a Discord message within every limit:
// lists too long for their field end with "…and N more". Nobody is pinged:
// names are escaped and allowed mentions parse nothing.
func RenderDigest(d bot.Digest) DigestMessage {
	content := fmt.Sprintf("**docracy digest** · %s to %s", d.Start.Format("2 Jan"), d.End.Format("2 Jan 2006"))
	summary := &discordgo.MessageEmbed{
		Title:       "What we did this period",
		Description: digestDescription(d),
		Color:       digestColor,
		Fields:      digestFields(d),
		Image:       &discordgo.MessageEmbedImage{URL: "attachment://" + chartFile},
		Footer:      &discordgo.MessageEmbedFooter{Text: fmt.Sprintf("Ledger head: seq %d · %s", d.Head.Seq, d.Head.Hash)},
	}
	content, embeds := Fit(content, []*discordgo.MessageEmbed{summary})
	return DigestMessage{Content: content, Embeds: embeds,
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}}
}

func digestDescription(d bot.Digest) string {
	if d.Entries == 0 {
		return "No contributions were recorded in this period."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** in **%s** by **%s**.", count(d.Points, "point"), count(int64(d.Entries), "contribution"), count(int64(d.Contributors), "member"))
	if len(d.Newcomers) > 0 {
		names := make([]string, len(d.Newcomers))
		for i, n := range d.Newcomers {
			names[i] = "**" + escape(n) + "**"
		}
		b.WriteString("\n\nWelcome to our newcomers: ")
		b.WriteString(listWithin(names, ", ", 1500))
	}
	if len(d.Notable) > 0 {
		lines := make([]string, len(d.Notable))
		for i, e := range d.Notable {
			lines[i] = fmt.Sprintf("• %s by %s, %s", link(escape(Truncate(bot.OneLine(e.Note), 100)), e.URL), escape(e.Name), points(e.Points, e.Category))
		}
		b.WriteString("\n\n**Notable contributions**\n")
		b.WriteString(listWithin(lines, "\n", 2000))
	}
	return b.String()
}

func digestFields(d bot.Digest) []*discordgo.MessageEmbedField {
	var fields []*discordgo.MessageEmbedField
	add := func(name string, items []string, sep string, inline bool) {
		if len(items) > 0 {
			fields = append(fields, &discordgo.MessageEmbedField{Name: name, Value: listWithin(items, sep, MaxFieldValueLen), Inline: inline})
		}
	}
	top := make([]string, len(d.Top))
	for i, m := range d.Top {
		top[i] = fmt.Sprintf("%d. **%s**: %d (%s)", i+1, escape(Truncate(m.Name, 80)), m.Points, strings.Join(m.Categories, ", "))
	}
	add("Top contributors", top, "\n", false)
	// Decisions come before the totals: when the message must be cut, the
	// last fields go first.
	if len(d.PollsOpened) > 0 {
		fields = append(fields, pollField("Polls opened", d.PollsOpened, bot.DigestPoll.Closing))
	}
	if len(d.PollsClosed) > 0 {
		fields = append(fields, pollField("Polls closed", d.PollsClosed, bot.DigestPoll.Result))
	}
	add("By category", totals(d.Categories), "\n", true)
	add("By college", totals(d.Colleges), "\n", true)
	if p := d.Payout; p != nil {
		add("Payout closed", []string{fmt.Sprintf("%s: %s %s to %s", p.Period, p.Budget, p.Currency, count(int64(p.Members), "member"))}, "", false)
	}
	return fields
}

// pollFieldLen bounds a field of polls, so that with a full description
// and top list both poll fields still fit in the 6000 characters of the
// embeds.
const pollFieldLen = 500

func pollField(name string, polls []bot.DigestPoll, status func(bot.DigestPoll) string) *discordgo.MessageEmbedField {
	lines := make([]string, len(polls))
	for i, p := range polls {
		lines[i] = fmt.Sprintf("**%s** %s (%s): %s", p.ID, escape(Truncate(bot.OneLine(p.Question), 100)), p.Mode, status(p))
	}
	return &discordgo.MessageEmbedField{Name: name, Value: listWithin(lines, "\n", pollFieldLen)}
}

func totals(ts []bot.DigestTotal) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = fmt.Sprintf("%s: %d", escape(t.Name), t.Points)
	}
	return out
}

// listWithin joins as many items as fit in max characters and says how many
// were left out.
func listWithin(items []string, sep string, max int) string {
	var b strings.Builder
	for i, item := range items {
		more := fmt.Sprintf("%s…and %d more", sep, len(items)-i)
		if Len(b.String())+Len(sep)+Len(item)+Len(more) > max && i < len(items)-1 ||
			Len(b.String())+Len(sep)+Len(item) > max {
			if i == 0 {
				return Truncate(item, max)
			}
			b.WriteString(more)
			return b.String()
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(item)
	}
	return b.String()
}

// DigestMarkdown writes a digest message as Markdown, for previews.
func DigestMarkdown(m DigestMessage) string {
	var b strings.Builder
	b.WriteString(m.Content + "\n")
	for _, e := range m.Embeds {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", e.Title, e.Description)
		for _, f := range e.Fields {
			fmt.Fprintf(&b, "\n**%s**\n%s\n", f.Name, f.Value)
		}
		if e.Image != nil {
			fmt.Fprintf(&b, "\n![chart](%s)\n", strings.TrimPrefix(e.Image.URL, "attachment://"))
		}
		if e.Footer != nil {
			fmt.Fprintf(&b, "\n_%s_\n", e.Footer.Text)
		}
	}
	return b.String()
}

// DigestPoster posts digests with their chart: to a channel with the bot
// token, or through a channel webhook.
type DigestPoster struct {
	REST     *REST
	endpoint string // where the message is created
	bucket   string // discordgo's rate-limit bucket for it
	nonce    bool   // whether the endpoint honours enforce_nonce

	// Chart draws the picture posted with a digest. The caller passes the
	// digest package's renderer, so that this package depends on bot alone;
	// without it the digest goes out as text.
	Chart func(bot.Digest) ([]byte, error)
}

var _ bot.Poster = (*DigestPoster)(nil)

// ChannelPoster posts to a channel as the bot. Channel messages honour
// enforce_nonce: a retry after a crash returns the first message.
func ChannelPoster(r *REST, channelID string) *DigestPoster {
	endpoint := discordgo.EndpointChannelMessages(channelID)
	return &DigestPoster{REST: r, endpoint: endpoint, bucket: endpoint, nonce: true}
}

// WebhookPoster posts through a channel webhook URL
// (https://discord.com/api/webhooks/ID/TOKEN), with no bot token.
func WebhookPoster(r *REST, webhookURL string) (*DigestPoster, error) {
	u, err := url.Parse(webhookURL)
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if err != nil || len(parts) < 4 || parts[len(parts)-3] != "webhooks" {
		return nil, fmt.Errorf("discord.webhook_url: want https://discord.com/api/webhooks/ID/TOKEN")
	}
	id, token := parts[len(parts)-2], parts[len(parts)-1]
	endpoint := discordgo.EndpointWebhookToken(id, token)
	return &DigestPoster{REST: r, endpoint: endpoint + "?wait=true", bucket: discordgo.EndpointWebhookToken(id, "")}, nil
}

// PostDigest posts d with its chart; nonce makes a repeat of the same
// period a no-op where Discord supports it.
func (p *DigestPoster) PostDigest(ctx context.Context, d bot.Digest, nonce string) (string, error) {
	msg := RenderDigest(d)
	if p.nonce {
		msg.Nonce, msg.EnforceNonce = nonce, true
	}
	contentType, body, err := p.body(msg, d)
	if err != nil {
		return "", err
	}
	var created discordgo.Message
	err = p.REST.call(ctx, "post digest", func(o ...discordgo.RequestOption) error {
		resp, err := p.REST.Session.RequestRaw("POST", p.endpoint, contentType, body, p.bucket, 0, o...)
		if err != nil {
			return err
		}
		return json.Unmarshal(resp, &created)
	})
	return created.ID, err
}

// body is the multipart request that carries msg and, when p draws one,
// the digest's chart.
func (p *DigestPoster) body(msg DigestMessage, d bot.Digest) (string, []byte, error) {
	var files []*discordgo.File
	if p.Chart != nil {
		chart, err := p.Chart(d)
		if err != nil {
			return "", nil, err
		}
		msg.Attachments = []digestAttachment{{ID: 0, Filename: chartFile}}
		files = append(files, &discordgo.File{Name: chartFile, ContentType: "image/png", Reader: bytes.NewReader(chart)})
	}
	contentType, body, err := discordgo.MultipartBodyWithJSON(msg, files)
	if err != nil {
		return "", nil, fmt.Errorf("digest body: %w", err)
	}
	return contentType, body, nil
}
