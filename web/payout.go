package web

import (
	"net/http"

	"github.com/docracy/docracy/bot"
)

// payoutPage is a closed payout run.
type payoutPage struct {
	layout
	Run bot.Run
}

func (d *Dashboard) handlePayout(w http.ResponseWriter, r *http.Request) {
	run, err := d.Payouts.Run(r.Context(), r.PathValue("period"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.render(w, r, http.StatusOK, payoutTemplate, payoutPage{layout: layout{Title: "Payouts " + run.Period.Name, Nav: "payouts"}, Run: run})
}
