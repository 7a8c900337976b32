package bot

import "net/http"

// PayoutRoutes registers the public payout endpoints on mux: the closed
// runs and each run's allocations, never with payout addresses.
func (b *Bot) PayoutRoutes(mux *http.ServeMux, t *Treasury) {
	get(mux, "/api/v1/payouts", func(w http.ResponseWriter, r *http.Request) {
		runs, err := t.Runs(r.Context())
		b.respond(w, r, payoutList{Payouts: runs}, err)
	})
	get(mux, "/api/v1/payouts/{period}", func(w http.ResponseWriter, r *http.Request) {
		run, err := t.Run(r.Context(), r.PathValue("period"))
		b.respond(w, r, run, err)
	})
}

type payoutList struct {
	Payouts []Run `json:"payouts"`
}
