package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

//go:embed templates/*.html
var templateFS embed.FS

// Each page is the layout with the page's own "main" block. They are
// parsed once, at start, so a broken template stops the program before it
// serves anything.
var (
	homeTemplate   = parsePage("home.html")
	memberTemplate = parsePage("member.html")
	payoutTemplate = parsePage("payout.html")
	pollsTemplate  = parsePage("polls.html")
	pollTemplate   = parsePage("poll.html")
	errorTemplate  = parsePage("error.html")
)

func parsePage(name string) *template.Template {
	return parsePageIn(name, time.UTC)
}

// parsePageIn parses a page that shows dates in loc.
func parsePageIn(name string, loc *time.Location) *template.Template {
	return template.Must(template.New(name).Funcs(funcs).Funcs(zoneFuncs(loc)).
		ParseFS(templateFS, "templates/layout.html", "templates/"+name))
}

// zoneFuncs show times in loc, the cooperative's time zone: a month that
// begins at midnight in Paris begins on the 1st, not on the 31st in UTC.
// The machine-readable datetime attribute stays in UTC.
func zoneFuncs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"date":      func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") },
		"timestamp": func(t time.Time) string { return t.In(loc).Format("2 Jan 2006 15:04 MST") },
		// lastDay is the last day of a span that ends (exclusive) at end.
		"lastDay": func(end time.Time) string { return end.In(loc).Add(-time.Second).Format("2 Jan 2006") },
	}
}

// zoned returns page t as it shows dates in the dashboard's time zone,
// parsed once per dashboard.
func (d *Dashboard) zoned(t *template.Template) *template.Template {
	if d.Location == nil || d.Location == time.UTC {
		return t
	}
	if z, ok := d.pages.Load(t.Name()); ok {
		return z.(*template.Template)
	}
	z, _ := d.pages.LoadOrStore(t.Name(), parsePageIn(t.Name(), d.Location))
	return z.(*template.Template)
}

var funcs = template.FuncMap{
	"asset":    assetURL,
	"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"score":    formatScore,
	"member":   func(id int64) string { return "/members/" + strconv.FormatInt(id, 10) },
	"payout":   payoutURL,
	"poll":     func(id string) string { return "/polls/" + id },
	"entry":    entryURL,
	"mode":     modePhrase,
	"outcome":  outcomePhrase,
	"short":    func(hash string) string { return hash[:min(len(hash), 12)] },
	"window":   windowPhrase,
	"percent":  percent,
	"plural":   plural,
	// Free text shows as plain text: an entry recorded before hidden
	// characters were refused may still hold a mark that turns the
	// direction of what follows it.
	"plain": bot.OneLine,
}

// plural counts n things: "1 entry", "2 entries".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// entryURL is the address of one entry in the JSON ledger: the page of
// entries that starts with it.
func entryURL(seq int64) string {
	return "/api/v1/entries?after=" + strconv.FormatInt(seq-1, 10) + "&limit=1"
}

// modePhrase says how a poll of a mode counts.
func modePhrase(mode string) string {
	switch ledger.PollMode(mode) {
	case ledger.PollByMember:
		return "one member, one vote"
	case ledger.PollByCollege:
		return "by college: one member, one vote inside each college, the colleges weighted"
	case ledger.PollByReputation:
		return "by reputation: each vote weighs its member's reputation at the opening"
	}
	return mode
}

// outcomePhrase states a poll's outcome in a few words.
func outcomePhrase(outcome, adopted string) string {
	switch outcome {
	case bot.OutcomeOpen:
		return "Open: the figures are live"
	case bot.OutcomeAdopted:
		return "Adopted: " + adopted
	case bot.OutcomeRejected:
		return "Rejected: no option won the majority"
	case bot.OutcomeTie:
		return "Tie: no option won alone"
	case bot.OutcomeNoQuorum:
		return "No quorum: too few members voted"
	}
	return outcome
}

// windowPhrase says what a leaderboard's window counts, to follow
// "points earned".
func windowPhrase(w ledger.Window) string {
	if w.Duration() == 0 {
		return "since the ledger began"
	}
	return "in the " + w.Name()
}

// percent is part of whole as a whole percentage.
func percent(part, whole int64) string {
	if whole == 0 {
		return "0 %"
	}
	return strconv.FormatInt((part*100+whole/2)/whole, 10) + " %"
}

// formatScore shows a reputation to one decimal, and a whole number
// without one.
func formatScore(v float64) string {
	v = math.Round(v*10) / 10
	if v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// render executes a page into memory first, so that a failing template
// answers a clean 500 instead of half a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, t *template.Template, data any) {
	body, err := d.execute(t, data)
	if err != nil {
		d.logger().Error("render", "path", r.URL.Path, "template", t.Name(), "err", err)
		status, body = http.StatusInternalServerError, []byte(internalErrorPage)
	}
	writePage(w, status, body)
}

// execute renders page t with data.
func (d *Dashboard) execute(t *template.Template, data any) ([]byte, error) {
	var buf bytes.Buffer
	t = d.zoned(t)
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return nil, fmt.Errorf("render %s: %w", t.Name(), err)
	}
	return buf.Bytes(), nil
}

// writePage sends a rendered page.
func writePage(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages change with every entry: a browser may keep one but must ask.
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	// A failed write means the visitor left.
	_, _ = w.Write(body)
}

// errorPage says what went wrong, inside the site's frame.
type errorPage struct {
	layout
	Status  int
	Message string
}

func (d *Dashboard) renderError(w http.ResponseWriter, r *http.Request, status int, message string) {
	d.render(w, r, status, errorTemplate, errorPage{
		layout: layout{Title: http.StatusText(status)}, Status: status, Message: message,
	})
}

// internalErrorPage is shown when a template itself fails, so it depends
// on none.
const internalErrorPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Internal error · docracy</title>
<p>Something went wrong on our side; it has been logged.</p></html>`

// fail answers a request that went wrong: what the visitor can fix is
// said, anything else is logged and shown as our fault.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch bot.ErrorCode(err) {
	case bot.CodeInvalid:
		d.renderError(w, r, http.StatusBadRequest, bot.ErrorMessage(err))
	case bot.CodeNotFound:
		d.renderError(w, r, http.StatusNotFound, bot.ErrorMessage(err))
	case bot.CodeConflict:
		d.renderError(w, r, http.StatusConflict, bot.ErrorMessage(err))
	case bot.CodeUnavailable:
		d.renderError(w, r, http.StatusServiceUnavailable, bot.ErrorMessage(err))
	default:
		d.logger().Error("dashboard", "path", r.URL.Path, "err", err)
		d.renderError(w, r, http.StatusInternalServerError, "Something went wrong on our side; it has been logged.")
	}
}

// payoutURL is the page of a run. A standing run is its period's page; a
// reopened one is named by its number, since the period's page shows the
// period's latest run.
func payoutURL(run bot.Run) string {
	name := run.Period.Name
	if run.Reopened != nil {
		name = run.ID
		if !strings.Contains(name, "#") {
			name += "#1"
		}
	}
	return "/payouts/" + url.PathEscape(name)
}
