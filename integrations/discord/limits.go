package discord

import (
	"unicode/utf16"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits on a message, in characters. A message over any of
// them is refused whole, so a reply built from members' notes must be cut
// to fit before it is sent.
const (
	MaxContentLen     = 2000
	MaxEmbeds         = 10
	MaxEmbedsTotalLen = 6000 // titles, descriptions, fields, footers and authors of all embeds
	MaxTitleLen       = 256
	MaxDescriptionLen = 4096
	MaxFields         = 25
	MaxFieldNameLen   = 256
	MaxFieldValueLen  = 1024
	MaxFooterLen      = 2048
	MaxAuthorNameLen  = 256
)

// ellipsis ends a cut text, so a reader knows there was more.
const ellipsis = "…"

// Len counts s as Discord does at worst, in UTF-16 code units: an emoji
// outside the Basic Multilingual Plane counts for two. Counting high never
// lets a text through that Discord would refuse.
func Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Truncate cuts s to at most max characters (as Len counts them), at a
// rune boundary, ending with an ellipsis when anything was cut.
func Truncate(s string, max int) string {
	if Len(s) <= max {
		return s
	}
	if max <= 0 {
		return ""
	}
	budget := max - Len(ellipsis)
	n := 0
	for i, r := range s {
		if n+utf16.RuneLen(r) > budget {
			return s[:i] + ellipsis
		}
		n += utf16.RuneLen(r)
	}
	return s // not reached: Len(s) > max
}

// EmbedsLen is what Discord counts against MaxEmbedsTotalLen.
func EmbedsLen(embeds []*discordgo.MessageEmbed) int {
	n := 0
	for _, e := range embeds {
		n += Len(e.Title) + Len(e.Description)
		for _, f := range e.Fields {
			n += Len(f.Name) + Len(f.Value)
		}
		if e.Footer != nil {
			n += Len(e.Footer.Text)
		}
		if e.Author != nil {
			n += Len(e.Author.Name)
		}
	}
	return n
}

// Fit returns content and copies of embeds cut to Discord's limits: each
// text to its own limit, at most MaxEmbeds embeds of MaxFields fields, and
// then, while the embeds together pass MaxEmbedsTotalLen, the last fields
// dropped, then descriptions shortened, then the last embeds dropped. The
// embeds passed in are not changed.
func Fit(content string, embeds []*discordgo.MessageEmbed) (string, []*discordgo.MessageEmbed) {
	content = Truncate(content, MaxContentLen)
	if len(embeds) > MaxEmbeds {
		embeds = embeds[:MaxEmbeds]
	}
	out := make([]*discordgo.MessageEmbed, len(embeds))
	for i, e := range embeds {
		out[i] = fitEmbed(e)
	}
	for EmbedsLen(out) > MaxEmbedsTotalLen {
		if !dropLastField(out) {
			break
		}
	}
	if excess := EmbedsLen(out) - MaxEmbedsTotalLen; excess > 0 {
		shortenDescriptions(out, excess)
	}
	for EmbedsLen(out) > MaxEmbedsTotalLen && len(out) > 1 {
		out = out[:len(out)-1]
	}
	return content, out
}

// fitEmbed copies e with every text within its own limit.
func fitEmbed(e *discordgo.MessageEmbed) *discordgo.MessageEmbed {
	c := *e
	c.Title = Truncate(c.Title, MaxTitleLen)
	c.Description = Truncate(c.Description, MaxDescriptionLen)
	fields := c.Fields
	if len(fields) > MaxFields {
		fields = fields[:MaxFields]
	}
	c.Fields = make([]*discordgo.MessageEmbedField, len(fields))
	for i, f := range fields {
		c.Fields[i] = &discordgo.MessageEmbedField{
			Name: Truncate(f.Name, MaxFieldNameLen), Value: Truncate(f.Value, MaxFieldValueLen), Inline: f.Inline,
		}
	}
	if c.Footer != nil {
		footer := *c.Footer
		footer.Text = Truncate(footer.Text, MaxFooterLen)
		c.Footer = &footer
	}
	if c.Author != nil {
		author := *c.Author
		author.Name = Truncate(author.Name, MaxAuthorNameLen)
		c.Author = &author
	}
	return &c
}

// dropLastField removes the last field of the last embed that has one.
func dropLastField(embeds []*discordgo.MessageEmbed) bool {
	for i := len(embeds) - 1; i >= 0; i-- {
		if n := len(embeds[i].Fields); n > 0 {
			embeds[i].Fields = embeds[i].Fields[:n-1]
			return true
		}
	}
	return false
}

// shortenDescriptions takes excess characters off descriptions, last
// embed first.
func shortenDescriptions(embeds []*discordgo.MessageEmbed, excess int) {
	for i := len(embeds) - 1; i >= 0 && excess > 0; i-- {
		d := embeds[i].Description
		if d == "" {
			continue
		}
		keep := max(0, Len(d)-excess-Len(ellipsis))
		cut := Truncate(d, keep+Len(ellipsis))
		if keep == 0 {
			cut = ""
		}
		excess -= Len(d) - Len(cut)
		embeds[i].Description = cut
	}
}
