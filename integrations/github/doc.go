// Package github will connect docracy to GitHub: the signed webhook
// (POST /github/webhook) that turns merged pull requests and reviews into
// credits, and the reconcile and backfill passes that read the REST API to
// catch up what the webhooks missed. Every event is normalised into a bot
// request with its natural idempotency key, so nothing is credited twice.
//
// It may hold little yet: serve reports the webhook as not available in
// this version when GITHUB_WEBHOOK_SECRET is set.
package github
