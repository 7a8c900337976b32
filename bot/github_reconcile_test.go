package bot_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/bot/bottest"
	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

// fakeSource is a repository's closed pull requests, listed the way the
// REST API lists them: newest updated first, perPage at a time. It records
// each walk it is asked for and can fail once at a page.
type fakeSource struct {
	prs     []bot.PullRequest // closed ones, merged or not
	perPage int
	failAt  int // the page whose next read fails, once; 0 for none

	walks []walk
}

type walk struct {
	Since time.Time
	Start int
	Pages []int
}

func (s *fakeSource) ClosedPullRequests(ctx context.Context, repo string, since time.Time, start int, fn func(bot.PRPage) error) error {
	sort.SliceStable(s.prs, func(i, j int) bool { return s.prs[i].UpdatedAt.After(s.prs[j].UpdatedAt) })
	s.walks = append(s.walks, walk{Since: since, Start: start})
	w := &s.walks[len(s.walks)-1]
	for n := start; ; n++ {
		if n == s.failAt {
			s.failAt = 0
			return errors.New("502 Bad Gateway")
		}
		w.Pages = append(w.Pages, n)
		lo, hi := (n-1)*s.perPage, min(n*s.perPage, len(s.prs))
		page := bot.PRPage{Number: n, Next: n + 1}
		if hi >= len(s.prs) {
			page.Next = 0
		}
		for _, pr := range s.prs[min(lo, hi):hi] {
			page.Newest = maxTime(page.Newest, pr.UpdatedAt)
			if pr.UpdatedAt.Before(since) {
				page.Next = 0
				continue
			}
			page.PullRequests = append(page.PullRequests, pr)
		}
		if err := fn(page); err != nil {
			return err
		}
		if page.Next == 0 {
			return nil
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// closedPR is pull request n of Codertocat/Hello-World by user 100+n,
// updated `ago` before now, merged when n is even.
func closedPR(n int, ago time.Duration) bot.PullRequest {
	pr := mergedPR()
	pr.Number, pr.Title = n, fmt.Sprintf("Change %d", n)
	pr.Author = bot.GitHubUser{ID: int64(100 + n), Login: fmt.Sprintf("user%d", n)}
	pr.UpdatedAt, pr.MergedAt = now.Add(-ago), now.Add(-ago)
	pr.Merged = n%2 == 0
	pr.URL = fmt.Sprintf("https://github.com/Codertocat/Hello-World/pull/%d", n)
	return pr
}

func prRef(n, user int) string {
	return fmt.Sprintf("github:github.com:pr:186853002:%d:author:%d", n, user)
}

func refs(t *testing.T, l *ledger.Ledger) []string {
	t.Helper()
	entries, err := l.Entries(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, e := range entries {
		refs = append(refs, e.SourceRef)
	}
	sort.Strings(refs)
	return refs
}

func TestReconcileCatchesUpOnceAndResumes(t *testing.T) {
	g, l := newGitHub(t, defaultRules())
	ctx := context.Background()
	src := &fakeSource{perPage: 3, failAt: 3}
	for n := 1; n <= 10; n++ {
		src.prs = append(src.prs, closedPR(n, time.Duration(n)*time.Hour))
	}
	approval := submitted("approved")
	approval.ID = 555
	src.prs[3].Reviews = []bot.Review{approval}              // on #4, merged
	src.prs[3].Reviews[0].Reviewer.ID = 583231               // octocat reviews user4
	src.prs = append(src.prs, closedPR(12, 40*24*time.Hour)) // older than the first pass reads

	// The first pass reads the last Lookback, and fails at page 3.
	rep, err := g.Reconcile(ctx, src, "Codertocat/Hello-World", bot.ReconcileOptions{})
	if err == nil {
		t.Fatal("a failing source did not fail the pass")
	}
	if rep.Pages != 2 || rep.Created != 4 { // #2, #4 and its review, #6
		t.Errorf("failed pass: %+v, want 2 pages and 4 entries", rep)
	}
	state, _ := l.ReconcileState(ctx, "Codertocat/Hello-World")
	firstSince := now.Add(-bot.DefaultLookback)
	if want := (ledger.ReconcileState{Repo: "Codertocat/Hello-World", NextPage: 3, Since: firstSince, High: now.Add(-time.Hour)}); state != want {
		t.Errorf("state after the failure %+v, want %+v", state, want)
	}

	// The next pass resumes at page 3, with the same bounds.
	rep, err = g.Reconcile(ctx, src, "Codertocat/Hello-World", bot.ReconcileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ResumedAt != 3 || rep.Created != 2 || !rep.Done || !rep.Watermark.Equal(now.Add(-time.Hour)) {
		t.Errorf("resumed pass: %+v, want resumed at 3, 2 entries (#8, #10), done, watermark an hour ago", rep)
	}
	want := []string{prRef(10, 110), prRef(2, 102), prRef(4, 104), prRef(6, 106), prRef(8, 108), "github:github.com:review:555"}
	if diff := cmp.Diff(want, refs(t, l)); diff != "" {
		t.Errorf("credits (-want +got):\n%s", diff)
	}

	// A new merge, then a pass from the watermark less the overlap: it
	// reads until it meets an older pull request, and adds the new one only.
	src.prs = append(src.prs, closedPR(14, 0))
	rep, err = g.Reconcile(ctx, src, "Codertocat/Hello-World", bot.ReconcileOptions{})
	if err != nil || rep.Created != 1 || !rep.Watermark.Equal(now) {
		t.Errorf("pass after a merge: %+v, %v; want 1 entry and watermark now", rep, err)
	}
	wantWalks := []walk{
		{Since: firstSince, Start: 1, Pages: []int{1, 2}},
		{Since: firstSince, Start: 3, Pages: []int{3, 4}},
		{Since: now.Add(-time.Hour - bot.DefaultOverlap), Start: 1, Pages: []int{1, 2}},
	}
	if diff := cmp.Diff(wantWalks, src.walks); diff != "" {
		t.Errorf("walks (-want +got):\n%s", diff)
	}

	// A backfill reads further back, credits the old merge, and keeps the
	// watermark.
	rep, err = g.Reconcile(ctx, src, "Codertocat/Hello-World", bot.ReconcileOptions{Since: now.Add(-60 * 24 * time.Hour)})
	if err != nil || rep.Created != 1 || !rep.Watermark.Equal(now) {
		t.Errorf("backfill: %+v, %v; want 1 entry (#12) and the watermark kept", rep, err)
	}
	if head, _ := l.Head(ctx); head.Seq != 8 {
		t.Errorf("head seq %d, want 8: every merge and the review once", head.Seq)
	}
}

func TestReconcileBackfillOfRecentWeeksKeepsTheWatermark(t *testing.T) {
	g, l := newGitHub(t, defaultRules())
	ctx := context.Background()
	old := now.Add(-10 * 24 * time.Hour)
	// A pass completed ten days ago.
	if _, err := l.WriteGitHub(ctx, ledger.GitHubWrite{State: &ledger.ReconcileState{Repo: "o/r", Watermark: old}}); err != nil {
		t.Fatal(err)
	}
	src := &fakeSource{perPage: 10, prs: []bot.PullRequest{closedPR(2, time.Hour)}}
	rep, err := g.Reconcile(ctx, src, "o/r", bot.ReconcileOptions{Since: now.Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// Between ten days and one day ago nothing was read: the next pass
	// must still start from ten days ago.
	if !rep.Watermark.Equal(old) {
		t.Errorf("watermark %v, want %v kept", rep.Watermark, old)
	}
}

func TestReconcileRefusesRepositoriesNotAllowed(t *testing.T) {
	rules := defaultRules()
	rules.Repos = []string{"docracy/docracy"}
	g, _ := newGitHub(t, rules)
	src := &fakeSource{perPage: 10}
	if _, err := g.Reconcile(context.Background(), src, "o/r", bot.ReconcileOptions{}); bot.ErrorCode(err) != bot.CodeInvalid {
		t.Errorf("reconcile of o/r: %v, want an invalid request", err)
	}
	if len(src.walks) != 0 {
		t.Errorf("the source was read: %+v", src.walks)
	}
}

// TestFakeSourceKeepsThePRSourceContract: the in-memory source the
// reconcile tests read pages as the real client does.
func TestFakeSourceKeepsThePRSourceContract(t *testing.T) {
	bottest.RunPRSourceContract(t, now, func(t *testing.T, prs []bot.PullRequest, perPage int) bot.PRSource {
		return &fakeSource{prs: prs, perPage: perPage}
	})
}
