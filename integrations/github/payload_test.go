package github

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v60/github"
)

// recordedPayloads are the recorded deliveries the webhook credits from,
// by event (see testdata/github/LICENSE.octokit-webhooks).
var recordedPayloads = map[string]string{
	"pull_request.closed.merged.json":    eventPullRequest,
	"pull_request.closed.json":           eventPullRequest,
	"pull_request.opened.json":           eventPullRequest,
	"pull_request.labeled.json":          eventPullRequest,
	"pull_request_review.submitted.json": eventReview,
}

// credited is everything the webhook reads of an event: the action, the
// sender, and the normalised pull request and review, or the error that
// refuses them.
type credited struct {
	Action, Sender, Repo string
	PullRequest          any
	Review               any
	Err                  string
}

// creditedFrom normalises a decoded event as the handler does.
func creditedFrom(ev any) credited {
	var c credited
	var p *github.PullRequest
	var repo *github.Repository
	switch ev := ev.(type) {
	case *github.PullRequestEvent:
		c.Action, c.Sender, p, repo = ev.GetAction(), ev.GetSender().GetLogin(), ev.PullRequest, ev.Repo
	case *github.PullRequestReviewEvent:
		c.Action, p, repo = ev.GetAction(), ev.PullRequest, ev.Repo
		c.Review = "none"
	}
	c.Repo = repo.GetFullName()
	pr, err := pullRequest(p, repo, "pull_request")
	if err != nil {
		c.Err = err.Error()
		return c
	}
	c.PullRequest = pr
	if c.Review != nil {
		rv, err := review(ev.(*github.PullRequestReviewEvent).Review, pr, "review")
		c.Review, c.Err = rv, errText(err)
	}
	return c
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// narrow decodes a payload as the webhook does.
func narrow(event string, payload []byte) (any, error) {
	if event == eventReview {
		return decodeReviewEvent(payload)
	}
	return decodePullRequestEvent(payload)
}

// sameCredit checks that the narrow decoding of a payload that go-github
// parses in full credits exactly as the full parse would. A payload the
// full parse refuses may be refused or taken: the narrow one reads fewer
// fields, so a mistyped field nothing reads does not stop it.
func sameCredit(t *testing.T, event string, payload []byte) {
	t.Helper()
	if isObject(payload) != nil {
		return
	}
	full, err := github.ParseWebHook(event, payload)
	if err != nil {
		return
	}
	got, err := narrow(event, payload)
	if err != nil {
		t.Fatalf("%s: the full parse takes the payload, the narrow one refuses it: %v", event, err)
	}
	if diff := cmp.Diff(creditedFrom(full), creditedFrom(got)); diff != "" {
		t.Errorf("%s: the narrow decoding credits otherwise (-full +narrow):\n%s", event, diff)
	}
}

func readRecorded(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata/github/webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNarrowDecodingCreditsAsTheFullParse decodes every recorded payload,
// and variants with each field a credit reads taken away or nulled, both
// ways.
func TestNarrowDecodingCreditsAsTheFullParse(t *testing.T) {
	fields := []string{"action", "sender", "repository", "repository.id", "repository.full_name", "repository.html_url",
		"pull_request", "pull_request.number", "pull_request.title", "pull_request.body", "pull_request.html_url",
		"pull_request.user", "pull_request.user.id", "pull_request.user.login", "pull_request.user.type",
		"pull_request.labels", "pull_request.merged", "pull_request.merged_at", "pull_request.merged_by",
		"pull_request.updated_at", "pull_request.base", "pull_request.base.repo", "review", "review.id",
		"review.user", "review.user.id", "review.state", "review.submitted_at", "review.html_url"}
	for name, event := range recordedPayloads {
		payload := readRecorded(t, name)
		t.Run(name, func(t *testing.T) {
			sameCredit(t, event, payload)
			if creditedFrom(mustNarrow(t, event, payload)).PullRequest == nil {
				t.Fatal("the recorded payload credits nothing: the comparison would prove nothing")
			}
			for _, field := range fields {
				for _, v := range []any{nil, json.RawMessage("null")} {
					sameCredit(t, event, edited(t, payload, field, v))
				}
			}
			for field, v := range variants {
				sameCredit(t, event, edited(t, payload, field, json.RawMessage(v)))
			}
		})
	}
}

// TestNarrowDecodingReadsJSONAsTheFullParse edits the merged payload's
// bytes where JSON decoders part ways: names in another case or spelling,
// a name given twice, text that is not UTF-8. go-github's full parse takes
// each; the narrow decoding must credit the same.
func TestNarrowDecodingReadsJSONAsTheFullParse(t *testing.T) {
	payload := string(readRecorded(t, "pull_request.closed.merged.json"))
	for _, tc := range []struct{ name, old, new string }{
		{"name in capitals", `"action":`, `"ACTION":`},
		{"name in mixed case", `"merged_at":`, `"Merged_At":`},
		{"name without its underscore", `"merged_at":`, `"mergedAt":`},
		{"name with a dash", `"full_name":`, `"full-name":`},
		{"name given twice, the last wins", `"pull_request": {`, `"pull_request": {"title": "first", "number": 1, "merged": false,`},
		{"name given twice, the last null", `"action": "closed",`, `"action": "closed", "action": null,`},
		{"object given twice", `"action": "closed",`, `"action": "closed", "pull_request": {"title": "first", "user": {"login": "x"}},`},
		{"invalid UTF-8", `"title": "Update`, "\"title\": \"\xff\xfeUpdate"},
		{"lone surrogate", `"title": "Update`, `"title": "\ud800Update`},
		{"escaped name", `"merged_at":`, `"merged\u005fat":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(strings.Replace(payload, tc.old, tc.new, 1))
			if string(body) == payload {
				t.Fatalf("%q is not in the payload", tc.old)
			}
			if _, err := github.ParseWebHook(eventPullRequest, body); err != nil {
				t.Fatalf("the full parse refuses the edit, which then proves nothing: %v", err)
			}
			sameCredit(t, eventPullRequest, body)
		})
	}
}

// variants are values the recorded payloads lack that change a credit.
var variants = map[string]string{
	"pull_request.user.type": `"Bot"`, "review.user.type": `"Bot"`,
	"pull_request.labels":    `[{"name":"docs"},null,{"name":""},{"id":5}]`,
	"pull_request.merged_by": `{"login":"octocat","id":1}`,
	"pull_request.base.repo": `{"id":7,"full_name":"o/r","html_url":"https://ghe.example.com/o/r"}`,
}

func mustNarrow(t *testing.T, event string, payload []byte) any {
	t.Helper()
	ev, err := narrow(event, payload)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// edited is payload with the field at a dotted path set to v, or deleted
// when v is nil.
func edited(t *testing.T, payload []byte, path string, v any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	setPath(m, path, v)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func setPath(m map[string]any, path string, v any) {
	key, rest, nested := strings.Cut(path, ".")
	if nested {
		if next, ok := m[key].(map[string]any); ok {
			setPath(next, rest, v)
		}
		return
	}
	if v == nil {
		delete(m, key)
		return
	}
	m[key] = v
}

// FuzzNarrowDecoding checks, for any body, that the narrow decoding never
// panics and credits as the full parse does whenever the full parse takes
// the body. Seeded with the recorded payloads.
func FuzzNarrowDecoding(f *testing.F) {
	for name := range recordedPayloads {
		payload := readRecorded(f, name)
		f.Add(false, payload)
		f.Add(true, payload)
	}
	for _, body := range []string{"{}", `{"action":null}`, `{"pull_request":{"labels":[null,{}]}}`, `{"review":{"id":-1}}`} {
		f.Add(false, []byte(body))
		f.Add(true, []byte(body))
	}
	f.Fuzz(func(t *testing.T, review bool, payload []byte) {
		event := eventPullRequest
		if review {
			event = eventReview
		}
		sameCredit(t, event, payload)
	})
}
