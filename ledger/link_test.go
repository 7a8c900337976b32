package ledger_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

var (
	danaDiscord = ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: "100000000000000007"}
	danaGitHub  = ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: "583231", Login: "dana"}
	bobDiscord  = ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: "100000000000000002"}
)

func ensure(t *testing.T, l *ledger.Ledger, a ledger.Account, name string) int64 {
	t.Helper()
	m, _, err := l.EnsureAccount(context.Background(), a, name)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func praise(to int64, actor, ref string, at time.Time) ledger.NewEntry {
	return ledger.NewEntry{Kind: ledger.KindPraise, Member: to, Category: "community", Points: 1,
		OccurredAt: at, Source: ledger.SourceDiscord, SourceRef: ref, Actor: actor, Note: "thanks"}
}

func linkDana(source ledger.Source) ledger.LinkRequest {
	return ledger.LinkRequest{Discord: danaDiscord, GitHub: danaGitHub, Source: source, Actor: "discord:1", Note: "confirmed by test"}
}

// TestLinkMerges links a Discord account whose member has entries to the
// GitHub account of another member: one member afterwards, reputation the
// sum of both (decay included), self-praise dropped, the chain valid.
func TestLinkMerges(t *testing.T) {
	ctx := context.Background()
	clk := testkit.NewClock(t0)
	l := openTemp(t, ledger.Options{HalfLife: 90 * 24 * time.Hour, Now: clk.Now})
	gh := ensure(t, l, danaGitHub, "")
	dc := ensure(t, l, danaDiscord, "Dana")
	bob := ensure(t, l, bobDiscord, "Bob")
	mustAppend(t, l, credit(gh, 10, "code", "pr:1", t0.Add(-60*24*time.Hour)))
	mustAppend(t, l, credit(gh, 5, "review", "pr:2", t0.Add(-time.Hour)))
	mustAppend(t, l, praise(dc, "discord:"+bobDiscord.ExternalID, "p:1", t0.Add(-3*24*time.Hour)))
	mustAppend(t, l, credit(dc, 4, "doc", "c:1", t0.Add(-10*24*time.Hour)))
	revoked := mustAppend(t, l, credit(dc, 100, "doc", "c:2", t0.Add(-time.Hour)))
	if _, _, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: revoked.Seq, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "typo"}); err != nil {
		t.Fatal(err)
	}
	// Dana praised her own GitHub member from Discord before linking.
	mustAppend(t, l, praise(gh, "discord:"+danaDiscord.ExternalID, "p:2", t0.Add(-2*time.Hour)))
	ghBefore := reputation(t, l, gh)
	dcBefore := reputation(t, l, dc)
	head, _ := l.Head(ctx)

	clk.Set(t0.Add(time.Hour))
	res, err := l.Link(ctx, linkDana(ledger.SourceDiscord))
	if err != nil {
		t.Fatal(err)
	}
	want := ledger.LinkResult{Created: true, Member: gh, Merged: dc, Carried: 2, Dropped: 1}
	if diff := cmp.Diff(want, res, cmpopts.IgnoreFields(ledger.LinkResult{}, "Entry")); diff != "" {
		t.Errorf("LinkResult (-want +got):\n%s", diff)
	}
	if res.Entry.Kind != ledger.KindLink || res.Entry.Member != gh || res.Entry.Seq != head.Seq+1 ||
		res.Entry.SourceRef != "link:discord:100000000000000007:github:dana" ||
		res.Entry.Note != "confirmed by test; member 2 merged into member 1: 2 entries carried, 1 praise dropped as self-praise" {
		t.Errorf("link entry = %+v", res.Entry)
	}
	for _, a := range []ledger.Account{danaDiscord, danaGitHub} {
		if m, err := l.MemberByAccount(ctx, a.Platform, a.ExternalID); err != nil || m.ID != gh {
			t.Errorf("%s is held by %d, %v; want %d", a, m.ID, err, gh)
		}
	}
	// Reputation is the sum, decay included, less the self-praise.
	after, old := reputation(t, l, gh), reputation(t, l, dc)
	wantPoints := ghBefore.Points + dcBefore.Points - 1
	if after.Points != wantPoints || old.Points != 0 {
		t.Errorf("points: linked member %d, merged member %d; want %d and 0", after.Points, old.Points, wantPoints)
	}
	if !approx(after.Score, ghBefore.Score+dcBefore.Score-selfPraiseScore(t, l, gh)) {
		t.Errorf("score: %v, want %v + %v less the self-praise", after.Score, ghBefore.Score, dcBefore.Score)
	}
	if _, n, err := l.Verify(ctx); err != nil {
		t.Errorf("verify after %d entries: %v", n, err)
	}
	// Carried copies keep what counts: kind, category, points, time, actor.
	hist, err := l.History(ctx, gh, 10)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, e := range hist {
		refs = append(refs, e.SourceRef)
	}
	if diff := cmp.Diff([]string{"carry:e4", "carry:e3", "link:discord:100000000000000007:github:dana", "pr:2", "pr:1"}, refs); diff != "" {
		t.Errorf("history of the linked member (-want +got):\n%s", diff)
	}

	// Linking again writes nothing.
	before, _ := l.Head(ctx)
	again, err := l.Link(ctx, linkDana(ledger.SourceCLI))
	if err != nil || again.Created || again.Entry.Seq != res.Entry.Seq {
		t.Errorf("second Link = %+v, %v; want the first entry, not created", again, err)
	}
	if h, _ := l.Head(ctx); h != before {
		t.Errorf("second Link moved the head from %d to %d", before.Seq, h.Seq)
	}
	if m, _ := l.MemberByAccount(ctx, bobDiscord.Platform, bobDiscord.ExternalID); m.ID != bob {
		t.Errorf("Bob's account moved to member %d", m.ID)
	}
}

func reputation(t *testing.T, l *ledger.Ledger, member int64) ledger.Reputation {
	t.Helper()
	r, err := l.Reputation(context.Background(), member, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// selfPraiseScore is the decayed value of the self-praise the link dropped.
func selfPraiseScore(t *testing.T, l *ledger.Ledger, member int64) float64 {
	t.Helper()
	e, err := l.EntryByRef(context.Background(), "p:2")
	if err != nil {
		t.Fatal(err)
	}
	if revoked, _ := l.Revoked(context.Background(), e); !revoked {
		t.Error("the self-praise was not revoked")
	}
	age := t0.Add(time.Hour).Sub(e.OccurredAt)
	return float64(e.Points) * math.Exp2(-age.Hours()/(90*24))
}

func TestLinkWithoutMerge(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		setup   func(l *ledger.Ledger) int64 // the member expected to hold both
		members int
	}{
		{"only the GitHub account is known", func(l *ledger.Ledger) int64 {
			return ensure(t, l, ledger.Account{Platform: ledger.PlatformGitHub, Login: "dana"}, "")
		}, 1},
		{"only the Discord account is known", func(l *ledger.Ledger) int64 { return ensure(t, l, danaDiscord, "Dana") }, 1},
		{"neither is known", func(l *ledger.Ledger) int64 { return 1 }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openTemp(t, ledger.Options{})
			want := tt.setup(l)
			res, err := l.Link(ctx, linkDana(ledger.SourceDiscord))
			if err != nil || res.Member != want || res.Merged != 0 {
				t.Fatalf("Link = %+v, %v; want member %d, no merge", res, err, want)
			}
			m, err := l.MemberByAccount(ctx, ledger.PlatformGitHub, "583231")
			if err != nil || m.ID != want {
				t.Errorf("GitHub id 583231 held by %d, %v; want %d", m.ID, err, want)
			}
			if members, _ := l.Members(ctx); len(members) != tt.members {
				t.Errorf("%d members, want %d", len(members), tt.members)
			}
			if _, _, err := l.Verify(ctx); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestLinkAlreadyOneMember links accounts that already share a member
// under another login (GitHub logins change): nothing is written.
func TestLinkAlreadyOneMember(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	m := ensure(t, l, danaGitHub, "")
	if _, err := l.Link(ctx, linkDana(ledger.SourceDiscord)); err != nil {
		t.Fatal(err)
	}
	head, _ := l.Head(ctx)
	renamed := linkDana(ledger.SourceDiscord)
	renamed.GitHub.Login = "dana-renamed"
	res, err := l.Link(ctx, renamed)
	if err != nil || res.Created || res.Member != m || res.Merged != 0 {
		t.Errorf("Link = %+v, %v; want member %d, nothing created", res, err, m)
	}
	if after, _ := l.Head(ctx); after != head {
		t.Errorf("the head moved from %d to %d", head.Seq, after.Seq)
	}
	if got, _ := l.MemberByLogin(ctx, ledger.PlatformGitHub, "dana-renamed"); got.ID != m {
		t.Errorf("the new login is held by %d, want %d", got.ID, m)
	}
}

func TestLinkRefusesBadRequests(t *testing.T) {
	l := openTemp(t, ledger.Options{})
	for _, r := range []ledger.LinkRequest{
		{GitHub: danaGitHub, Source: ledger.SourceCLI, Actor: "cli:t"},
		{Discord: danaDiscord, GitHub: ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: "1"}, Source: ledger.SourceCLI, Actor: "cli:t"},
		{Discord: danaGitHub, GitHub: danaGitHub, Source: ledger.SourceCLI, Actor: "cli:t"},
	} {
		if _, err := l.Link(context.Background(), r); err == nil {
			t.Errorf("Link(%+v) succeeded", r)
		}
	}
}

func TestLinkClaims(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	if _, err := l.LinkClaim(ctx, danaDiscord.ExternalID); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("LinkClaim of nobody = %v, want ErrNotFound", err)
	}
	first := ledger.LinkClaim{DiscordID: danaDiscord.ExternalID, GitHubLogin: "dana", Code: "docracy-aaaa", CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour)}
	second := ledger.LinkClaim{DiscordID: danaDiscord.ExternalID, GitHubLogin: "dana2", Code: "docracy-bbbb", CreatedAt: t0.Add(time.Hour), ExpiresAt: t0.Add(25 * time.Hour)}
	for _, c := range []ledger.LinkClaim{first, second} {
		if err := l.SaveLinkClaim(ctx, c); err != nil {
			t.Fatal(err)
		}
		got, err := l.LinkClaim(ctx, c.DiscordID)
		if diff := cmp.Diff(c, got); err != nil || diff != "" {
			t.Errorf("LinkClaim after saving (-want +got):\n%s%v", diff, err)
		}
	}
	if _, err := l.Link(ctx, linkDana(ledger.SourceDiscord)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.LinkClaim(ctx, danaDiscord.ExternalID); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("the claim outlived the link: %v", err)
	}
}
