package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

var (
	pullsPath   = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls$`)
	reviewsPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/pulls/([0-9]+)/reviews$`)
	userPath    = regexp.MustCompile(`^/users/([^/]+)$`)
)

// ServeHTTP answers one request and records it.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	delay := a.delay
	a.mu.Unlock()
	time.Sleep(delay)
	a.mu.Lock()
	defer a.mu.Unlock()
	req := Request{Path: r.URL.Path, Query: r.URL.Query(), Auth: r.Header.Get("Authorization")}
	req.Status, req.Fault = a.respond(w, r)
	a.requests = append(a.requests, req)
}

func (a *API) respond(w http.ResponseWriter, r *http.Request) (status int, fault string) {
	now := a.clock.Now()
	if !now.Before(a.reset) {
		a.remaining, a.reset = a.limit, now.Add(time.Hour).Truncate(time.Second)
	}
	path := strings.TrimPrefix(r.URL.Path, prefix)
	if pullsPath.MatchString(path) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if faults := a.faults[max(page, 1)]; len(faults) > 0 {
			fault, a.faults[max(page, 1)] = faults[0], faults[1:]
		}
	}
	switch {
	case now.Before(a.blocked):
		a.tooEarly++
		return a.secondaryLimit(w), FaultSecondary
	case fault == FaultSecondary:
		a.blocked = now.Add(time.Minute)
		return a.secondaryLimit(w), fault
	case fault == FaultBadGateway:
		return a.write(w, http.StatusBadGateway, map[string]any{"message": "Server Error"}, nil), fault
	case a.remaining == 0:
		if len(a.resets) > 0 && a.resets[len(a.resets)-1].Equal(a.reset) {
			a.tooEarly++ // refused before, and asked again before the reset
		}
		a.resets = append(a.resets, a.reset)
		return a.write(w, http.StatusForbidden, map[string]any{
			"message":           "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)",
			"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
		}, nil), ""
	}
	a.remaining--
	if m := pullsPath.FindStringSubmatch(path); m != nil && a.isRepo(m[1], m[2]) {
		return a.list(w, r, a.listPulls(r.URL.Query())), ""
	}
	if m := reviewsPath.FindStringSubmatch(path); m != nil && a.isRepo(m[1], m[2]) {
		number, _ := strconv.Atoi(m[3])
		return a.list(w, r, a.reviews[number]), ""
	}
	if m := userPath.FindStringSubmatch(path); m != nil {
		return a.user(w, m[1]), ""
	}
	return a.write(w, http.StatusNotFound, map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, nil), ""
}

// user answers a profile as GET /users/{login} does.
func (a *API) user(w http.ResponseWriter, login string) int {
	u, ok := a.users[strings.ToLower(login)]
	if !ok {
		return a.write(w, http.StatusNotFound, map[string]any{
			"message": "Not Found", "documentation_url": "https://docs.github.com/rest/users/users#get-a-user"}, nil)
	}
	return a.write(w, http.StatusOK, map[string]any{"login": u.Login, "id": u.ID, "type": "User", "bio": u.Bio}, nil)
}

func (a *API) isRepo(owner, name string) bool {
	return strings.EqualFold(owner, Owner) && strings.EqualFold(name, Name)
}

// listPulls filters and sorts the pull requests as the query asks, with
// GitHub's defaults: open, by creation, descending.
func (a *API) listPulls(q url.Values) []map[string]any {
	state, sortBy, direction := q.Get("state"), q.Get("sort"), q.Get("direction")
	if state == "" {
		state = "open"
	}
	if sortBy == "" {
		sortBy = "created"
	}
	if direction == "" {
		direction = "desc"
		if sortBy != "created" {
			direction = "asc"
		}
	}
	var prs []map[string]any
	for _, pr := range a.pulls {
		if state == "all" || pr["state"] == state {
			prs = append(prs, pr)
		}
	}
	key := sortBy + "_at"
	sort.SliceStable(prs, func(i, j int) bool {
		if direction == "desc" {
			return prs[i][key].(string) > prs[j][key].(string)
		}
		return prs[i][key].(string) < prs[j][key].(string)
	})
	return prs
}

// list writes one page of items, per_page (default 30, at most 100) at a
// time, with the Link header GitHub sends.
func (a *API) list(w http.ResponseWriter, r *http.Request, items []map[string]any) int {
	q := r.URL.Query()
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	if perPage <= 0 {
		perPage = 30
	}
	perPage = min(perPage, 100)
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	last := max((len(items)+perPage-1)/perPage, 1)
	lo, hi := min((page-1)*perPage, len(items)), min(page*perPage, len(items))
	body := items[lo:hi]
	if body == nil {
		body = []map[string]any{}
	}
	return a.write(w, http.StatusOK, body, linkHeader(r, page, last))
}

// linkHeader is GitHub's Link header: prev, next, last, first, each
// present only where it leads somewhere, keeping the request's query.
func linkHeader(r *http.Request, page, last int) http.Header {
	link := func(p int, rel string) string {
		u := *r.URL
		u.Scheme, u.Host = "http", r.Host
		q := u.Query()
		q.Set("page", strconv.Itoa(p))
		u.RawQuery = q.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(page-1, "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) == 0 {
		return nil
	}
	return http.Header{"Link": {strings.Join(links, ", ")}}
}

func (a *API) secondaryLimit(w http.ResponseWriter) int {
	wait := int(a.blocked.Sub(a.clock.Now()).Round(time.Second) / time.Second)
	return a.write(w, http.StatusForbidden, map[string]any{
		"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
		"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
	}, http.Header{"Retry-After": {strconv.Itoa(wait)}})
}

// write answers with the headers every GitHub API response carries.
func (a *API) write(w http.ResponseWriter, status int, body any, extra http.Header) int {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("ETag", `"00000000000000000000000000000000"`)
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-RateLimit-Limit", strconv.Itoa(a.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(a.remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(a.limit-a.remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(a.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	for k, v := range extra {
		h[k] = v
	}
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(body); err != nil {
		a.tb.Errorf("githubtest: %v", err)
	}
	return status
}
