package discord

import (
	"fmt"
	"strings"
	"time"

	"github.com/docracy/docracy/bot"
)

// markdown are the characters Discord's markdown reads; a member's note
// shows them as typed, so it can neither format a reply nor hide a link
// behind other words.
var markdown = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`, "<", `\<`,
	"#", `\#`, "-", `\-`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`, "@", "@\u200b",
)

// escape makes member-written text safe to show in a reply, as plain text
// on one line (see bot.PlainText). A zero-width space after @ keeps
// "@everyone" from reading as a mention even where allowed mentions would
// not apply.
func escape(s string) string { return markdown.Replace(bot.PlainText(s)) }

// linkTarget percent-encodes what would end or break a Markdown link's
// target: a ")" closes it early, and a space, "<" or ">" stop Discord
// from reading it as a link at all. The encoded URL names the same page.
var linkTarget = strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E")

// link renders a Markdown link to url showing text, which must already be
// escaped. Every Markdown link docracy writes goes through it.
func link(text, url string) string { return "[" + text + "](" + linkTarget.Replace(url) + ")" }

// mention renders a user mention; it pings only if allowed mentions say so.
func mention(userID string) string { return "<@" + userID + ">" }

// timestamp renders t in each reader's own time zone and language.
func timestamp(t time.Time, style string) string {
	return fmt.Sprintf("<t:%d:%s>", t.Unix(), style)
}

// signed shows points with their sign: +5, -3.
func signed(points int64) string { return fmt.Sprintf("%+d", points) }

// count says "1 point", "5 points".
func count(n int64, unit string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// points says "+5 doc points", "-1 code point".
func points(n int64, category string) string {
	unit := "points"
	if n == 1 || n == -1 {
		unit = "point"
	}
	return fmt.Sprintf("%s %s %s", signed(n), category, unit)
}

// entryLine is one entry in a list: id, date, points and category, and
// the start of its note.
func entryLine(e bot.Entry) string {
	line := fmt.Sprintf("`%s` %s · **%s** %s", e.ID, timestamp(e.OccurredAt, "d"), signed(e.Points), e.Category)
	switch e.Kind {
	case bot.KindLink:
		line = fmt.Sprintf("`%s` %s · account linked", e.ID, timestamp(e.OccurredAt, "d"))
	case bot.KindPayout: // the note says the amount
		line = fmt.Sprintf("`%s` %s · **payout**", e.ID, timestamp(e.OccurredAt, "d"))
	}
	if e.Kind == bot.KindPraise {
		line += " (praise)"
	}
	if note := strings.Join(strings.Fields(e.Note), " "); note != "" {
		line += " — " + escape(Truncate(note, 80))
	}
	return line
}
