package github

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/google/go-github/v60/github"
)

// The webhook decodes, from a pull_request or pull_request_review payload,
// only the fields a credit reads, into the types below, and then builds
// the go-github event from them, so that the checks of event.go apply
// unchanged. A payload is ~30 KB, mostly the head and base repositories
// and URL fields that nothing reads: go-github's full parse allocates a
// pointer for each of them and was a third of a webhook's CPU.
//
// encoding/json then still read every body twice, once to validate it and
// once to skip what the types lack: 185 µs for the recorded 29 KB payload.
// The JSON v2 decoder validates as it skips, in one pass (40 µs), with the
// options below keeping what encoding/json accepted, so that a body the
// full parse credits is credited the same (FuzzNarrowDecoding).

// unmarshal decodes a payload as encoding/json would. Names match
// case-insensitively, but only as strings.EqualFold does; a repeated name
// is taken, its last value winning, without the map of every object's
// names that rejecting it needs (40% of the decoding, and the body is
// signed by then); invalid UTF-8 becomes U+FFFD.
func unmarshal(payload []byte, v any) error {
	return json.Unmarshal(payload, v, json.MatchCaseInsensitiveNames(true),
		jsonv1.MatchCaseSensitiveDelimiter(true), jsontext.AllowDuplicateNames(true),
		jsontext.AllowInvalidUTF8(true))
}

type prEventFields struct {
	Action      *string      `json:"action"`
	PullRequest *prFields    `json:"pull_request"`
	Repo        *repoFields  `json:"repository"`
	Sender      *userFields  `json:"sender"`
	Review      *reviewField `json:"review"`
}

type prFields struct {
	Number    *int              `json:"number"`
	Title     *string           `json:"title"`
	Body      *string           `json:"body"`
	HTMLURL   *string           `json:"html_url"`
	User      *userFields       `json:"user"`
	Labels    []*labelFields    `json:"labels"`
	Merged    *bool             `json:"merged"`
	MergedAt  *github.Timestamp `json:"merged_at"`
	MergedBy  *userFields       `json:"merged_by"`
	UpdatedAt *github.Timestamp `json:"updated_at"`
	Base      *struct {
		Repo *repoFields `json:"repo"`
	} `json:"base"`
}

type repoFields struct {
	ID       *int64  `json:"id"`
	FullName *string `json:"full_name"`
	HTMLURL  *string `json:"html_url"`
}

type userFields struct {
	ID    *int64  `json:"id"`
	Login *string `json:"login"`
	Type  *string `json:"type"`
}

type labelFields struct {
	Name *string `json:"name"`
}

type reviewField struct {
	ID          *int64            `json:"id"`
	User        *userFields       `json:"user"`
	State       *string           `json:"state"`
	SubmittedAt *github.Timestamp `json:"submitted_at"`
	HTMLURL     *string           `json:"html_url"`
}

// decodePullRequestEvent reads what a credit needs of a pull_request
// payload.
func decodePullRequestEvent(payload []byte) (*github.PullRequestEvent, error) {
	var f prEventFields
	if err := unmarshal(payload, &f); err != nil {
		return nil, err
	}
	return &github.PullRequestEvent{Action: f.Action, PullRequest: f.PullRequest.pullRequest(),
		Repo: f.Repo.repository(), Sender: f.Sender.user()}, nil
}

// decodeReviewEvent reads what a credit needs of a pull_request_review
// payload.
func decodeReviewEvent(payload []byte) (*github.PullRequestReviewEvent, error) {
	var f prEventFields
	if err := unmarshal(payload, &f); err != nil {
		return nil, err
	}
	return &github.PullRequestReviewEvent{Action: f.Action, PullRequest: f.PullRequest.pullRequest(),
		Repo: f.Repo.repository(), Review: f.Review.review()}, nil
}

func (p *prFields) pullRequest() *github.PullRequest {
	if p == nil {
		return nil
	}
	pr := &github.PullRequest{
		Number: p.Number, Title: p.Title, Body: p.Body, HTMLURL: p.HTMLURL, User: p.User.user(),
		Merged: p.Merged, MergedAt: p.MergedAt, MergedBy: p.MergedBy.user(), UpdatedAt: p.UpdatedAt,
	}
	if p.Base != nil {
		pr.Base = &github.PullRequestBranch{Repo: p.Base.Repo.repository()}
	}
	if p.Labels != nil {
		pr.Labels = make([]*github.Label, len(p.Labels))
		for i, l := range p.Labels {
			if l != nil {
				pr.Labels[i] = &github.Label{Name: l.Name}
			}
		}
	}
	return pr
}

func (r *repoFields) repository() *github.Repository {
	if r == nil {
		return nil
	}
	return &github.Repository{ID: r.ID, FullName: r.FullName, HTMLURL: r.HTMLURL}
}

func (u *userFields) user() *github.User {
	if u == nil {
		return nil
	}
	return &github.User{ID: u.ID, Login: u.Login, Type: u.Type}
}

func (r *reviewField) review() *github.PullRequestReview {
	if r == nil {
		return nil
	}
	return &github.PullRequestReview{ID: r.ID, User: r.User.user(), State: r.State,
		SubmittedAt: r.SubmittedAt, HTMLURL: r.HTMLURL}
}
