package web

import (
	"bytes"
	"embed"
	"html/template"
	"math"
	"net/http"
	"strconv"
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
	errorTemplate  = parsePage("error.html")
)

func parsePage(name string) *template.Template {
	return template.Must(template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name))
}

var funcs = template.FuncMap{
	"asset":     assetURL,
	"date":      func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"timestamp": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
	"score":     formatScore,
	"member":    func(id int64) string { return "/members/" + strconv.FormatInt(id, 10) },
	"payout":    func(period string) string { return "/payouts/" + period },
	"short":     func(hash string) string { return hash[:min(len(hash), 12)] },
	"window":    windowPhrase,
	"percent":   percent,
	"plural":    plural,
}

// plural counts n things: "1 entry", "2 entries".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
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
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		d.logger().Error("render", "path", r.URL.Path, "template", t.Name(), "err", err)
		status, buf = http.StatusInternalServerError, *bytes.NewBufferString(internalErrorPage)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages change with every entry: a browser may keep one but must ask.
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	// A failed write means the visitor left.
	_, _ = buf.WriteTo(w)
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
	case bot.CodeUnavailable:
		d.renderError(w, r, http.StatusServiceUnavailable, bot.ErrorMessage(err))
	default:
		d.logger().Error("dashboard", "path", r.URL.Path, "err", err)
		d.renderError(w, r, http.StatusInternalServerError, "Something went wrong on our side; it has been logged.")
	}
}
