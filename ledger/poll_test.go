package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
)

func openPollEntry(t *testing.T, l *ledger.Ledger, mode ledger.PollMode, ref string) ledger.Entry {
	t.Helper()
	data, _ := ledger.NewData(map[string]any{"question": "Q?", "options": []string{"yes", "no", "abstain"}, "mode": mode})
	e, _, err := l.OpenPoll(context.Background(), ledger.NewEntry{OccurredAt: t0, Source: ledger.SourceCLI,
		SourceRef: ref, Actor: "cli:test", Data: data}, mode)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func vote(l *ledger.Ledger, poll, member int64, option string) (ledger.Entry, error) {
	e, _, err := l.AppendVote(context.Background(), ledger.VoteRequest{Poll: poll, Member: member, Option: option,
		Source: ledger.SourceCLI, Actor: "cli:test"})
	return e, err
}

func closePoll(t *testing.T, l *ledger.Ledger, poll int64) ledger.Entry {
	t.Helper()
	e, _, err := l.AppendTally(context.Background(), poll, ledger.NewEntry{OccurredAt: t0, Source: ledger.SourceCLI, Actor: "cli:test"},
		func(st ledger.PollState) (json.RawMessage, error) {
			return ledger.NewData(map[string]any{"poll": ledger.EntryID(poll), "voters": len(st.Votes)})
		})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// The electorate is fixed in the poll entry at opening, and the vote
// checks happen inside the write.
func testPollElectorateAndVotes(t *testing.T, b backend) {
	ctx := context.Background()
	l := b.open(t, ledger.Options{})
	alice, bob := member(t, l, "alice"), member(t, l, "bob")
	place(t, l, alice, "workers", "c1")
	byCollege := openPollEntry(t, l, ledger.PollByCollege, "p1")
	byMember := openPollEntry(t, l, ledger.PollByMember, "p2")
	place(t, l, bob, "users", "c2") // after the opening: bob stays out of p1
	if !strings.Contains(string(byCollege.Data), `"electorate":{"workers":[1]}`) ||
		!strings.Contains(string(byMember.Data), `"electorate":[1,2]`) {
		t.Errorf("electorates: %s / %s", byCollege.Data, byMember.Data)
	}
	if _, err := vote(l, byCollege.Seq, bob, "yes"); !errors.Is(err, ledger.ErrNotElector) {
		t.Errorf("bob in p1: %v", err)
	}
	if _, err := vote(l, byCollege.Seq, alice, "maybe"); !errors.Is(err, ledger.ErrUnknownOption) {
		t.Errorf("unknown option: %v", err)
	}
	first, _ := vote(l, byCollege.Seq, alice, "yes")
	if again, _ := vote(l, byCollege.Seq, alice, "yes"); again.Seq != first.Seq {
		t.Errorf("the same vote again appended seq %d", again.Seq)
	}
	changed, _ := vote(l, byCollege.Seq, alice, "no")
	closePoll(t, l, byCollege.Seq)
	if _, err := vote(l, byCollege.Seq, alice, "yes"); !errors.Is(err, ledger.ErrPollClosed) {
		t.Errorf("vote after close: %v", err)
	}
	st, err := l.PollState(ctx, byCollege.Seq, true)
	if err != nil || len(st.Votes) != 1 || st.Votes[0].Seq != changed.Seq || st.Votes[0].Option != "no" || st.Tally == nil {
		t.Errorf("state = %+v, %v", st, err)
	}
	if err := l.CheckPolls(ctx); err != nil {
		t.Errorf("check polls: %v", err)
	}
}

// CheckPolls names the first row of the poll tables that the chain does
// not give, and RebuildPolls puts them back.
func testCheckAndRebuildPolls(t *testing.T, b backend) {
	tampers := []struct {
		name, sql, want string
	}{
		{"vote changed", "UPDATE poll_votes SET option = 'yes'", `poll_votes: poll e4: member 1: the table holds "yes at seq 6" where the chain gives "no at seq 6"`},
		{"vote deleted", "DELETE FROM poll_votes WHERE member_id = 2", `poll_votes: poll e4: member 2: the table holds no row where the chain gives "abstain at seq 7"`},
		{"elector added", "INSERT INTO poll_electors VALUES (4, 9, '', 1)", `poll_electors: poll e4: member 9: the table holds "college '' weight 1" where the chain gives no row`},
		{"reopened", "UPDATE polls SET tally_seq = NULL", `polls: poll e4: the table holds "member [\"yes\",\"no\",\"abstain\"] opened 1793610000 closes 0 tally none" where the chain gives "member [\"yes\",\"no\",\"abstain\"] opened 1793610000 closes 0 tally 8"`},
	}
	for _, tt := range tampers {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := b.newDatabase(t)
			l := openPath(t, path, ledger.Options{})
			alice, bob := member(t, l, "alice"), member(t, l, "bob")
			mustAppend(t, l, credit(alice, 1, "code", "c1", t0))
			mustAppend(t, l, credit(bob, 1, "code", "c2", t0))
			mustAppend(t, l, credit(bob, 1, "code", "c3", t0))
			p := openPollEntry(t, l, ledger.PollByMember, "p")
			vote(l, p.Seq, alice, "yes")
			vote(l, p.Seq, alice, "no")
			vote(l, p.Seq, bob, "abstain")
			closePoll(t, l, p.Seq)
			b.exec(t, path, tt.sql)
			if err := l.CheckPolls(ctx); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("check after %s: %v, want %q", tt.name, err, tt.want)
			}
			if err := l.RebuildPolls(ctx); err != nil {
				t.Fatal(err)
			}
			if err := l.CheckPolls(ctx); err != nil {
				t.Errorf("check after rebuild: %v", err)
			}
		})
	}
}
