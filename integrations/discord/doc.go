// Package discord connects docracy to Discord's slash commands.
//
// Interactions arrive by two transports, the gateway (a discordgo session
// opened with DISCORD_TOKEN, see Gateway) and the HTTP interactions endpoint
// (POST /discord/interactions, signed with the application's Ed25519 key,
// see Handler). Both hand the same *discordgo.Interaction to one Router,
// which checks it (a guild, a known command, the caller's roles, the
// options), acknowledges it, and handles it by calling the same bot use
// cases as the CLI. Work that outlasts about two seconds is deferred: the
// first answer is a deferral (type 5) and the result follows as an edit.
//
// Replies are embeds kept within Discord's limits (see Fit). Every error is
// ephemeral and names the option at fault and what to do. Allowed mentions
// let a reply ping at most the member it credits: never @everyone, @here or
// a role, whatever a note contains.
//
// /payout action:close never closes at once: it answers with the preview
// and a confirmation button. The click arrives as a message component
// interaction, is checked like a command (the treasurer role again), and
// is answered by replacing the message, buttons removed, so it cannot be
// clicked twice.
//
// /poll open posts a poll as a channel message with one button per option
// (custom id poll:<poll id>:<option index>, five to a row). A click votes
// as /vote does, under the interaction's idempotency key, and is answered
// ephemerally; the poll's message is edited with the live tally by a
// PollBoard, once per second at most however many votes come in. Which
// message shows a poll is working state kept beside the chain. Closing the
// poll, by /poll close or by serve's schedule, edits the message to the
// result, buttons removed, and posts the result with each college's figures.
//
// /link github:<login> is confirmed by a one-time code the member puts in
// their GitHub bio, read through bot.GitHubProfiles (the GitHub
// integration's client in production), or by a maintainer's /link member
// github.
//
// The Router reaches the bot through interfaces this package declares for
// what its commands need (Members, Recorder, Reader, Linker, Praiser,
// Treasury, Assembly, Digester), which *bot.Bot, *bot.Community,
// *bot.Treasury, *bot.Assembly and *bot.Digests implement: the package
// depends on bot alone, never on the ledger or the configuration, and
// discord.roles comes in as Roles.
//
// Calls to Discord's REST API (see NewSession and REST) time out, retry a
// 5xx with bounded backoff and a 429 a bounded number of times, so no
// goroutine waits on Discord forever.
package discord
