package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
	"github.com/google/go-cmp/cmp"
)

var githubCategories = []string{"code", "review", "doc", "security"}

// defaultRules are the rules of the default configuration.
func defaultRules() bot.GitHubRules {
	return bot.GitHubRules{
		MergedPR: 5, Review: 2,
		Labels: map[string]bot.LabelRule{
			"security":      {Category: "security", Bonus: 10},
			"documentation": {Category: "doc"},
			"no-credit":     {Skip: true},
		},
	}
}

// newGitHub returns GitHub crediting on a fresh ledger file, on the
// stopped clock of the bot tests.
func newGitHub(t *testing.T, rules bot.GitHubRules) (*bot.GitHub, *ledger.Ledger) {
	t.Helper()
	clock := func() time.Time { return now }
	l := ledgertest.Open(t, clock)
	if err := rules.Check(githubCategories); err != nil {
		t.Fatal(err)
	}
	g := bot.NewGitHub(l, rules)
	g.Now = clock
	return g, l
}

const codertocat = 21031067

// mergedPR is the merged pull request of the recorded webhook payload.
func mergedPR() bot.PullRequest {
	return bot.PullRequest{
		Host: "github.com", RepoID: 186853002, Repo: "Codertocat/Hello-World", Number: 2,
		Title: "Update the README with new information.", URL: "https://github.com/Codertocat/Hello-World/pull/2",
		Author: bot.GitHubUser{ID: codertocat, Login: "Codertocat"},
		Merged: true, MergedAt: now.Add(-time.Hour), MergedBy: "Codertocat", UpdatedAt: now.Add(-time.Hour),
	}
}

const prKey = "github:github.com:pr:186853002:2:author:"

// ghCredit is what a test expects of a credit entry.
type ghCredit struct {
	Member   string // the member's name
	Points   int64
	Category string
	Ref      string
}

// creditsOf describes entries as credits, naming their members.
func creditsOf(t *testing.T, l *ledger.Ledger, entries []ledger.Entry) []ghCredit {
	t.Helper()
	var got []ghCredit
	for _, e := range entries {
		m, err := l.Member(context.Background(), e.Member)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ghCredit{m.Name, e.Points, e.Category, e.SourceRef})
	}
	return got
}

func TestPullRequestRules(t *testing.T) {
	tests := []struct {
		name   string
		rules  func(r *bot.GitHubRules)
		pr     func(pr *bot.PullRequest)
		emails map[string]ledger.Account // e-mail addresses linked before, to the member of an account
		want   []ghCredit
		skip   string // the reason, when nothing is credited
		note   string // a part of the note, when it matters
	}{
		{name: "author", want: []ghCredit{{"Codertocat", 5, "code", prKey + "21031067"}},
			note: "Codertocat/Hello-World#2: Update the README with new information."},
		{name: "label changes category and adds bonus", pr: labels("security"),
			want: []ghCredit{{"Codertocat", 15, "security", prKey + "21031067"}}},
		{name: "label in another case", pr: labels("Documentation"),
			want: []ghCredit{{"Codertocat", 5, "doc", prKey + "21031067"}}},
		{name: "first label by name sets the category, bonuses add up", pr: labels("security", "documentation", "bug"),
			want: []ghCredit{{"Codertocat", 15, "doc", prKey + "21031067"}}},
		{name: "skip label", pr: labels("bug", "no-credit"), skip: "label no-credit credits nothing"},
		{name: "bonus down to zero", rules: func(r *bot.GitHubRules) { r.Labels["trivial"] = bot.LabelRule{Bonus: -5} },
			pr: labels("trivial"), skip: "worth 0 points"},
		{name: "bot by type", pr: func(pr *bot.PullRequest) { pr.Author = bot.GitHubUser{ID: 49699333, Login: "dependabot", Bot: true} },
			skip: "no one to credit: dependabot is a bot"},
		{name: "bot by login", pr: func(pr *bot.PullRequest) { pr.Author = bot.GitHubUser{ID: 41898282, Login: "github-actions[bot]"} },
			skip: "no one to credit: github-actions[bot] is a bot"},
		{name: "ignored user, any case", rules: func(r *bot.GitHubRules) { r.IgnoreUsers = []string{"codertocat"} },
			skip: "no one to credit: Codertocat is in github.ignore_users"},
		{name: "repository not allowed", rules: func(r *bot.GitHubRules) { r.Repos = []string{"docracy/docracy"} },
			skip: "repository Codertocat/Hello-World is not in github.repos"},
		{name: "repository allowed, any case", rules: func(r *bot.GitHubRules) { r.Repos = []string{"docracy/docracy", "codertocat/hello-world"} },
			want: []ghCredit{{"Codertocat", 5, "code", prKey + "21031067"}}},
		{name: "not merged", pr: func(pr *bot.PullRequest) { pr.Merged = false }, skip: "not merged"},
		{name: "co-author by id and login", pr: body("Co-authored-by: Mona Lisa <583231+octocat@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 3, "code", prKey + "21031067"}, {"octocat", 2, "code", prKey + "583231"}},
			note: "· shared by Codertocat, octocat"},
		{name: "co-author by login only", pr: body("co-authored-by: Hubot <hubot@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 3, "code", prKey + "21031067"}, {"hubot", 2, "code", prKey + "login:hubot"}}},
		{name: "co-author by linked e-mail", pr: body("Co-authored-by: Mona <mona@example.org>"),
			emails: map[string]ledger.Account{"mona@example.org": {Platform: ledger.PlatformGitHub, ExternalID: "99", Login: "mona"}},
			want:   []ghCredit{{"Codertocat", 3, "code", prKey + "21031067"}, {"mona", 2, "code", prKey + "99"}}},
		{name: "co-author by e-mail of a member without GitHub", pr: body("Co-authored-by: Nelly <nelly@example.org>"),
			emails: map[string]ledger.Account{"nelly@example.org": {Platform: ledger.PlatformDiscord, ExternalID: "80351110224678912"}},
			want:   []ghCredit{{"Codertocat", 3, "code", prKey + "21031067"}, {"discord:80351110224678912", 2, "code", prKey + "member:1"}}},
		{name: "co-authors past the limit are counted in the note, not credited", pr: body(manyCoauthors(bot.MaxCoauthors + 3)),
			want: []ghCredit{{"Codertocat", 1, "code", prKey + "21031067"}, {"dev1", 1, "code", prKey + "1001"},
				{"dev2", 1, "code", prKey + "1002"}, {"dev3", 1, "code", prKey + "1003"}, {"dev4", 1, "code", prKey + "1004"}},
			note: "#2: Update the README with new information. · 3 more Co-authored-by trailers not read (at most 100 co-authors are) · shared by Codertocat, dev1, dev2"},
		{name: "unresolved co-author is named in the note", pr: body("Co-authored-by: Jane Doe <jane@example.org>"),
			want: []ghCredit{{"Codertocat", 5, "code", prKey + "21031067"}},
			note: "· not credited (no GitHub account or linked e-mail): Jane Doe"},
		{name: "bot co-author", pr: body("Co-authored-by: dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 5, "code", prKey + "21031067"}}},
		{name: "ignored co-author", rules: func(r *bot.GitHubRules) { r.IgnoreUsers = []string{"octocat"} },
			pr:   body("Co-authored-by: Mona <583231+octocat@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 5, "code", prKey + "21031067"}}},
		{name: "author as co-author", pr: body("Co-authored-by: C <21031067+Codertocat@users.noreply.github.com>\nCo-authored-by: C <codertocat@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 5, "code", prKey + "21031067"}}},
		{name: "author's own linked e-mail", pr: body("Co-authored-by: C <c@example.org>"),
			emails: map[string]ledger.Account{"c@example.org": {Platform: ledger.PlatformGitHub, ExternalID: "21031067", Login: "Codertocat"}},
			want:   []ghCredit{{"Codertocat", 5, "code", prKey + "21031067"}}},
		{name: "one co-author named twice", pr: body("Co-authored-by: M <583231+octocat@users.noreply.github.com>\nCo-authored-by: M <OCTOCAT@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 3, "code", prKey + "21031067"}, {"octocat", 2, "code", prKey + "583231"}}},
		{name: "largest remainder over four", pr: body(
			"Co-authored-by: A <1+a@users.noreply.github.com>\nCo-authored-by: B <2+b@users.noreply.github.com>\nCo-authored-by: C <3+c@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 2, "code", prKey + "21031067"}, {"a", 1, "code", prKey + "1"}, {"b", 1, "code", prKey + "2"}, {"c", 1, "code", prKey + "3"}}},
		{name: "largest remainder with a bonus", rules: func(r *bot.GitHubRules) { r.Labels["big"] = bot.LabelRule{Bonus: 2} },
			pr: func(pr *bot.PullRequest) {
				labels("big")(pr)
				body("Co-authored-by: A <1+a@users.noreply.github.com>\nCo-authored-by: B <2+b@users.noreply.github.com>")(pr)
			},
			want: []ghCredit{{"Codertocat", 3, "code", prKey + "21031067"}, {"a", 2, "code", prKey + "1"}, {"b", 2, "code", prKey + "2"}}},
		{name: "fewer points than authors", rules: func(r *bot.GitHubRules) { r.MergedPR = 1 },
			pr:   body("Co-authored-by: A <1+a@users.noreply.github.com>"),
			want: []ghCredit{{"Codertocat", 1, "code", prKey + "21031067"}}},
		{name: "bot author, human co-author", pr: func(pr *bot.PullRequest) {
			pr.Author = bot.GitHubUser{ID: 49699333, Login: "dependabot[bot]", Bot: true}
			body("Co-authored-by: Mona <583231+octocat@users.noreply.github.com>")(pr)
		}, want: []ghCredit{{"octocat", 5, "code", prKey + "583231"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := defaultRules()
			if tt.rules != nil {
				tt.rules(&rules)
			}
			g, l := newGitHub(t, rules)
			ctx := context.Background()
			for email, a := range tt.emails {
				m, _, err := l.EnsureAccount(ctx, a, "")
				if err != nil {
					t.Fatal(err)
				}
				if err := l.LinkEmail(ctx, m.ID, email); err != nil {
					t.Fatal(err)
				}
			}
			pr := mergedPR()
			if tt.pr != nil {
				tt.pr(&pr)
			}
			out, err := g.PullRequestMerged(ctx, bot.Delivery{ID: "d-1", Event: "pull_request"}, pr)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus := bot.OutcomeCredited
			if tt.skip != "" {
				wantStatus = bot.OutcomeSkipped
			}
			if out.Status != wantStatus || out.Reason != tt.skip {
				t.Errorf("outcome %s %q, want %s %q", out.Status, out.Reason, wantStatus, tt.skip)
			}
			if diff := cmp.Diff(tt.want, creditsOf(t, l, out.Entries)); diff != "" {
				t.Errorf("credits (-want +got):\n%s", diff)
			}
			stored, _ := l.Entries(ctx, 0, 100)
			if diff := cmp.Diff(tt.want, creditsOf(t, l, stored)); diff != "" {
				t.Errorf("stored credits (-want +got):\n%s", diff)
			}
			for _, e := range out.Entries {
				if !strings.Contains(e.Note, tt.note) || strings.Contains(e.Note, "@") {
					t.Errorf("note %q: want %q in it and no e-mail address", e.Note, tt.note)
				}
				if e.Source != ledger.SourceGitHub || !e.OccurredAt.Equal(pr.MergedAt) || e.URL != pr.URL || e.Actor != "github:Codertocat" {
					t.Errorf("entry %+v: want source github, occurred at the merge, the pull request's url, actor github:Codertocat", e)
				}
			}
		})
	}
}

// manyCoauthors is n trailers, each naming another GitHub user by their
// noreply address: devN, of id 1000+N.
func manyCoauthors(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "Co-authored-by: dev%d <%d+dev%d@users.noreply.github.com>\n", i, 1000+i, i)
	}
	return b.String()
}

func labels(names ...string) func(pr *bot.PullRequest) {
	return func(pr *bot.PullRequest) { pr.Labels = names }
}

func body(trailers string) func(pr *bot.PullRequest) {
	return func(pr *bot.PullRequest) { pr.Body = "This is a pretty simple change.\n\n" + trailers + "\n" }
}

func submitted(state string) bot.Review {
	return bot.Review{
		ID: 237895671, Reviewer: bot.GitHubUser{ID: 583231, Login: "octocat"}, State: state,
		SubmittedAt: now.Add(-2 * time.Hour), URL: "https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-237895671",
		PullRequest: mergedPR(),
	}
}

func TestReviewRules(t *testing.T) {
	approved := []ghCredit{{"octocat", 2, "review", "github:github.com:review:237895671"}}
	tests := []struct {
		name   string
		rules  func(r *bot.GitHubRules)
		review func(r *bot.Review)
		want   []ghCredit
		skip   string
	}{
		{name: "approved", want: approved},
		{name: "changes requested", review: state("changes_requested"),
			want: []ghCredit{{"octocat", 2, "review", "github:github.com:review:237895671"}}},
		{name: "upper case state of the REST API", review: state("APPROVED"), want: approved},
		{name: "commented", review: state("commented"), skip: "a commented review earns nothing"},
		{name: "dismissed", review: state("DISMISSED"), skip: "a dismissed review earns nothing"},
		{name: "own pull request", review: func(r *bot.Review) { r.Reviewer = r.PullRequest.Author },
			skip: "reviewing one's own pull request earns nothing"},
		{name: "bot reviewer", review: func(r *bot.Review) { r.Reviewer = bot.GitHubUser{ID: 5, Login: "copilot[bot]"} },
			skip: "copilot[bot] is a bot"},
		{name: "ignored reviewer", rules: func(r *bot.GitHubRules) { r.IgnoreUsers = []string{"OctoCat"} },
			skip: "octocat is in github.ignore_users"},
		{name: "repository not allowed", rules: func(r *bot.GitHubRules) { r.Repos = []string{"a/b"} },
			skip: "repository Codertocat/Hello-World is not in github.repos"},
		{name: "skip label on the pull request", review: func(r *bot.Review) { r.PullRequest.Labels = []string{"no-credit"} },
			skip: "label no-credit credits nothing"},
		{name: "unmerged pull request", review: func(r *bot.Review) { r.PullRequest.Merged = false }, want: approved},
		{name: "review points", rules: func(r *bot.GitHubRules) { r.Review = 3 },
			want: []ghCredit{{"octocat", 3, "review", "github:github.com:review:237895671"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules := defaultRules()
			if tt.rules != nil {
				tt.rules(&rules)
			}
			g, l := newGitHub(t, rules)
			r := submitted("approved")
			if tt.review != nil {
				tt.review(&r)
			}
			out, err := g.ReviewSubmitted(context.Background(), bot.Delivery{ID: "d-1", Event: "pull_request_review"}, r)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus := bot.OutcomeCredited
			if tt.skip != "" {
				wantStatus = bot.OutcomeSkipped
			}
			if out.Status != wantStatus || out.Reason != tt.skip {
				t.Errorf("outcome %s %q, want %s %q", out.Status, out.Reason, wantStatus, tt.skip)
			}
			stored, _ := l.Entries(context.Background(), 0, 100)
			if diff := cmp.Diff(tt.want, creditsOf(t, l, stored)); diff != "" {
				t.Errorf("stored credits (-want +got):\n%s", diff)
			}
		})
	}
}

func state(s string) func(r *bot.Review) {
	return func(r *bot.Review) { r.State = s }
}

func TestGitHubCreditsOncePerPath(t *testing.T) {
	g, l := newGitHub(t, defaultRules())
	ctx := context.Background()
	pr := mergedPR()
	steps := []struct {
		name     string
		delivery bot.Delivery
		want     string
	}{
		{"webhook", bot.Delivery{ID: "d-1", Event: "pull_request"}, bot.OutcomeCredited},
		{"redelivery", bot.Delivery{ID: "d-1", Event: "pull_request"}, bot.OutcomeRedelivery},
		{"another delivery id", bot.Delivery{ID: "d-2", Event: "pull_request"}, bot.OutcomeDuplicate},
		{"no delivery (reconcile)", bot.Delivery{}, bot.OutcomeDuplicate},
	}
	for _, s := range steps {
		out, err := g.PullRequestMerged(ctx, s.delivery, pr)
		if err != nil || out.Status != s.want {
			t.Errorf("%s: %s, %v; want %s", s.name, out.Status, err, s.want)
		}
	}
	if head, _ := l.Head(ctx); head.Seq != 1 {
		t.Errorf("head seq %d, want 1", head.Seq)
	}
}

func TestGitHubRefusesIncompleteEvents(t *testing.T) {
	g, l := newGitHub(t, defaultRules())
	ctx := context.Background()
	for name, edit := range map[string]func(pr *bot.PullRequest){
		"no host":      func(pr *bot.PullRequest) { pr.Host = "" },
		"no repo id":   func(pr *bot.PullRequest) { pr.RepoID = 0 },
		"no number":    func(pr *bot.PullRequest) { pr.Number = 0 },
		"no author id": func(pr *bot.PullRequest) { pr.Author.ID = 0 },
	} {
		pr := mergedPR()
		edit(&pr)
		if _, err := g.PullRequestMerged(ctx, bot.Delivery{ID: name, Event: "pull_request"}, pr); bot.ErrorCode(err) != bot.CodeInvalid {
			t.Errorf("%s: %v, want an invalid request", name, err)
		}
	}
	r := submitted("approved")
	r.ID = 0
	if _, err := g.ReviewSubmitted(ctx, bot.Delivery{ID: "r", Event: "pull_request_review"}, r); bot.ErrorCode(err) != bot.CodeInvalid {
		t.Errorf("review without id: %v, want an invalid request", err)
	}
	if head, _ := l.Head(ctx); head.Seq != 0 {
		t.Errorf("head seq %d, want 0", head.Seq)
	}
}

func TestGitHubRulesCheck(t *testing.T) {
	rules := defaultRules()
	if err := rules.Check([]string{"code", "review", "doc", "security"}); err != nil {
		t.Errorf("default rules: %v", err)
	}
	want := `github: label security category "security" is not one of scoring.categories (code, review, doc)`
	if err := rules.Check([]string{"code", "review", "doc"}); err == nil || err.Error() != want {
		t.Errorf("missing category: %v, want %q", err, want)
	}
	want = `github: review category "review" is not one of scoring.categories (code, doc, security)`
	if err := rules.Check([]string{"code", "doc", "security"}); err == nil || err.Error() != want {
		t.Errorf("missing review: %v, want %q", err, want)
	}
}

func TestParseCoauthors(t *testing.T) {
	body := "Fixes #1.\n\nCo-authored-by: Mona Lisa <583231+octocat@users.noreply.github.com>\r\n" +
		"  co-authored-by:Hubot <hubot@users.noreply.github.com>\n" +
		"CO-AUTHORED-BY: Same Again <583231+OCTOCAT@users.noreply.github.com>\n" +
		"Signed-off-by: Someone <s@example.org>\n" +
		"Co-authored-by: <anon@example.org>\n" +
		"Not a trailer: Co-authored-by: X <x@example.org>\n" +
		"Co-authored-by: Broken <no closing bracket\n"
	want := []bot.Coauthor{
		{"Mona Lisa", "583231+octocat@users.noreply.github.com"},
		{"Hubot", "hubot@users.noreply.github.com"},
		{"", "anon@example.org"},
	}
	got, more := bot.ParseCoauthors(body, bot.MaxCoauthors)
	if diff := cmp.Diff(want, got); diff != "" || more != 0 {
		t.Errorf("co-authors (-want +got):\n%s; %d more, want 0", diff, more)
	}
	// Past the limit, a trailer of an address kept is the same co-author;
	// any other counts, each time it comes.
	got, more = bot.ParseCoauthors(body+"Co-authored-by: X <x@example.org>\nco-authored-by: H <HUBOT@users.noreply.github.com>\n"+
		"Co-authored-by: X <X@example.org>\n", 2)
	if diff := cmp.Diff(want[:2], got); diff != "" || more != 3 {
		t.Errorf("the first 2 co-authors (-want +got):\n%s; %d more, want 3", diff, more)
	}
}

func TestNoreplyUser(t *testing.T) {
	tests := []struct {
		email, host string
		want        bot.GitHubUser
		ok          bool
	}{
		{"583231+octocat@users.noreply.github.com", "github.com", bot.GitHubUser{ID: 583231, Login: "octocat"}, true},
		{"583231+Octo-Cat@Users.NoReply.GitHub.com", "github.com", bot.GitHubUser{ID: 583231, Login: "Octo-Cat"}, true},
		{"octocat@users.noreply.github.com", "github.com", bot.GitHubUser{Login: "octocat"}, true},
		{"49699333+dependabot[bot]@users.noreply.github.com", "github.com", bot.GitHubUser{ID: 49699333, Login: "dependabot[bot]"}, true},
		{"7+alice@users.noreply.ghe.example.org", "ghe.example.org", bot.GitHubUser{ID: 7, Login: "alice"}, true},
		{"7+alice@users.noreply.ghe.example.org", "github.com", bot.GitHubUser{}, false},
		{"octocat@github.com", "github.com", bot.GitHubUser{}, false},
		{"0+octocat@users.noreply.github.com", "github.com", bot.GitHubUser{}, false},
		{"-bad@users.noreply.github.com", "github.com", bot.GitHubUser{}, false},
	}
	for _, tt := range tests {
		got, ok := bot.NoreplyUser(tt.email, tt.host)
		if ok != tt.ok || got != tt.want {
			t.Errorf("NoreplyUser(%q, %q) = %+v, %v; want %+v, %v", tt.email, tt.host, got, ok, tt.want, tt.ok)
		}
	}
}

// TestGitHubNoteShowsWhatItSays: a pull request's title and a co-author's
// name are GitHub's, so a hidden character in them is cleaned rather than
// refused: the credit's note holds no direction override to make it read
// as something else, and no terminal escape.
func TestGitHubNoteShowsWhatItSays(t *testing.T) {
	g, l := newGitHub(t, defaultRules())
	ctx := context.Background()
	pr := mergedPR()
	pr.Title = "Fix \u202egnp.exe\u202c \x1b[31mbuild\tscript"
	pr.Body = "Co-authored-by: Mal\u2067lory\u2069 <mallory@example.org>"
	if out, err := g.PullRequestMerged(ctx, bot.Delivery{ID: "d-1", Event: "pull_request"}, pr); err != nil || out.Status != bot.OutcomeCredited {
		t.Fatalf("PullRequestMerged = %+v, %v", out, err)
	}
	e, err := l.Entry(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "Codertocat/Hello-World#2: Fix gnp.exe  [31mbuild script · not credited (no GitHub account or linked e-mail): Mallory"
	if e.Note != want {
		t.Errorf("note = %q, want %q", e.Note, want)
	}
}
