package web

import (
	"net/http"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

// pollsPage lists every poll, newest first.
type pollsPage struct {
	layout
	Polls []bot.PollSummary
}

// pollPage is one poll: its figures, live while it is open, and its votes.
type pollPage struct {
	layout
	bot.Poll
	Tally         *ledger.Entry // the entry that closed the poll; nil while open
	QuorumReached bool
	Colleges      []collegeRow
}

// collegeRow is a college's figures with what the page says of its weight.
type collegeRow struct {
	bot.CollegeResult
	WeightShare string // the weight as a share of all the colleges' weights
	Expressed   bool   // someone expressed a vote here; else the college drops out
}

func (d *Dashboard) handlePolls(w http.ResponseWriter, r *http.Request) {
	polls, err := d.Polls.Polls(r.Context())
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.render(w, r, http.StatusOK, pollsTemplate, pollsPage{layout: layout{Title: "Polls", Nav: "polls"}, Polls: polls})
}

func (d *Dashboard) handlePoll(w http.ResponseWriter, r *http.Request) {
	p, tally, err := d.Polls.PollWithTally(r.Context(), r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	page := pollPage{layout: layout{Title: "Poll " + p.ID, Nav: "polls"}, Poll: p, Tally: tally,
		// participation·100 >= quorum, in integers as the tally decides it
		QuorumReached: p.Voters*100 >= p.QuorumPercent*p.Electorate,
		Colleges:      collegeRows(p.Colleges)}
	d.render(w, r, http.StatusOK, pollTemplate, page)
}

func collegeRows(colleges []bot.CollegeResult) []collegeRow {
	var total int64
	for _, c := range colleges {
		total += c.Weight
	}
	rows := make([]collegeRow, len(colleges))
	for i, c := range colleges {
		rows[i] = collegeRow{CollegeResult: c, WeightShare: percent(c.Weight, total)}
		for _, o := range c.Options {
			rows[i].Expressed = rows[i].Expressed || o.Votes > 0 && o.Name != bot.Abstain
		}
	}
	return rows
}
