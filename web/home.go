package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// layout is what every page's frame needs.
type layout struct {
	Title string
	Nav   string // the current section of the header's navigation
}

// homePage is the dashboard's front page.
type homePage struct {
	layout
	Board      bot.Leaderboard
	Windows    []choice
	Categories []choice
	Feed       []feedItem
	Runs       []bot.Run
	MoreRuns   bool // older runs exist than the page shows
	Ledger     ledgerStatus
}

// choice is one option of a filter, and the address that selects it.
type choice struct {
	Value, Label string
	URL          string
	Current      bool
}

// feedItem is an entry of the recent contributions, with its member's name.
type feedItem struct {
	ledger.Entry
	Name string
}

// ledgerStatus is the head and what the last verification said of it.
type ledgerStatus struct {
	Head   ledger.Head
	Check  Verification
	Newer  int64 // entries appended since the verified head
	Exists bool  // a verification has finished
}

func (d *Dashboard) handleHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	req := bot.LeaderboardRequest{Window: q.Get("window"), Category: q.Get("category"), Limit: leaderboardRows}
	head, err := d.Records.Head(ctx)
	if err != nil {
		d.fail(w, r, fmt.Errorf("head: %w", err))
		return
	}
	render := func() ([]byte, error) { return d.renderHome(ctx, req, head) }
	var body []byte
	if key, ok := d.homeKey(req, head); ok && d.cache != nil {
		// The render serves every request waiting for it: one leaving
		// must not cancel it for the others.
		ctx = context.WithoutCancel(ctx)
		body, err = d.cache.load(key, render)
	} else {
		body, err = render()
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writePage(w, http.StatusOK, body)
}

// homeKey names a front page by everything it is made of: the head (the
// leaderboard, feed and payout runs follow from the entries up to it),
// the window and category as the page reads them, the second the
// leaderboard is as of (windows slide and reputations decay with the
// clock), and the verification it shows. It is false for a query the
// page would refuse, so that only pages that can exist are kept.
func (d *Dashboard) homeKey(req bot.LeaderboardRequest, head ledger.Head) (string, bool) {
	window, err := ledger.ParseWindow(req.Window)
	if err != nil || req.Category != "" && !slices.Contains(d.Categories, req.Category) {
		return "", false
	}
	status := d.ledgerStatus(head)
	return fmt.Sprintf("%d %s %s %q %d %t %v", head.Seq, head.Hash, window, req.Category,
		d.now().Unix(), status.Exists, status.Check), true
}

// renderHome reads and renders the front page as of head.
func (d *Dashboard) renderHome(ctx context.Context, req bot.LeaderboardRequest, head ledger.Head) ([]byte, error) {
	board, err := d.Records.Leaderboard(ctx, req)
	if err != nil {
		return nil, err
	}
	feed, err := d.feed(ctx, head)
	if err != nil {
		return nil, err
	}
	runs, err := d.Payouts.Runs(ctx)
	if err != nil {
		return nil, fmt.Errorf("payout runs: %w", err)
	}
	page := homePage{
		layout: layout{Title: "Leaderboard", Nav: "home"},
		Board:  board, Feed: feed, Ledger: d.ledgerStatus(head),
		Windows: d.windowChoices(board), Categories: d.categoryChoices(board),
	}
	page.Runs, page.MoreRuns = runs[:min(len(runs), payoutRuns)], len(runs) > payoutRuns
	return d.execute(homeTemplate, page)
}

func (d *Dashboard) windowChoices(b bot.Leaderboard) []choice {
	labels := []struct {
		w     ledger.Window
		label string
	}{{ledger.Window7d, "7 days"}, {ledger.Window30d, "30 days"}, {ledger.WindowAll, "All time"}}
	out := make([]choice, len(labels))
	for i, l := range labels {
		out[i] = choice{Value: string(l.w), Label: l.label, URL: homeURL(l.w, b.Category), Current: l.w == b.Window}
	}
	return out
}

func (d *Dashboard) categoryChoices(b bot.Leaderboard) []choice {
	out := []choice{{Value: "", Label: "All categories", Current: b.Category == ""}}
	for _, c := range d.Categories {
		out = append(out, choice{Value: c, Label: c, Current: c == b.Category})
	}
	return out
}

// homeURL is the address of a leaderboard; the default window and no
// category leave the query out, so "/" has one address.
func homeURL(w ledger.Window, category string) string {
	q := url.Values{}
	if w != ledger.WindowAll {
		q.Set("window", string(w))
	}
	if category != "" {
		q.Set("category", category)
	}
	if len(q) == 0 {
		return "/"
	}
	return "/?" + q.Encode()
}

// feedWindow is how many of the latest entries the feed looks through for
// credits and praise: payouts and links are entries too, and a payout run
// appends one per member.
const feedWindow = 200

// feed returns the latest credits and praise that stand, newest first,
// named. A revoke comes after what it revokes, so the revokes among the
// entries read are all those of the credits read. The names are looked up
// one member at a time: at most feedItems point lookups in an in-process
// database, cheaper than reading every member.
func (d *Dashboard) feed(ctx context.Context, head ledger.Head) ([]feedItem, error) {
	page, err := d.Records.Entries(ctx, max(0, head.Seq-feedWindow), feedWindow)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	revoked := map[string]bool{}
	for _, e := range page.Entries {
		if e.Kind == ledger.KindRevoke {
			revoked[strings.TrimPrefix(e.SourceRef, "revoke:")] = true
		}
	}
	items := []feedItem{}
	names := map[int64]string{}
	for _, e := range slices.Backward(page.Entries) {
		if len(items) == feedItems {
			break
		}
		if e.Kind != ledger.KindCredit && e.Kind != ledger.KindPraise || revoked[e.ID] {
			continue
		}
		name, ok := names[e.Member]
		if !ok {
			m, err := d.Records.FindMember(ctx, strconv.FormatInt(e.Member, 10))
			if err != nil {
				return nil, fmt.Errorf("feed: %w", err)
			}
			name = bot.Public(m).Name
			names[e.Member] = name
		}
		items = append(items, feedItem{Entry: e, Name: name})
	}
	return items, nil
}

func (d *Dashboard) ledgerStatus(head ledger.Head) ledgerStatus {
	s := ledgerStatus{Head: head}
	if d.Checker != nil {
		s.Check, s.Exists = d.Checker.Last()
	}
	if s.Exists {
		s.Newer = max(0, head.Seq-s.Check.Head.Seq)
	}
	return s
}
