package github_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/internal/testkit"
)

// reviewWebhook is the webhook GitHub sends when a review of pull request
// n is submitted; state is the pull request's at that moment: "open",
// "closed" (unmerged) or "merged".
func reviewWebhook(t testing.TB, id, n, user int, login, state string, at time.Time) []byte {
	t.Helper()
	m := decode(t, recorded(t, "pull_request_review.submitted.json"))
	pr := pull(t, n, at, state == "merged")
	if state == "open" {
		pr["state"], pr["closed_at"] = "open", nil
	}
	m["pull_request"] = pr
	m["review"] = reviewItem(t, id, n, user, login, "approved", at)
	set(m, "repository.id", 4242)
	set(m, "repository.full_name", "docracy/coop")
	set(m, "repository.html_url", "https://github.com/docracy/coop")
	return encode(t, m)
}

// refCount counts the entries with a source_ref.
func refCount(t *testing.T, f *fixture, ref string) int {
	t.Helper()
	n := 0
	for _, e := range f.entries(t) {
		if e.SourceRef == ref {
			n++
		}
	}
	return n
}

// rejectedPull sets up the API with pull request #11, closed unmerged
// `at`, and an approving review 9011 of it by octocat.
func rejectedPull(t *testing.T, at time.Time) *clockedAPI {
	api := newFakeAPI(t, testkit.NewClock(now), 100)
	api.AddPulls(pull(t, 11, at, false))
	api.SetReviews(11, reviewItem(t, 9011, 11, 583231, "octocat", "APPROVED", at.Add(-time.Hour)))
	return api
}

// TestReviewOfARejectedPullRequestCountsOnEveryPath: a review is work
// whatever becomes of the pull request, so an approving review of a pull
// request closed without merging is credited once, with the same key,
// whether the webhook, reconcile or a backfill brings it; the pull request
// itself earns nothing.
func TestReviewOfARejectedPullRequestCountsOnEveryPath(t *testing.T) {
	const ref = "github:github.com:review:9011"
	closed := now.Add(-2 * time.Hour)
	t.Run("webhook then reconcile", func(t *testing.T) {
		f, api := newFixture(t, defaultRules()), rejectedPull(t, closed)
		resp := f.serve(delivery(t, "/github/webhook", "pull_request_review", "d-review",
			reviewWebhook(t, 9011, 11, 583231, "octocat", "closed", closed.Add(-time.Hour))))
		if got := decodeReply(t, readBody(t, resp)); resp.StatusCode != 200 || got.Outcome != "credited" {
			t.Fatalf("review webhook: %d %+v, want 200 credited", resp.StatusCode, got)
		}
		rec, _ := newReconciler(t, f, api, "")
		if err := rec.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		assertOnlyReview(t, f, ref)
	})
	t.Run("reconcile", func(t *testing.T) {
		f, api := newFixture(t, defaultRules()), rejectedPull(t, closed)
		rec, _ := newReconciler(t, f, api, "")
		if err := rec.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		assertOnlyReview(t, f, ref)
	})
	t.Run("backfill", func(t *testing.T) {
		// Closed before the first pass's lookback: only a backfill reads it.
		old := now.Add(-60 * 24 * time.Hour)
		f, api := newFixture(t, defaultRules()), rejectedPull(t, old)
		_, client := newReconciler(t, f, api, "")
		rep, err := f.github.Reconcile(context.Background(), client, "docracy/coop", bot.ReconcileOptions{Since: old.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Created != 1 || rep.Reviews != 1 || rep.PullRequests != 0 {
			t.Errorf("backfill report %+v: want 1 review read, 1 entry added, 0 merged pull requests", rep)
		}
		assertOnlyReview(t, f, ref)
	})
}

// assertOnlyReview checks that the ledger holds the review's credit once,
// 2 points to octocat's account, and nothing else.
func assertOnlyReview(t *testing.T, f *fixture, ref string) {
	t.Helper()
	entries := f.entries(t)
	if len(entries) != 1 || entries[0].SourceRef != ref || entries[0].Points != 2 || entries[0].Category != "review" {
		t.Fatalf("entries %+v: want only %s, 2 points in review", entries, ref)
	}
}

// TestReviewBeforeTheMergeIsCreditedOnce: a review's webhook arrives while
// the pull request is open; its merge, the review's redelivery and a
// reconcile that lists both later add the merge's credit and nothing
// else.
func TestReviewBeforeTheMergeIsCreditedOnce(t *testing.T) {
	f := newFixture(t, defaultRules())
	merged := now.Add(-time.Hour)
	review := reviewWebhook(t, 9005, 5, 583231, "octocat", "open", merged.Add(-time.Hour))
	for i, want := range []string{"credited", "duplicate"} {
		resp := f.serve(delivery(t, "/github/webhook", "pull_request_review", fmt.Sprintf("d-review-%d", i), review))
		if got := decodeReply(t, readBody(t, resp)); resp.StatusCode != 200 || got.Outcome != want {
			t.Fatalf("review webhook %d: %d %+v, want 200 %s", i, resp.StatusCode, got, want)
		}
	}
	resp := f.serve(delivery(t, "/github/webhook", "pull_request", "d-merge", mergedWebhook(t, 5, merged)))
	if got := decodeReply(t, readBody(t, resp)); resp.StatusCode != 200 || got.Outcome != "credited" {
		t.Fatalf("merge webhook: %d %+v", resp.StatusCode, got)
	}

	api := newFakeAPI(t, testkit.NewClock(now), 100)
	api.AddPulls(pull(t, 5, merged, true))
	api.SetReviews(5, reviewItem(t, 9005, 5, 583231, "octocat", "APPROVED", merged.Add(-time.Hour)))
	rec, _ := newReconciler(t, f, api, "")
	if err := rec.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]int{"github:github.com:review:9005": 1, "github:github.com:pr:4242:5:author:1005": 1} {
		if got := refCount(t, f, ref); got != want {
			t.Errorf("%d entries %s, want %d", got, ref, want)
		}
	}
	if got := len(f.entries(t)); got != 2 {
		t.Errorf("%d entries, want 2: the review and the merge", got)
	}
}
