package main

import (
	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/digest"
	"github.com/docracy/docracy/integrations/discord"
)

// digestFormats are the layouts digest preview prints: plain text, the
// exact Discord message payload, or that message as Markdown.
var digestFormats = []string{"text", "json", "markdown"}

func printDigest(e *env, d bot.Digest, format string) error {
	switch format {
	case "json":
		return writeJSON(e.stdout, discord.RenderDigest(d))
	case "markdown":
		_, err := e.stdout.Write([]byte(discord.DigestMarkdown(discord.RenderDigest(d))))
		return err
	}
	_, err := e.stdout.Write([]byte(digest.Text(d)))
	return err
}
