package bot_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

var year9999 = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)

// checkRefused asserts err is an invalid-request error naming field.
func checkRefused(t *testing.T, what string, err error, field string) {
	t.Helper()
	var be *bot.Error
	if !errors.As(err, &be) || be.Code != bot.CodeInvalid || be.Field != field || !strings.Contains(be.Message, field) {
		t.Errorf("%s: %v, want an invalid-request error naming %s", what, err, field)
	}
}

// TestFutureDateRefusedOnEveryPath: a credit, a merged pull request and a
// review dated beyond the clock skew are refused, naming the field, and
// store nothing; one at the limit is accepted.
func TestFutureDateRefusedOnEveryPath(t *testing.T) {
	ctx := context.Background()
	b, l := newBot(t)
	_, _, err := b.Credit(ctx, bot.CreditRequest{Member: "github:alice", Points: 1, Category: "code",
		At: year9999, Actor: "cli:t", Source: ledger.SourceCLI})
	checkRefused(t, "credit", err, "at")

	g, gl := newGitHub(t, defaultRules())
	pr := mergedPR()
	pr.MergedAt = year9999
	_, err = g.PullRequestMerged(ctx, bot.Delivery{ID: "d1", Event: "pull_request"}, pr)
	checkRefused(t, "pull request", err, "merged_at")
	r := submitted("approved")
	r.SubmittedAt = time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC)
	_, err = g.ReviewSubmitted(ctx, bot.Delivery{ID: "d2", Event: "pull_request_review"}, r)
	checkRefused(t, "review", err, "submitted_at")

	for _, led := range []*ledger.Ledger{l, gl} {
		if head, _ := led.Head(ctx); head.Seq != 0 {
			t.Errorf("head seq %d after refusals, want 0", head.Seq)
		}
	}
	r.SubmittedAt = now.Add(ledger.MaxClockSkew)
	if out, err := g.ReviewSubmitted(ctx, bot.Delivery{ID: "d3", Event: "pull_request_review"}, r); err != nil || out.Status != bot.OutcomeCredited {
		t.Errorf("review at the skew limit: %+v, %v; want credited", out, err)
	}
}

// TestReconcileSkipsFutureDates: reconcile and backfill leave out, and
// log, a pull request or review dated in the far future, and credit the
// rest of the pass.
func TestReconcileSkipsFutureDates(t *testing.T) {
	g, l := newGitHub(t, defaultRules())
	var log bytes.Buffer
	g.Logger = slog.New(slog.NewTextHandler(&log, nil))
	src := &fakeSource{perPage: 10}
	for n := 2; n <= 6; n += 2 {
		src.prs = append(src.prs, closedPR(n, time.Duration(n)*time.Hour))
	}
	src.prs[0].MergedAt = year9999
	review := submitted("approved")
	review.SubmittedAt = year9999
	src.prs[1].Reviews = []bot.Review{review}
	rep, err := g.Reconcile(context.Background(), src, "Codertocat/Hello-World", bot.ReconcileOptions{})
	if err != nil || rep.Created != 2 {
		t.Fatalf("reconcile: %+v, %v; want #4 and #6 credited", rep, err)
	}
	if diff := cmp.Diff([]string{prRef(4, 104), prRef(6, 106)}, refs(t, l)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	for _, field := range []string{"merged_at", "submitted_at"} {
		if !strings.Contains(log.String(), field+" 9999-12-31T23:59:59Z is in the future") {
			t.Errorf("the log does not name %s:\n%s", field, log.String())
		}
	}
}
