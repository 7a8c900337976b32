package web

import (
	"net/http"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// memberPage is a member's public page.
type memberPage struct {
	layout
	bot.Profile
	Chart   *chart // nil when the member has no counted entry
	Recent  []ledger.Entry
	Shown   int  // entries in Recent
	Partial bool // the history holds more entries than Recent
}

func (d *Dashboard) handleMember(w http.ResponseWriter, r *http.Request) {
	p, err := d.Records.Profile(r.Context(), r.PathValue("id"), chartEntries)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	page := memberPage{layout: layout{Title: p.Name}, Profile: p}
	page.Chart = reputationChart(p.History, p.Reputation.Score, d.now(), d.HalfLife, len(p.History) == chartEntries)
	page.Recent = p.History[:min(len(p.History), historyRows)]
	page.Shown, page.Partial = len(page.Recent), len(p.History) > historyRows
	d.render(w, r, http.StatusOK, memberTemplate, page)
}
