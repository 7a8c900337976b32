package discord

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/redact"
)

// GitHubProfiles reads public GitHub profiles with go-github, for the
// one-time code of /link. It implements bot.GitHubProfiles.
type GitHubProfiles struct {
	Client *github.Client
}

// NewGitHubProfiles returns a reader of the REST API at apiURL (github.api_url:
// "" for api.github.com, https://HOST/api/v3/ for GitHub Enterprise) with
// an optional token, through hc (nil for one with a timeout).
func NewGitHubProfiles(apiURL, token string, hc *http.Client) (*GitHubProfiles, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	c := github.NewClient(hc)
	if token != "" {
		c = c.WithAuthToken(token)
	}
	if apiURL != "" {
		u, err := url.Parse(strings.TrimSuffix(apiURL, "/") + "/")
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("github.api_url %q: give an absolute URL", apiURL)
		}
		c.BaseURL = u
	}
	return &GitHubProfiles{Client: c}, nil
}

// Profile returns a user's id, login and bio.
func (p *GitHubProfiles) Profile(ctx context.Context, login string) (bot.GitHubProfile, error) {
	u, _, err := p.Client.Users.Get(ctx, login)
	var ghErr *github.ErrorResponse
	if errors.As(err, &ghErr) && ghErr.Response != nil && ghErr.Response.StatusCode == http.StatusNotFound {
		return bot.GitHubProfile{}, fmt.Errorf("github user %s: %w", login, bot.ErrNoGitHubUser)
	} else if err != nil {
		// go-github quotes the URL and GitHub's answer: both are cut and redacted.
		return bot.GitHubProfile{}, fmt.Errorf("github user %s: %w", login, redact.New().Error(err))
	}
	return bot.GitHubProfile{ID: u.GetID(), Login: u.GetLogin(), Bio: u.GetBio()}, nil
}
