package bot

import (
	"regexp"
	"strconv"
	"strings"
)

// Coauthor is a Co-authored-by trailer of a pull request's description.
type Coauthor struct {
	Name  string
	Email string
}

// coauthorTrailer matches a git trailer line; git reads trailer keys
// regardless of case.
var coauthorTrailer = regexp.MustCompile(`(?im)^[ \t]*co-authored-by:[ \t]*([^<\r\n]*?)[ \t]*<([^>\r\n]+)>[ \t]*\r?$`)

// MaxCoauthors is how many co-authors a pull request's description can
// name: more would only split its points into shares of nothing, and each
// costs a lookup while the webhook waits.
const MaxCoauthors = 100

// ParseCoauthors returns the Co-authored-by trailers of a pull request's
// description in order, each address once, at most limit of them; more
// counts the trailers past those whose address is not one of them (a
// trailer repeated there counts each time).
func ParseCoauthors(body string, limit int) (coauthors []Coauthor, more int) {
	seen := map[string]bool{}
	for rest := body; ; {
		m := coauthorTrailer.FindStringSubmatchIndex(rest)
		if m == nil {
			return coauthors, more
		}
		email := strings.TrimSpace(rest[m[4]:m[5]])
		switch key := strings.ToLower(email); {
		case email == "" || seen[key]:
		case len(coauthors) == limit:
			more++
		default:
			seen[key] = true
			coauthors = append(coauthors, Coauthor{Name: strings.TrimSpace(rest[m[2]:m[3]]), Email: email})
		}
		rest = rest[m[1]:] // the match ends before its line break: "^" holds again after it
	}
}

// noreplyLogin is a GitHub login, bots' "[bot]" suffix included.
const noreplyLogin = `([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?)`

var (
	noreplyWithID = regexp.MustCompile(`^([0-9]{1,19})\+` + noreplyLogin + `@(?i:users\.noreply\.)(.+)$`)
	noreplyLegacy = regexp.MustCompile(`^` + noreplyLogin + `@(?i:users\.noreply\.)(.+)$`)
)

// NoreplyUser reads the private commit addresses GitHub gives its users,
// ID+login@users.noreply.<host> and, for older accounts,
// login@users.noreply.<host>. host is the GitHub host of the pull request;
// github.com's addresses are accepted everywhere.
func NoreplyUser(email, host string) (GitHubUser, bool) {
	email = strings.TrimSpace(email)
	hostOK := func(h string) bool { return strings.EqualFold(h, "github.com") || strings.EqualFold(h, host) }
	if m := noreplyWithID.FindStringSubmatch(email); m != nil && hostOK(m[3]) {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err == nil && id > 0 {
			return GitHubUser{ID: id, Login: m[2]}, true
		}
	}
	if m := noreplyLegacy.FindStringSubmatch(email); m != nil && hostOK(m[2]) {
		return GitHubUser{Login: m[1]}, true
	}
	return GitHubUser{}, false
}
