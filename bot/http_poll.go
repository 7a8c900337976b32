package bot

import "net/http"

// PollRoutes registers the public poll endpoints on mux: the list of polls
// and each poll as `poll show --format json` prints it.
func (b *Bot) PollRoutes(mux *http.ServeMux, a *Assembly) {
	get(mux, "/api/v1/polls", func(w http.ResponseWriter, r *http.Request) {
		polls, err := a.Polls(r.Context())
		b.respond(w, r, pollList{Polls: polls}, err)
	})
	get(mux, "/api/v1/polls/{id}", func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Poll(r.Context(), r.PathValue("id"))
		b.respond(w, r, p, err)
	})
}

type pollList struct {
	Polls []PollSummary `json:"polls"`
}
