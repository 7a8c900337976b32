// Package digest lays the weekly digest out for people: as plain text, for
// the log when Discord is off and for docracy digest preview, and as a PNG
// bar chart of the top contributors, which Discord shows in the digest's
// embed and docracy digest preview --png writes to a file. What is in a
// digest is bot's business (bot.BuildDigest); how it reads is this
// package's, so bot draws nothing.
//
// The Discord message itself, and its Markdown preview, are laid out by
// integrations/discord: they are a Discord embed within Discord's limits.
package digest

import (
	"fmt"
	"strings"

	"github.com/docracy/docracy/bot"
)

// Text lays d out as plain text: for the log when Discord is off, and for
// docracy digest preview.
func Text(d bot.Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "docracy digest, %s to %s\n", d.Start.Format("Mon 2 Jan 2006 15:04"), d.End.Format("Mon 2 Jan 2006 15:04 MST"))
	if d.Entries == 0 {
		b.WriteString("No contributions were recorded in this period.\n")
	} else {
		fmt.Fprintf(&b, "%s in %s by %s\n", plural(int(d.Points), "point"), plural(d.Entries, "contribution"), plural(d.Contributors, "member"))
	}
	if len(d.Newcomers) > 0 {
		fmt.Fprintf(&b, "Welcome to our newcomers: %s\n", oneLines(d.Newcomers))
	}
	if len(d.Top) > 0 {
		b.WriteString("\nTop contributors:\n")
		for i, m := range d.Top {
			fmt.Fprintf(&b, "%3d. %s: %d points (%s)\n", i+1, bot.OneLine(m.Name), m.Points, strings.Join(m.Categories, ", "))
		}
	}
	if len(d.Notable) > 0 {
		b.WriteString("\nNotable contributions:\n")
		for _, e := range d.Notable {
			fmt.Fprintf(&b, "  - %s, %d %s points: %s %s\n", bot.OneLine(e.Name), e.Points, e.Category, bot.OneLine(e.Note), e.URL)
		}
	}
	writeTotals(&b, "By category", d.Categories)
	writeTotals(&b, "By college", d.Colleges)
	if p := d.Payout; p != nil {
		fmt.Fprintf(&b, "\nPayout %s closed: %s %s shared among %s\n", p.Period, p.Budget, p.Currency, plural(p.Members, "member"))
	}
	writePolls(&b, "Polls opened", d.PollsOpened, bot.DigestPoll.Closing)
	writePolls(&b, "Polls closed", d.PollsClosed, bot.DigestPoll.Result)
	fmt.Fprintf(&b, "\nLedger head: seq %d, hash %s\n", d.Head.Seq, d.Head.Hash)
	return b.String()
}

// oneLines joins names, each shown as plain text on one line.
func oneLines(names []string) string {
	shown := make([]string, len(names))
	for i, n := range names {
		shown[i] = bot.OneLine(n)
	}
	return strings.Join(shown, ", ")
}

func writeTotals(b *strings.Builder, title string, totals []bot.DigestTotal) {
	if len(totals) == 0 {
		return
	}
	parts := make([]string, len(totals))
	for i, t := range totals {
		parts[i] = fmt.Sprintf("%s %d", t.Name, t.Points)
	}
	fmt.Fprintf(b, "%s: %s\n", title, strings.Join(parts, ", "))
}

func writePolls(b *strings.Builder, title string, polls []bot.DigestPoll, status func(bot.DigestPoll) string) {
	if len(polls) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", title)
	for _, p := range polls {
		fmt.Fprintf(b, "  - %s “%s” (%s): %s\n", p.ID, bot.OneLine(p.Question), p.Mode, status(p))
	}
}

// plural writes a count with its noun, in the plural when it is not 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
