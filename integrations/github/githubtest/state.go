package githubtest

import (
	"strconv"
	"strings"
	"time"
)

// AddPulls adds pull requests, in the shape the list answers them.
func (a *API) AddPulls(prs ...map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pulls = append(a.pulls, prs...)
}

// SetReviews sets the reviews of pull request n.
func (a *API) SetReviews(n int, reviews ...map[string]any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reviews[n] = reviews
}

// SetUser adds or replaces a profile.
func (a *API) SetUser(u User) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[strings.ToLower(u.Login)] = u
}

// SetDelay makes every answer wait d, as a slow API would.
func (a *API) SetDelay(d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.delay = d
}

// Fail injects faults, in order, into the next requests of page n of the
// pull request list.
func (a *API) Fail(page int, faults ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults[page] = append(a.faults[page], faults...)
}

// Requests are the requests received, in order.
func (a *API) Requests() []Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Request(nil), a.requests...)
}

// TooEarly counts the requests sent during a rate limit, after being told
// to wait.
func (a *API) TooEarly() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.tooEarly
}

// Resets are the resets announced by the primary rate limit refusals.
func (a *API) Resets() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]time.Time(nil), a.resets...)
}

// ListedPages are the pages of the pull request list requested, in order,
// each with the status of its answer or the fault injected, e.g. "2:200",
// "2:403" (the primary rate limit), "3:secondary".
func (a *API) ListedPages() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var pages []string
	for _, r := range a.requests {
		if pullsPath.MatchString(strings.TrimPrefix(r.Path, prefix)) {
			outcome := strconv.Itoa(r.Status)
			if r.Fault != "" {
				outcome = r.Fault
			}
			pages = append(pages, r.Query.Get("page")+":"+outcome)
		}
	}
	return pages
}
