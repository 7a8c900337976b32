package api

import (
	"context"
	"net/http"
)

// payoutRoutes registers the public payout endpoints on mux: the closed
// runs and each run's allocations, never with payout addresses.
func (s *Server) payoutRoutes(mux *http.ServeMux) {
	collection(s, mux, "/api/v1/payouts", "payouts", "period", s.Payouts.Runs, s.Payouts.Run)
}

// pollRoutes registers the public poll endpoints on mux: the list of polls
// and each poll as `poll show --format json` prints it.
func (s *Server) pollRoutes(mux *http.ServeMux) {
	collection(s, mux, "/api/v1/polls", "polls", "id", s.Polls.Polls, s.Polls.Poll)
}

// collection registers GET path, the list as {"<key>": [...]}, and GET
// path/{param}, one item of it.
func collection[L, I any](s *Server, mux *http.ServeMux, path, key, param string,
	list func(context.Context) (L, error), item func(context.Context, string) (I, error)) {
	get(mux, path, func(w http.ResponseWriter, r *http.Request) {
		l, err := list(r.Context())
		s.respond(w, r, map[string]L{key: l}, err)
	})
	get(mux, path+"/{"+param+"}", func(w http.ResponseWriter, r *http.Request) {
		it, err := item(r.Context(), r.PathValue(param))
		s.respond(w, r, it, err)
	})
}
