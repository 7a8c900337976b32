package bot

import (
	"context"

	"github.com/docracy/docracy/ledger"
)

// PollWithTally returns a poll as Poll does, with the tally entry that
// closed it (nil while it is open), so that a page can point to the entry
// that states the result. Both come from one read of the poll's state.
func (a *Assembly) PollWithTally(ctx context.Context, id string) (Poll, *ledger.Entry, error) {
	seq, err := parsePollID(id)
	if err != nil {
		return Poll{}, nil, err
	}
	st, err := a.Ledger.PollState(ctx, seq, true) // votes are public: the page lists them
	if err != nil {
		return Poll{}, nil, pollError(id, err)
	}
	p, err := showPoll(st)
	return p, st.Tally, err
}
