package api

import (
	"net/http"

	"github.com/docracy/docracy/bot"
)

// pollRoutes registers the public poll endpoints on mux: the list of polls
// and each poll as `poll show --format json` prints it.
func (s *Server) pollRoutes(mux *http.ServeMux) {
	get(mux, "/api/v1/polls", func(w http.ResponseWriter, r *http.Request) {
		polls, err := s.Polls.Polls(r.Context())
		s.respond(w, r, pollList{Polls: polls}, err)
	})
	get(mux, "/api/v1/polls/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, err := s.Polls.Poll(r.Context(), r.PathValue("id"))
		s.respond(w, r, p, err)
	})
}

type pollList struct {
	Polls []bot.PollSummary `json:"polls"`
}
