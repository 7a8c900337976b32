package api

import (
	"net/http"

	"github.com/docracy/docracy/bot"
)

// payoutRoutes registers the public payout endpoints on mux: the closed
// runs and each run's allocations, never with payout addresses.
func (s *Server) payoutRoutes(mux *http.ServeMux) {
	get(mux, "/api/v1/payouts", func(w http.ResponseWriter, r *http.Request) {
		runs, err := s.Payouts.Runs(r.Context())
		s.respond(w, r, payoutList{Payouts: runs}, err)
	})
	get(mux, "/api/v1/payouts/{period}", func(w http.ResponseWriter, r *http.Request) {
		run, err := s.Payouts.Run(r.Context(), r.PathValue("period"))
		s.respond(w, r, run, err)
	})
}

type payoutList struct {
	Payouts []bot.Run `json:"payouts"`
}
