// Package discord will connect docracy to Discord: the slash commands, over
// the gateway (DISCORD_TOKEN) or the signed HTTP interactions endpoint
// (DISCORD_PUBLIC_KEY), and the posting of the digest. Each command calls
// the same bot function as its CLI counterpart and answers errors with an
// ephemeral message saying what to fix.
//
// It may hold little yet: serve reports these parts as not available in
// this version when their secret is set.
package discord
