// Package github connects docracy to GitHub.
//
// Handler serves POST /github/webhook. Each delivery is first checked (method,
// size, the "sha256=" HMAC of the raw body, the event and delivery headers,
// a JSON object for a payload), then handled: go-github's ParseWebHook decodes it, a
// merged pull request or a submitted review is normalised into a bot
// request, and the answer goes out only once the credit is committed, so
// that a 2xx means stored. Every other event is answered 204 and ignored.
//
// Client reads closed pull requests and their reviews through the REST API,
// page by page, waiting out rate limits and retrying server errors; it is
// the bot.PRSource of reconcile and backfill. The same client reads the
// public profiles that /link checks (bot.GitHubProfiles), so that one
// github.api_url reaches one API root. Reconciler runs reconcile over
// every configured repository at start-up and on a cron schedule.
//
// Whatever path a pull request comes by (webhook, redelivery, reconcile,
// backfill), the bot credits it under the same natural key, so it is
// credited once.
package github
