// Package web is the public face of docracy's HTTP server: the dashboard
// that shows every member the cooperative's record without Discord, and
// the middleware that every response of the server passes through
// (security headers, panic recovery, request size limits, a memory budget
// for request bodies in flight, latency metrics).
//
// The dashboard is server-rendered with html/template from templates and
// assets embedded in the binary: it works offline, with JavaScript off and
// under a Content-Security-Policy that allows nothing inline. It reads the
// record through the bot's use cases, so that it shows what the JSON API and
// the CLI show, and it never holds a payout address: the bot's public views
// have none.
//
// Pages:
//
//	GET /                   leaderboard (?window=7d|30d|all&category=), recent
//	                        contributions, payouts, the ledger head and its verification
//	GET /members/{id}       a member: reputation over time, categories, history
//	GET /payouts/{period}   a closed payout run: the period's latest, or one like 2026-02#1
//	GET /polls              every poll, newest first, with its outcome
//	GET /polls/{id}         a poll: its options as bars, the colleges' figures,
//	                        participation against the quorum and every vote
//	GET /static/{name}      the stylesheet and icon, cached for a year by version
package web

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// Records is what the dashboard reads of the record; *bot.Bot provides it.
// Going through the bot keeps the dashboard's validation and answers the
// same as the API's.
type Records interface {
	Head(ctx context.Context) (ledger.Head, error)
	Leaderboard(ctx context.Context, r bot.LeaderboardRequest) (bot.Leaderboard, error)
	Profile(ctx context.Context, member string, history int) (bot.Profile, error)
	Entries(ctx context.Context, after int64, limit int) (bot.Page, error)
	FindMember(ctx context.Context, name string) (ledger.Member, error)
}

// Payouts is what the dashboard shows of payouts; *bot.Treasury provides
// it. Both return runs without payout addresses.
type Payouts interface {
	Runs(ctx context.Context) ([]bot.Run, error)
	Run(ctx context.Context, period string) (bot.Run, error)
}

// Polls is what the dashboard shows of polls; *bot.Assembly provides it.
// Votes are public, like a show of hands, so a poll comes with its votes.
type Polls interface {
	Polls(ctx context.Context) ([]bot.PollSummary, error)
	PollWithTally(ctx context.Context, id string) (bot.Poll, *ledger.Entry, error)
}

var (
	_ Records = (*bot.Bot)(nil)
	_ Payouts = (*bot.Treasury)(nil)
)

// Sizes of what a page shows. They bound the work of a page whatever the
// size of the ledger.
const (
	leaderboardRows = 20                  // rows of the home page's leaderboard
	feedItems       = 15                  // entries of the recent contributions feed
	payoutRuns      = 12                  // closed runs on the home page: a year of monthly runs
	historyRows     = 50                  // entries in a member page's history table
	chartEntries    = bot.MaxHistoryLimit // entries a member's chart is computed from
	chartSamples    = 60                  // points of a member's reputation curve
)

// Dashboard serves the HTML pages. Set its fields, then call Routes.
type Dashboard struct {
	Records Records
	Payouts Payouts
	Polls   Polls
	Checker *Checker // the last verification of the chain; nil shows none

	// Categories are the configured categories, offered as a filter.
	Categories []string
	// HalfLife is the reputation half-life (scoring.half_life_days); 0 means
	// no decay. The reputation chart decays points with it.
	HalfLife time.Duration

	// Location is the cooperative's time zone (the digest schedule's), in
	// which dates are shown; nil means UTC.
	Location *time.Location

	// Now is the clock; tests set it to a fixed time.
	Now func() time.Time
	// Logger receives the errors a visitor only sees as "internal error".
	Logger *slog.Logger

	// PageCacheSize is how many rendered front pages are kept for the
	// visitors who ask for the same page at the same second and head; 0
	// means DefaultPageCacheSize, and a negative size keeps none.
	PageCacheSize int

	pages sync.Map   // page name → *template.Template showing dates in Location
	cache *pageCache // nil when PageCacheSize is negative
}

// Routes registers the dashboard's pages on mux. The catch-all "/" answers
// unknown paths with an HTML 404, so it must be the only one.
func (d *Dashboard) Routes(mux *http.ServeMux) {
	if d.PageCacheSize >= 0 {
		d.cache = newPageCache(cmp.Or(d.PageCacheSize, DefaultPageCacheSize))
	}
	d.page(mux, "/{$}", d.handleHome)
	d.page(mux, "/members/{id}", d.handleMember)
	d.page(mux, "/payouts/{period}", d.handlePayout)
	d.page(mux, "/polls", d.handlePolls)
	d.page(mux, "/polls/{id}", d.handlePoll)
	d.page(mux, "/static/{name}", d.handleStatic)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		d.renderError(w, r, http.StatusNotFound, "There is no page at this address.")
	})
}

// Handler returns a handler serving only the dashboard.
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	d.Routes(mux)
	return mux
}

// page registers h for GET (and so HEAD) on path and an HTML 405 for the
// other methods, which the catch-all would otherwise answer with a 404.
func (d *Dashboard) page(mux *http.ServeMux, path string, h http.HandlerFunc) {
	mux.HandleFunc("GET "+path, h)
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		d.renderError(w, r, http.StatusMethodNotAllowed, "This page can only be read (GET).")
	})
}

func (d *Dashboard) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// CachedPages is how many rendered front pages the dashboard keeps.
func (d *Dashboard) CachedPages() int {
	if d.cache == nil {
		return 0
	}
	return d.cache.len()
}

func (d *Dashboard) logger() *slog.Logger { return orDiscard(d.Logger) }

// orDiscard lets a nil Logger field mean "log nowhere".
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
