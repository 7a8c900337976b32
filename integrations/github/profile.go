package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-github/v60/github"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/redact"
)

// profileTimeout bounds a profile read: someone is waiting on /link, and
// the bot tells them to retry rather than wait out a rate limit.
const profileTimeout = 10 * time.Second

var _ bot.GitHubProfiles = (*Client)(nil)

// Profile returns a user's id, login and bio, for the one-time code of
// /link. It tries once: a failure is for the member to retry.
func (c *Client) Profile(ctx context.Context, login string) (bot.GitHubProfile, error) {
	ctx, cancel := context.WithTimeout(ctx, profileTimeout)
	defer cancel()
	u, _, err := c.client().Users.Get(ctx, login)
	var ghErr *github.ErrorResponse
	if errors.As(err, &ghErr) && ghErr.Response != nil && ghErr.Response.StatusCode == http.StatusNotFound {
		return bot.GitHubProfile{}, fmt.Errorf("github user %s: %w", login, bot.ErrNoGitHubUser)
	} else if err != nil {
		// go-github quotes the URL and GitHub's answer: both are cut and redacted.
		return bot.GitHubProfile{}, fmt.Errorf("github user %s: %w", login, redact.New().Error(err))
	}
	return bot.GitHubProfile{ID: u.GetID(), Login: u.GetLogin(), Bio: u.GetBio()}, nil
}
