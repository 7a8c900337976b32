package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/docracy/docracy/ledger"
)

// author is someone a merged pull request credits: its author or a
// co-author.
type author struct {
	key     string         // ends the credit's key: the user id, or login:/member: for the rare rest
	login   string         // lower case, to tell the same person named twice; may be empty
	account ledger.Account // the GitHub account credited, or
	member  int64          // the member found by a linked e-mail
	name    string         // for the note
}

// pullRequest turns a merged pull request into its credits, or says why it
// earns none.
func (g *GitHub) pullRequest(ctx context.Context, pr PullRequest) (c ledger.Contribution, skip string, err error) {
	if err := checkPullRequest(pr); err != nil {
		return c, "", err
	}
	if pr.Merged {
		if err := checkOccurred("merged_at", pr.MergedAt, g.now()); err != nil {
			return c, "", err
		}
	}
	switch {
	case !pr.Merged || pr.MergedAt.IsZero():
		return c, "not merged", nil
	case !g.Rules.Allowed(pr.Repo):
		return c, "repository " + pr.Repo + " is not in github.repos", nil
	}
	category, points, skip := g.Rules.labelled(pr.Labels)
	if skip != "" {
		return c, skip, nil
	}
	if points == 0 {
		return c, "worth 0 points", nil
	}
	authors, left, err := g.authors(ctx, pr)
	if err != nil {
		return c, "", err
	}
	if len(authors) == 0 {
		return c, "no one to credit: " + g.Rules.ignored(pr.Author), nil
	}
	c.Prefix = prPrefix(pr)
	note := prNote(pr, authors, left)
	weights := make([]int64, len(authors))
	for i := range weights {
		weights[i] = 1
	}
	for i, share := range largestRemainder(points, weights) {
		if share == 0 {
			continue // fewer points than authors: the first ones get them
		}
		a := authors[i]
		c.Credits = append(c.Credits, ledger.AccountCredit{Account: a.account, Member: a.member, Entry: ledger.NewEntry{
			Kind: ledger.KindCredit, Category: category, Points: share, OccurredAt: pr.MergedAt,
			Source: ledger.SourceGitHub, SourceRef: c.Prefix + "author:" + a.key,
			Actor: githubActor(pr.Host, pr.MergedBy), Note: note, URL: safeURL(pr.URL),
		}})
	}
	return c, "", nil
}

// checkPullRequest refuses a pull request without the fields its key and
// credit are made of; integrations/github answers such a webhook with 400
// before it gets here.
func checkPullRequest(pr PullRequest) error {
	switch {
	case pr.Host == "" || strings.ContainsAny(pr.Host, ": /"):
		return invalidf("host", "pull request: host %q is not a GitHub host", pr.Host)
	case pr.RepoID <= 0 || pr.Repo == "":
		return invalidf("repository", "pull request: repository id and name are required")
	case pr.Number <= 0:
		return invalidf("number", "pull request: number must be positive")
	case pr.Author.ID <= 0 || pr.Author.Login == "":
		return invalidf("author", "pull request: author id and login are required")
	}
	return nil
}

// authors returns who shares a pull request's points, the author first and
// then the co-authors in trailer order, each person once; and, for the
// note, the co-authors it leaves out. Bots and ignored users are left out
// and not named.
func (g *GitHub) authors(ctx context.Context, pr PullRequest) (authors []author, left leftOut, err error) {
	seen := map[string]bool{}
	add := func(a author) {
		if seen[a.key] || (a.login != "" && seen["login:"+a.login]) {
			return
		}
		seen[a.key] = true
		if a.login != "" {
			seen["login:"+a.login] = true
		}
		authors = append(authors, a)
	}
	prAuthor := userAuthor(pr.Author)
	// The pull request's author is never a co-author of it, bot or not.
	seen[prAuthor.key], seen["login:"+prAuthor.login] = true, true
	if g.Rules.ignored(pr.Author) == "" {
		authors = append(authors, prAuthor)
	}
	authorMember := int64(-1) // looked up on first need
	coauthors, unread := ParseCoauthors(pr.Body, MaxCoauthors)
	left.unread = unread
	for _, c := range coauthors {
		if u, ok := NoreplyUser(c.Email, pr.Host); ok {
			if g.Rules.ignored(u) == "" {
				add(userAuthor(u))
			}
			continue
		}
		m, err := g.Ledger.MemberByEmail(ctx, c.Email)
		if errors.Is(err, ledger.ErrNotFound) {
			left.unresolved = append(left.unresolved, coauthorName(c))
			continue
		} else if err != nil {
			return nil, left, fmt.Errorf("co-author: %w", err)
		}
		if authorMember == -1 {
			if authorMember, err = g.memberOf(ctx, pr.Author); err != nil {
				return nil, left, err
			}
		}
		if a, ok := g.memberAuthor(m); ok && m.ID != authorMember {
			add(a)
		}
	}
	return authors, left, nil
}

// leftOut is who a pull request's note names as not credited.
type leftOut struct {
	unresolved []string // co-authors who resolve to no one, by name
	unread     int      // trailers past the first MaxCoauthors co-authors
}

// memberOf returns the id of the member holding a GitHub account, 0 when
// there is none yet.
func (g *GitHub) memberOf(ctx context.Context, u GitHubUser) (int64, error) {
	m, err := g.Ledger.MemberByAccount(ctx, ledger.PlatformGitHub, strconv.FormatInt(u.ID, 10))
	if errors.Is(err, ledger.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("author: %w", err)
	}
	return m.ID, nil
}

func userAuthor(u GitHubUser) author {
	login := strings.ToLower(u.Login)
	a := author{login: login, name: u.Login, account: ledger.Account{Platform: ledger.PlatformGitHub, Login: u.Login}}
	if u.ID > 0 {
		a.key = strconv.FormatInt(u.ID, 10)
		a.account.ExternalID = a.key
	} else {
		a.key = "login:" + login
	}
	return a
}

// memberAuthor is a co-author found by a linked e-mail. Their key is their
// GitHub id when they hold an account, so that a trailer naming them by
// address and one naming them by noreply address are the same person.
// ok is false when they are a bot or ignored.
func (g *GitHub) memberAuthor(m ledger.Member) (a author, ok bool) {
	a = author{key: "member:" + strconv.FormatInt(m.ID, 10), member: m.ID, name: m.Name}
	for _, acc := range m.Accounts {
		if acc.Platform != ledger.PlatformGitHub {
			continue
		}
		if g.Rules.ignored(GitHubUser{Login: acc.Login}) != "" {
			return author{}, false
		}
		if acc.ExternalID != "" && a.login == "" {
			a.key, a.login = acc.ExternalID, strings.ToLower(acc.Login)
		}
	}
	return a, true
}

// coauthorName names an unresolved co-author in a public note: by name,
// never by address, which is private.
func coauthorName(c Coauthor) string {
	if c.Name != "" {
		return c.Name
	}
	return "a co-author with no name"
}

// prNote describes a pull request credit: what was merged, who shared it,
// and which co-authors could not be credited.
func prNote(pr PullRequest, authors []author, left leftOut) string {
	note := fmt.Sprintf("%s#%d: %s", pr.Repo, pr.Number, pr.Title)
	if left.unread > 0 { // before the names, which the clip may cut
		note += fmt.Sprintf(" · %d more Co-authored-by trailers not read (at most %d co-authors are)", left.unread, MaxCoauthors)
	}
	if len(authors) > 1 {
		names := make([]string, len(authors))
		for i, a := range authors {
			names[i] = a.name
		}
		note += " · shared by " + strings.Join(names, ", ")
	}
	if len(left.unresolved) > 0 {
		note += " · not credited (no GitHub account or linked e-mail): " + strings.Join(left.unresolved, ", ")
	}
	return clipText(note, MaxNoteLen)
}

// review turns a review into its credit, or says why it earns none.
func (g *GitHub) review(r Review) (c ledger.Contribution, skip string) {
	pr := r.PullRequest
	state := strings.ToLower(r.State)
	switch {
	case !g.Rules.Allowed(pr.Repo):
		return c, "repository " + pr.Repo + " is not in github.repos"
	case state != "approved" && state != "changes_requested":
		return c, "a " + state + " review earns nothing"
	case g.Rules.ignored(r.Reviewer) != "":
		return c, g.Rules.ignored(r.Reviewer)
	case sameUser(r.Reviewer, pr.Author):
		return c, "reviewing one's own pull request earns nothing"
	case g.Rules.skipLabel(pr.Labels) != "":
		return c, g.Rules.skipLabel(pr.Labels)
	case g.Rules.Review <= 0:
		return c, "scoring.review is 0"
	}
	at := r.SubmittedAt
	if at.IsZero() {
		at = g.now()
	}
	reviewer := userAuthor(r.Reviewer)
	c.Credits = []ledger.AccountCredit{{Account: reviewer.account, Entry: ledger.NewEntry{
		Kind: ledger.KindCredit, Category: g.Rules.reviewCategory(), Points: g.Rules.Review, OccurredAt: at,
		Source: ledger.SourceGitHub, SourceRef: reviewRef(r), Actor: githubActor(pr.Host, r.Reviewer.Login),
		Note: clipText(fmt.Sprintf("%s#%d: %s (%s)", pr.Repo, pr.Number, pr.Title, state), MaxNoteLen),
		URL:  safeURL(r.URL),
	}}}
	return c, ""
}

// checkReviewDate refuses a review dated further ahead than the clock skew.
func (g *GitHub) checkReviewDate(r Review) error {
	return checkOccurred("submitted_at", r.SubmittedAt, g.now())
}

// checkReview refuses a review without the fields its key and credit are
// made of.
func checkReview(r Review) error {
	switch {
	case r.ID <= 0:
		return invalidf("review", "review: id must be positive")
	case r.Reviewer.ID <= 0 || r.Reviewer.Login == "":
		return invalidf("reviewer", "review: reviewer id and login are required")
	}
	return checkPullRequest(r.PullRequest)
}

func sameUser(a, b GitHubUser) bool {
	if a.ID > 0 && b.ID > 0 {
		return a.ID == b.ID
	}
	return a.Login != "" && strings.EqualFold(a.Login, b.Login)
}

// safeURL keeps a link only if it is one a credit may carry.
func safeURL(s string) string {
	if checkURL(s) != nil {
		return ""
	}
	return s
}

// clipText cuts s to at most n characters, marking the cut, as plain text
// (see PlainText).
func clipText(s string, n int) string {
	s = PlainText(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
