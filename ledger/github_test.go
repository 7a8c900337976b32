package ledger_test

import (
	"context"
	"errors"
	"fmt"
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

// testGroupCommitLooksUpAsWritesOneByOne commits in one group commit
// writes that look up what the batch itself writes, or what was stored
// before it: a delivery twice, a pull request under two deliveries and
// twice in one write, an account the batch creates, then renames, one
// known by its login alone, and a delivery and a pull request recorded
// before. Each write's result, and the ledger after, are those of the same
// writes committed one by one.
func testGroupCommitLooksUpAsWritesOneByOne(t *testing.T, b backend) {
	ctx := context.Background()
	pr := func(delivery string, n int, a ledger.Account) ledger.GitHubWrite {
		prefix := fmt.Sprintf("github:github.com:pr:1:%d:", n)
		return ledger.GitHubWrite{
			Contributions: []ledger.Contribution{{Prefix: prefix, Credits: []ledger.AccountCredit{ghCredit(a, int64(n+1), prefix+"author")}}},
			Delivery:      &ledger.Delivery{ID: delivery, Event: "pull_request"},
		}
	}
	twice := pr("d-10", 10, ghAccount("305", "dave"))
	twice.Contributions = append(twice.Contributions, pr("", 10, ghAccount("302", "bob")).Contributions[0])
	twice.Contributions[1].Credits[0].Entry.SourceRef += ":review"
	batch := []ledger.GitHubWrite{
		pr("d-1", 1, ghAccount("301", "ann")),
		pr("d-1", 2, ghAccount("302", "bob")), // the same delivery: nothing written
		pr("d-2", 1, ghAccount("302", "bob")), // the same pull request: its stored entry alone
		pr("d-3", 3, ghAccount("301", "ann")), // the account the batch created
		pr("d-0", 4, ghAccount("303", "cid")), // a delivery recorded before
		pr("d-4", 0, ghAccount("303", "cid")), // a pull request credited before, to another author
		pr("d-5", 5, ghAccount("300", "new")), // a new login
		pr("d-6", 6, ghAccount("300", "new")),
		pr("d-7", 7, ghAccount("300", "old")),   // and the old one again
		pr("d-8", 8, ghAccount("304", "carol")), // known by login alone
		pr("d-9", 9, ghAccount("304", "carol")),
		twice, // the second contribution finds the first's entry
	}
	batch[5].Contributions[0].Credits[0].Entry.SourceRef += ":again"
	many := pr("d-11", 100, ghAccount("301", "ann")) // more pull requests than one lookup carries
	for n := 101; n < 170; n++ {
		many.Contributions = append(many.Contributions, pr("", n, ghAccount("306", "eve")).Contributions...)
	}
	review := ledger.Contribution{Credits: []ledger.AccountCredit{ghCredit(ghAccount("305", "dave"), 2, "github:github.com:review:7")}}
	for _, d := range []string{"d-12", "d-13"} { // no prefix: the entry's own source_ref
		batch = append(batch, ledger.GitHubWrite{Contributions: []ledger.Contribution{review}, Delivery: &ledger.Delivery{ID: d, Event: "pull_request_review"}})
	}
	batch = append(batch, many)
	before := pr("", 166, ghAccount("307", "fay")) // credited before, in the second lookup
	before.Delivery = nil
	together, apart := b.open(t, ledger.Options{}), b.open(t, ledger.Options{})
	for _, l := range []*ledger.Ledger{together, apart} {
		for _, g := range []ledger.GitHubWrite{pr("d-0", 0, ghAccount("300", "old")), before} {
			if _, err := l.WriteGitHub(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		member(t, l, "carol")
	}
	got, errs := together.WriteGitHubTogether(ctx, batch)
	for i, g := range batch {
		want, err := apart.WriteGitHub(ctx, g)
		if err != nil || errs[i] != nil {
			t.Fatalf("write %d: %v one by one, %v together", i, err, errs[i])
		}
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Errorf("write %d (-one by one +together):\n%s", i, diff)
		}
	}
	assertSameGitHubState(t, apart, together, len(batch)+1)
}

// assertSameGitHubState compares the members, accounts, deliveries d-0 to
// d-n and chains of two ledgers, and checks the second whole.
func assertSameGitHubState(t *testing.T, want, got *ledger.Ledger, n int) {
	t.Helper()
	ctx := context.Background()
	for _, read := range []func(l *ledger.Ledger) (any, error){
		func(l *ledger.Ledger) (any, error) { return membersWithAccounts(ctx, l) },
		func(l *ledger.Ledger) (any, error) { return l.Head(ctx) },
		func(l *ledger.Ledger) (any, error) {
			var deliveries []ledger.Delivery
			for i := range n {
				d, err := l.Delivery(ctx, fmt.Sprintf("d-%d", i))
				if err != nil && !errors.Is(err, ledger.ErrNotFound) {
					return nil, err
				}
				deliveries = append(deliveries, d)
			}
			return deliveries, nil
		},
	} {
		w, err1 := read(want)
		g, err2 := read(got)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("(-one by one +together):\n%s", diff)
		}
	}
	if _, _, err := got.VerifyAll(ctx, nil); err != nil {
		t.Errorf("verify: %v", err)
	}
}

// membersWithAccounts lists every member with its accounts.
func membersWithAccounts(ctx context.Context, l *ledger.Ledger) ([]ledger.Member, error) {
	members, err := l.Members(ctx)
	for i := range members {
		if err == nil {
			members[i], err = l.Member(ctx, members[i].ID)
		}
	}
	return members, err
}
