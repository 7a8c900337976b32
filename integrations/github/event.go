package github

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-github/v60/github"

	"github.com/docracy/docracy/bot"
)

// fieldError is a field an event must carry to be credited, missing or
// unusable: the webhook answers it with 400.
type fieldError struct{ msg string }

func (e *fieldError) Error() string { return e.msg }

func missing(field string) error { return &fieldError{"missing " + field} }

// pullRequest normalises a pull request of a webhook payload or of the REST
// API into what the bot credits. prefix names the payload's field in
// errors ("pull_request" in a webhook).
func pullRequest(p *github.PullRequest, repo *github.Repository, prefix string) (bot.PullRequest, error) {
	if p == nil {
		return bot.PullRequest{}, missing(prefix)
	}
	if repo == nil {
		repo = p.GetBase().GetRepo()
	}
	switch {
	case repo.GetID() <= 0:
		return bot.PullRequest{}, missing("repository.id")
	case repo.GetFullName() == "":
		return bot.PullRequest{}, missing("repository.full_name")
	case p.GetNumber() <= 0:
		return bot.PullRequest{}, missing(prefix + ".number")
	}
	host, err := hostOf(repo.GetHTMLURL(), p.GetHTMLURL())
	if err != nil {
		return bot.PullRequest{}, err
	}
	author, err := user(p.User, prefix+".user")
	if err != nil {
		return bot.PullRequest{}, err
	}
	pr := bot.PullRequest{
		Host: host, RepoID: repo.GetID(), Repo: repo.GetFullName(), Number: p.GetNumber(),
		Title: p.GetTitle(), Body: p.GetBody(), URL: p.GetHTMLURL(), Author: author,
		Merged:   p.GetMerged() || p.MergedAt != nil, // the REST list leaves "merged" out
		MergedAt: p.GetMergedAt().Time, MergedBy: p.GetMergedBy().GetLogin(), UpdatedAt: p.GetUpdatedAt().Time,
	}
	if pr.Merged && pr.MergedAt.IsZero() {
		return bot.PullRequest{}, missing(prefix + ".merged_at")
	}
	for _, l := range p.Labels {
		if l.GetName() != "" {
			pr.Labels = append(pr.Labels, l.GetName())
		}
	}
	return pr, nil
}

// review normalises a submitted review; pr is the pull request reviewed.
func review(r *github.PullRequestReview, pr bot.PullRequest, prefix string) (bot.Review, error) {
	if r == nil {
		return bot.Review{}, missing(prefix)
	}
	if r.GetID() <= 0 {
		return bot.Review{}, missing(prefix + ".id")
	}
	reviewer, err := user(r.User, prefix+".user")
	if err != nil {
		return bot.Review{}, err
	}
	return bot.Review{
		ID: r.GetID(), Reviewer: reviewer, State: r.GetState(), SubmittedAt: r.GetSubmittedAt().Time,
		URL: r.GetHTMLURL(), PullRequest: pr,
	}, nil
}

func user(u *github.User, field string) (bot.GitHubUser, error) {
	switch {
	case u == nil:
		return bot.GitHubUser{}, missing(field)
	case u.GetID() <= 0:
		return bot.GitHubUser{}, missing(field + ".id")
	case u.GetLogin() == "":
		return bot.GitHubUser{}, missing(field + ".login")
	}
	return bot.GitHubUser{ID: u.GetID(), Login: u.GetLogin(), Bot: u.GetType() == "Bot"}, nil
}

// hostOf is the GitHub host of a repository's or pull request's page: the
// <host> of the credit keys, github.com or an Enterprise host.
func hostOf(pages ...string) (string, error) {
	for _, page := range pages {
		if page == "" {
			continue
		}
		u, err := url.Parse(page)
		if err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return "", &fieldError{fmt.Sprintf("html_url %q is not a web address", page)}
		}
		return strings.ToLower(u.Hostname()), nil
	}
	return "", missing("repository.html_url")
}
