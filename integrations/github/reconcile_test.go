package github_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/bot/bottest"
	ghint "github.com/docracy/docracy/integrations/github"
	"github.com/docracy/docracy/integrations/github/githubtest"
	"github.com/docracy/docracy/internal/testkit"
)

// pull is pull request n of docracy/coop, by user 1000+n, closed `at`,
// merged or not, in the shape of the recorded webhook's pull request.
func pull(t testing.TB, n int, at time.Time, merged bool) map[string]any {
	t.Helper()
	pr := decode(t, recorded(t, "pull_request.closed.merged.json"))["pull_request"].(map[string]any)
	page := fmt.Sprintf("https://github.com/docracy/coop/pull/%d", n)
	for path, v := range map[string]any{
		"number": n, "id": 500000 + n, "html_url": page, "title": fmt.Sprintf("Change %d", n),
		"url":     fmt.Sprintf("https://api.github.com/repos/docracy/coop/pulls/%d", n),
		"user.id": 1000 + n, "user.login": fmt.Sprintf("member%d", n), "user.type": "User",
		"state": "closed", "updated_at": at.Format(time.RFC3339), "closed_at": at.Format(time.RFC3339),
		"created_at":   at.Add(-24 * time.Hour).Format(time.RFC3339),
		"base.repo.id": 4242, "base.repo.full_name": "docracy/coop", "base.repo.name": "coop",
		"base.repo.html_url": "https://github.com/docracy/coop", "labels": []any{},
	} {
		set(pr, path, v)
	}
	// The list leaves these out; merged_at alone tells a merge.
	for _, field := range []string{"merged", "merged_by", "mergeable", "rebaseable", "mergeable_state", "comments", "commits"} {
		delete(pr, field)
	}
	pr["merged_at"] = nil
	if merged {
		pr["merged_at"] = at.Format(time.RFC3339)
	}
	return pr
}

// mergedWebhook is the webhook GitHub sends when pull request n merges.
func mergedWebhook(t testing.TB, n int, at time.Time) []byte {
	t.Helper()
	m := decode(t, recorded(t, "pull_request.closed.merged.json"))
	pr := pull(t, n, at, true)
	pr["merged"] = true
	pr["merged_by"] = m["sender"]
	m["pull_request"], m["number"] = pr, n
	set(m, "repository.id", 4242)
	set(m, "repository.full_name", "docracy/coop")
	set(m, "repository.html_url", "https://github.com/docracy/coop")
	return encode(t, m)
}

func reviewItem(t testing.TB, id, n int, user int, login, state string, at time.Time) map[string]any {
	t.Helper()
	r := decode(t, recorded(t, "pull_request_review.submitted.json"))["review"].(map[string]any)
	set(r, "id", id)
	set(r, "user.id", user)
	set(r, "user.login", login)
	set(r, "state", state)
	set(r, "submitted_at", at.Format(time.RFC3339))
	set(r, "html_url", fmt.Sprintf("https://github.com/docracy/coop/pull/%d#pullrequestreview-%d", n, id))
	return r
}

// clockedAPI is the fake API with the clock it keeps its rate limits by.
type clockedAPI struct {
	*githubtest.API
	clock *testkit.Clock
}

func newFakeAPI(t testing.TB, clock *testkit.Clock, limit int) *clockedAPI {
	return &clockedAPI{API: githubtest.New(t, clock, limit), clock: clock}
}

// newReconciler reads the fake API through a real client on the fake
// clock.
func newReconciler(t *testing.T, f *fixture, api *clockedAPI, token string) (*ghint.Reconciler, *ghint.Client) {
	t.Helper()
	c, err := ghint.NewClient(nil, api.URL(), token, f.metrics)
	if err != nil {
		t.Fatal(err)
	}
	c.Now, c.Sleep, c.PerPage = api.clock.Now, api.clock.Sleep, 4
	f.github.Now = api.clock.Now
	return &ghint.Reconciler{Bot: f.github, Source: c, Repos: []string{"docracy/coop"}, Metrics: f.metrics}, c
}

// TestReconcileCatchesUpMissedWebhooks: of ten merged pull requests, the
// webhooks of three arrive while the bot is up; the bot is down for the
// seven others. Reconcile, through a rate-limited, failing API, credits
// those seven (and the reviews) once; a second reconcile adds nothing.
func TestReconcileCatchesUpMissedWebhooks(t *testing.T) {
	clock := testkit.NewClock(now)
	api := newFakeAPI(t, clock, 8)
	api.Fail(2, githubtest.FaultBadGateway)
	api.Fail(3, githubtest.FaultSecondary)
	for n := 1; n <= 13; n++ {
		// #1 is the newest; #11 to #13 were closed without merging.
		api.AddPulls(pull(t, n, now.Add(-time.Duration(n)*time.Hour), n <= 10))
	}
	api.SetReviews(2,
		reviewItem(t, 9001, 2, 583231, "octocat", "APPROVED", now.Add(-3*time.Hour)),
		reviewItem(t, 9002, 2, 583231, "octocat", "COMMENTED", now.Add(-3*time.Hour)),
		reviewItem(t, 9003, 2, 1002, "member2", "APPROVED", now.Add(-3*time.Hour)), // the author's own
	)
	api.SetReviews(7, reviewItem(t, 9004, 7, 583231, "octocat", "CHANGES_REQUESTED", now.Add(-8*time.Hour)))

	f := newFixture(t, defaultRules())
	for _, n := range []int{1, 4, 9} {
		resp := f.serve(delivery(t, "/github/webhook", "pull_request", fmt.Sprintf("d-%d", n), mergedWebhook(t, n, now.Add(-time.Duration(n)*time.Hour))))
		if got := decodeReply(t, readBody(t, resp)); resp.StatusCode != 200 || got.Outcome != "credited" {
			t.Fatalf("webhook for #%d: %d %+v", n, resp.StatusCode, got)
		}
	}
	rec, _ := newReconciler(t, f, api, "a-token")
	if err := rec.Run(context.Background()); err != nil {
		t.Fatal(err)
	}

	var want []string
	for n := 1; n <= 10; n++ {
		want = append(want, fmt.Sprintf("github:github.com:pr:4242:%d:author:%d", n, 1000+n))
	}
	want = append(want, "github:github.com:review:9001", "github:github.com:review:9004")
	slices.Sort(want)
	if diff := cmp.Diff(want, sourceRefs(t, f)); diff != "" {
		t.Errorf("credits (-want +got):\n%s", diff)
	}
	if got := counter(t, f.reg, "docracy_github_credits_total", map[string]string{"path": "reconcile"}); got != 9 {
		t.Errorf("credits{reconcile} = %v, want 9: seven pull requests and two reviews", got)
	}

	// The client waited as told and never asked again too early; each
	// failure was retried on its own page, never from page 1.
	if api.TooEarly() != 0 {
		t.Errorf("%d requests during a rate limit", api.TooEarly())
	}
	sleeps := clock.Sleeps()
	if !slices.Contains(sleeps, time.Second) || !slices.Contains(sleeps, time.Minute) || len(api.Resets()) == 0 {
		t.Errorf("sleeps %v, %d primary limits: want 1s after the 502, 1m (Retry-After) after the secondary limit, and a wait for the reset",
			sleeps, len(api.Resets()))
	}
	wantPages := []string{"1:200", "2:502", "2:200", "3:secondary", "3:200", "4:200"}
	if got := api.ListedPages(); !samePagesIgnoringPrimaryLimit(got, wantPages) {
		t.Errorf("list pages %v, want %v (and 403s of the primary limit anywhere)", got, wantPages)
	}
	for _, r := range api.Requests() {
		if r.Auth != "Bearer a-token" {
			t.Errorf("%s sent with Authorization %q", r.Path, r.Auth)
		}
	}

	// A second pass reads from the watermark less the overlap: nothing new.
	before := len(f.entries(t))
	if err := rec.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := len(f.entries(t)); after != before {
		t.Errorf("the second reconcile added %d entries", after-before)
	}
	if got := counter(t, f.reg, "docracy_github_reconcile_runs_total", map[string]string{"outcome": "ok"}); got != 2 {
		t.Errorf("reconcile_runs{ok} = %v, want 2", got)
	}
}

// samePagesIgnoringPrimaryLimit compares page logs, leaving out the 403
// refusals of the primary limit, which fall wherever the budget ends.
func samePagesIgnoringPrimaryLimit(got, want []string) bool {
	strip := func(pages []string) []string {
		var out []string
		for _, p := range pages {
			if !strings.HasSuffix(p, ":403") {
				out = append(out, p)
			}
		}
		return out
	}
	return slices.Equal(strip(got), strip(want))
}

func sourceRefs(t *testing.T, f *fixture) []string {
	t.Helper()
	var refs []string
	for _, e := range f.entries(t) {
		refs = append(refs, e.SourceRef)
	}
	slices.Sort(refs)
	return refs
}

// TestReconcileWaitsUntilTheReset checks the wait of a primary rate limit:
// until the reset GitHub announced, and no longer than a second past it.
func TestReconcileWaitsUntilTheReset(t *testing.T) {
	clock := testkit.NewClock(now)
	api := newFakeAPI(t, clock, 1)
	api.AddPulls(pull(t, 1, now.Add(-time.Hour), true), pull(t, 2, now.Add(-2*time.Hour), true))
	f := newFixture(t, defaultRules())
	rec, _ := newReconciler(t, f, api, "")
	clock.Set(now.Add(20 * time.Minute)) // into the hour the budget counts
	if err := rec.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(api.Resets()) == 0 {
		t.Fatal("no rate limit met")
	}
	// Each wait ends at the announced reset, plus the margin for clocks.
	at := now.Add(20 * time.Minute)
	resets := api.Resets()
	for i, d := range clock.Sleeps() {
		at = at.Add(d)
		if at.Before(resets[i]) || at.After(resets[i].Add(2*time.Second)) {
			t.Errorf("wait %d of %s ended at %s, want at the reset %s", i, d, at, resets[i])
		}
	}
	if n := len(f.entries(t)); n != 2 {
		t.Errorf("%d entries, want 2", n)
	}
	for _, r := range api.Requests() {
		if r.Auth != "" {
			t.Errorf("sent a token that was never given: %q", r.Auth)
		}
	}
}

// TestReconcileResumesAfterATooLongWait: a rate limit beyond MaxWait ends
// the pass with an error; the next pass starts at the page that failed.
func TestReconcileResumesAfterATooLongWait(t *testing.T) {
	clock := testkit.NewClock(now)
	api := newFakeAPI(t, clock, 10) // pages 1 and 2 with the reviews of their 8 pull requests, then page 3 is refused
	for n := 1; n <= 9; n++ {
		api.AddPulls(pull(t, n, now.Add(-time.Duration(n)*time.Hour), n%3 == 0))
	}
	f := newFixture(t, defaultRules())
	rec, c := newReconciler(t, f, api, "")
	c.MaxWait = 10 * time.Minute
	err := rec.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "rate_limit") {
		t.Fatalf("Run = %v, want a rate limit longer than MaxWait", err)
	}
	if got := counter(t, f.reg, "docracy_github_reconcile_runs_total", map[string]string{"outcome": "error"}); got != 1 {
		t.Errorf("reconcile_runs{error} = %v, want 1", got)
	}
	if len(clock.Sleeps()) != 0 {
		t.Errorf("slept %v, want no wait beyond MaxWait", clock.Sleeps())
	}
	failed := api.ListedPages()
	lastPage, _, _ := strings.Cut(failed[len(failed)-1], ":")
	clock.Advance(time.Hour) // the next scheduled pass
	if err := rec.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	pages := api.ListedPages()[len(failed):]
	if lastPage == "1" || !strings.HasPrefix(pages[0], lastPage+":") {
		t.Errorf("first pass %v, second %v: want the second to start at the page that failed", failed, pages)
	}
	if want := []string{"github:github.com:pr:4242:3:author:1003", "github:github.com:pr:4242:6:author:1006", "github:github.com:pr:4242:9:author:1009"}; !slices.Equal(sourceRefs(t, f), want) {
		t.Errorf("credits %v, want %v", sourceRefs(t, f), want)
	}
}

func TestClientGivesUpOnPersistentFailures(t *testing.T) {
	clock := testkit.NewClock(now)
	api := newFakeAPI(t, clock, 100)
	api.Fail(1, slices.Repeat([]string{githubtest.FaultBadGateway}, 10)...)
	api.AddPulls(pull(t, 1, now.Add(-time.Hour), true))
	f := newFixture(t, defaultRules())
	rec, c := newReconciler(t, f, api, "")
	c.Retries = 3
	if err := rec.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "gave up after 4 attempts") {
		t.Errorf("Run = %v, want it to give up after 4 attempts", err)
	}
	if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, clock.Sleeps()); diff != "" {
		t.Errorf("backoff (-want +got):\n%s", diff)
	}
}

func TestClientDoesNotRetryClientErrors(t *testing.T) {
	clock := testkit.NewClock(now)
	api := newFakeAPI(t, clock, 100)
	f := newFixture(t, defaultRules())
	rec, _ := newReconciler(t, f, api, "")
	rec.Repos = []string{"docracy/missing"}
	if err := rec.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("Run = %v, want the 404", err)
	}
	if len(api.Requests()) != 1 || len(clock.Sleeps()) != 0 {
		t.Errorf("%d requests, sleeps %v: want one request and no retry", len(api.Requests()), clock.Sleeps())
	}
}

// TestFakeAPIMatchesTheRecording checks the fake against the recorded
// responses of GitHub's API: the same rate-limit headers, and Link headers
// with the same relations on the first, middle and last pages.
func TestFakeAPIMatchesTheRecording(t *testing.T) {
	type recording struct {
		Status  int            `json:"status"`
		Headers map[string]any `json:"headers"`
	}
	var recordings []recording
	raw, err := os.ReadFile("../../testdata/github/rest/paginate-issues.normalized-fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &recordings); err != nil {
		t.Fatal(err)
	}
	clock := testkit.NewClock(now)
	api := newFakeAPI(t, clock, 5000)
	for n := 1; n <= 13; n++ {
		api.AddPulls(pull(t, n, now.Add(-time.Duration(n)*time.Hour), true))
	}
	base := api.URL()
	for i, rec := range recordings {
		resp, err := http.Get(fmt.Sprintf("%srepos/docracy/coop/pulls?state=closed&per_page=3&page=%d", base, i+1))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != rec.Status {
			t.Errorf("page %d: status %d, recorded %d", i+1, resp.StatusCode, rec.Status)
		}
		if got, want := linkRels(resp.Header.Get("Link")), linkRels(fmt.Sprint(rec.Headers["link"])); !slices.Equal(got, want) {
			t.Errorf("page %d: Link relations %v, recorded %v", i+1, got, want)
		}
		for name := range rec.Headers {
			if strings.HasPrefix(name, "x-ratelimit-") && resp.Header.Get(name) == "" {
				t.Errorf("page %d: no %s header", i+1, name)
			}
		}
	}
}

var linkRel = strings.NewReplacer(`"`, "")

// linkRels lists the relations of a Link header in order.
func linkRels(header string) []string {
	var rels []string
	for _, part := range strings.Split(header, ",") {
		if _, rel, ok := strings.Cut(part, "rel="); ok {
			rels = append(rels, linkRel.Replace(strings.TrimSpace(rel)))
		}
	}
	return rels
}

// TestScheduleRunsAtStartAndOnSchedule runs the schedule on a fast clock.
func TestScheduleRunsAtStartAndOnSchedule(t *testing.T) {
	calls := make(chan string, 100)
	rec := &ghint.Reconciler{Bot: countingBot{calls}, Repos: []string{"a/b", "c/d"}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		rec.Schedule(ctx, every(10*time.Millisecond))
		close(done)
	}()
	var got []string
	for len(got) < 6 {
		select {
		case repo := <-calls:
			got = append(got, repo)
		case <-time.After(10 * time.Second):
			t.Fatalf("passes seen: %v", got)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Schedule did not return after ctx ended")
	}
	if !slices.Equal(got[:2], []string{"a/b", "c/d"}) {
		t.Errorf("passes %v: want each repository in turn", got)
	}
}

type countingBot struct{ calls chan<- string }

func (b countingBot) Reconcile(ctx context.Context, src bot.PRSource, repo string, opts bot.ReconcileOptions) (bot.ReconcileReport, error) {
	b.calls <- repo
	return bot.ReconcileReport{Repo: repo}, nil
}

// every is a cron schedule with a period below cron's one second.
type every time.Duration

func (e every) Next(t time.Time) time.Time { return t.Add(time.Duration(e)) }

// TestClientKeepsThePRSourceContract runs the PRSource contract over the
// real client reading the fake API.
func TestClientKeepsThePRSourceContract(t *testing.T) {
	bottest.RunPRSourceContract(t, now, func(t *testing.T, prs []bot.PullRequest, perPage int) bot.PRSource {
		api := newFakeAPI(t, testkit.NewClock(now), 5000)
		for _, pr := range prs {
			api.AddPulls(pull(t, pr.Number, pr.UpdatedAt, pr.Merged))
			var reviews []map[string]any
			for _, r := range pr.Reviews {
				reviews = append(reviews, reviewItem(t, int(r.ID), pr.Number, int(r.Reviewer.ID), r.Reviewer.Login, r.State, r.SubmittedAt))
			}
			api.SetReviews(pr.Number, reviews...)
		}
		c, err := ghint.NewClient(nil, api.URL(), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Now, c.Sleep, c.PerPage = api.clock.Now, api.clock.Sleep, perPage
		return c
	})
}
