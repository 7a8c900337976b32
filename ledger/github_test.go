package ledger_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
	"github.com/google/go-cmp/cmp"
)

func ghAccount(id, login string) ledger.Account {
	return ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: id, Login: login}
}

func ghCredit(a ledger.Account, points int64, ref string) ledger.AccountCredit {
	return ledger.AccountCredit{Account: a, Entry: ledger.NewEntry{
		Kind: ledger.KindCredit, Category: "code", Points: points, OccurredAt: t0,
		Source: ledger.SourceGitHub, SourceRef: ref, Actor: "github:test",
	}}
}

// refsOf lists the source_refs of entries with their members.
func refsOf(entries []ledger.Entry) map[string]int64 {
	refs := map[string]int64{}
	for _, e := range entries {
		refs[e.SourceRef] = e.Member
	}
	return refs
}

func TestWriteGitHubCreditsAContributionOnce(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	const prefix = "github:github.com:pr:1:2:"
	first := ledger.Contribution{Prefix: prefix, Credits: []ledger.AccountCredit{
		ghCredit(ghAccount("10", "alice"), 3, prefix+"author:10"),
		ghCredit(ghAccount("", "bob"), 2, prefix+"author:login:bob"),
	}}
	res, err := l.WriteGitHub(ctx, ledger.GitHubWrite{Contributions: []ledger.Contribution{first}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Created(); got != 2 {
		t.Fatalf("created %d entries, want 2", got)
	}
	want := map[string]int64{prefix + "author:10": 1, prefix + "author:login:bob": 2}
	if diff := cmp.Diff(want, refsOf(res.Contributions[0].Entries)); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}

	// The same pull request under other rules (a co-author now resolved):
	// it was credited, so nothing is added and the stored credits return.
	again := ledger.Contribution{Prefix: prefix, Credits: []ledger.AccountCredit{
		ghCredit(ghAccount("10", "alice"), 2, prefix+"author:10"),
		ghCredit(ghAccount("30", "carol"), 1, prefix+"author:30"),
	}}
	res, err = l.WriteGitHub(ctx, ledger.GitHubWrite{Contributions: []ledger.Contribution{again}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created() != 0 {
		t.Errorf("a credited pull request added %d entries", res.Created())
	}
	if diff := cmp.Diff(want, refsOf(res.Contributions[0].Entries)); diff != "" {
		t.Errorf("stored entries returned (-want +got):\n%s", diff)
	}
	// A longer number shares the prefix's digits, not the prefix.
	other := ledger.Contribution{Prefix: "github:github.com:pr:1:23:", Credits: []ledger.AccountCredit{
		ghCredit(ghAccount("10", "alice"), 5, "github:github.com:pr:1:23:author:10"),
	}}
	if res, err := l.WriteGitHub(ctx, ledger.GitHubWrite{Contributions: []ledger.Contribution{other}}); err != nil || res.Created() != 1 {
		t.Errorf("pull request 23: created %d, %v; want 1", res.Created(), err)
	}
	if head, _ := l.Head(ctx); head.Seq != 3 {
		t.Errorf("head seq %d, want 3", head.Seq)
	}
	// bob's account, known by login, gets its id when GitHub sends it.
	bob, _, err := l.EnsureAccount(ctx, ghAccount("20", "bob"), "")
	if err != nil || bob.ID != 2 {
		t.Errorf("bob by id: member %d, %v; want member 2", bob.ID, err)
	}
}

func testWriteGitHubRecordsTheDeliveryWithTheCredits(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	c := ledger.Contribution{Credits: []ledger.AccountCredit{ghCredit(ghAccount("10", "alice"), 2, "github:github.com:review:7")}}
	d := &ledger.Delivery{ID: "d-1", Event: "pull_request_review"}
	res, err := l.WriteGitHub(ctx, ledger.GitHubWrite{Contributions: []ledger.Contribution{c}, Delivery: d})
	if err != nil || res.Redelivered || res.Created() != 1 {
		t.Fatalf("first delivery: %+v, %v", res, err)
	}
	got, err := l.Delivery(ctx, "d-1")
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.Delivery{ID: "d-1", Event: "pull_request_review", Created: 1, ReceivedAt: t0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("delivery (-want +got):\n%s", diff)
	}
	res, err = l.WriteGitHub(ctx, ledger.GitHubWrite{Contributions: []ledger.Contribution{c}, Delivery: d})
	if err != nil || !res.Redelivered || len(res.Contributions) != 0 {
		t.Errorf("redelivery: %+v, %v; want Redelivered and nothing else", res, err)
	}
	// Another delivery of the same review finds it stored.
	res, err = l.WriteGitHub(ctx, ledger.GitHubWrite{Contributions: []ledger.Contribution{c}, Delivery: &ledger.Delivery{ID: "d-2", Event: "pull_request_review"}})
	if err != nil || res.Redelivered || res.Created() != 0 || len(res.Contributions[0].Entries) != 1 {
		t.Errorf("other delivery: %+v, %v; want the stored entry", res, err)
	}
	if _, err := l.Delivery(ctx, "nope"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("unknown delivery: %v, want ErrNotFound", err)
	}
}

func testWriteGitHubIsAllOrNothing(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	bad := ghCredit(ghAccount("10", "alice"), 2, "github:github.com:pr:1:1:author:11")
	bad.Entry.Category = "" // refused by the ledger
	_, err := l.WriteGitHub(ctx, ledger.GitHubWrite{
		Contributions: []ledger.Contribution{{Prefix: "github:github.com:pr:1:1:", Credits: []ledger.AccountCredit{
			ghCredit(ghAccount("10", "alice"), 2, "github:github.com:pr:1:1:author:10"), bad,
		}}},
		Delivery: &ledger.Delivery{ID: "d-1", Event: "pull_request"},
		State:    &ledger.ReconcileState{Repo: "o/r", NextPage: 2},
	})
	if err == nil {
		t.Fatal("a refused credit was accepted")
	}
	head, _ := l.Head(ctx)
	members, _ := l.Members(ctx)
	_, derr := l.Delivery(ctx, "d-1")
	state, _ := l.ReconcileState(ctx, "o/r")
	if head.Seq != 0 || len(members) != 0 || !errors.Is(derr, ledger.ErrNotFound) || state.NextPage != 0 {
		t.Errorf("a failed write left head %d, %d members, delivery %v, state %+v", head.Seq, len(members), derr, state)
	}
}

func TestReconcileStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	if s, err := l.ReconcileState(ctx, "Octo/Repo"); err != nil || s != (ledger.ReconcileState{Repo: "Octo/Repo"}) {
		t.Fatalf("never reconciled: %+v, %v", s, err)
	}
	want := ledger.ReconcileState{Repo: "Octo/Repo", Watermark: t0, NextPage: 3, Since: t0.Add(-time.Hour), High: t0.Add(time.Hour)}
	if _, err := l.WriteGitHub(ctx, ledger.GitHubWrite{State: &want}); err != nil {
		t.Fatal(err)
	}
	got, err := l.ReconcileState(ctx, "octo/repo") // names are case insensitive
	if err != nil {
		t.Fatal(err)
	}
	want.Repo = "octo/repo"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
}

func TestLinkedEmails(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice := member(t, l, "alice")
	bob := member(t, l, "bob")
	if err := l.LinkEmail(ctx, alice, "Alice@Example.org"); err != nil {
		t.Fatal(err)
	}
	if m, err := l.MemberByEmail(ctx, "alice@example.ORG"); err != nil || m.ID != alice {
		t.Errorf("by e-mail, any case: member %d, %v; want %d", m.ID, err, alice)
	}
	if err := l.LinkEmail(ctx, bob, "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	if m, err := l.MemberByEmail(ctx, "alice@example.org"); err != nil || m.ID != bob {
		t.Errorf("moved e-mail: member %d, %v; want %d", m.ID, err, bob)
	}
	if _, err := l.MemberByEmail(ctx, "nobody@example.org"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("unknown e-mail: %v, want ErrNotFound", err)
	}
	if err := l.LinkEmail(ctx, alice, "not an address"); err == nil {
		t.Error("a non-address was linked")
	}
	if err := l.LinkEmail(ctx, 99, "x@example.org"); err == nil {
		t.Error("an address was linked to no member")
	}
}
