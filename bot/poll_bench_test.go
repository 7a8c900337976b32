package bot_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// benchPoll copies the 1,000,000-entry ledger, places its 10,000 members
// in the four SCIC colleges, opens a college-mode poll and has every
// member vote (the votes appended in one batch: the setup is not what is
// measured).
func benchPoll(b *testing.B) (*bot.Assembly, string) {
	b.Helper()
	ctx := context.Background()
	spec := ledgertest.Large
	now := func() time.Time { return spec.At }
	l := ledgertest.Copy(b, spec)
	colleges := []string{"workers", "volunteers", "users", "partners"}
	batch := make([]ledger.NewEntry, 0, spec.Members)
	for m := range int64(spec.Members) {
		batch = append(batch, ledger.NewEntry{Kind: ledger.KindCollege, Member: m + 1, Category: colleges[m%4],
			OccurredAt: spec.At, Source: ledger.SourceCLI, SourceRef: fmt.Sprint("bench:college:", m+1), Actor: "cli:bench"})
	}
	if _, err := l.AppendBatch(ctx, batch); err != nil {
		b.Fatal(err)
	}
	bt := bot.New(l, ledgertest.Categories)
	bt.Now = now
	a := &bot.Assembly{Ledger: l, Bot: bt, Colleges: scic, Now: now}
	p, err := a.OpenPoll(ctx, bot.OpenPollRequest{Question: "Adopt the budget?", Mode: "college", Source: ledger.SourceCLI, Actor: "cli:bench"})
	if err != nil {
		b.Fatal(err)
	}
	batch = batch[:0]
	for m := range int64(spec.Members) {
		data, _ := ledger.NewData(map[string]string{"poll": p.ID, "option": bot.DefaultOptions[m%3]})
		batch = append(batch, ledger.NewEntry{Kind: ledger.KindVote, Member: m + 1, OccurredAt: spec.At, Source: ledger.SourceCLI,
			SourceRef: fmt.Sprint("bench:vote:", m+1), Actor: "cli:bench", Data: data})
	}
	if _, err := l.AppendBatch(ctx, batch); err != nil {
		b.Fatal(err)
	}
	return a, p.ID
}

// BenchmarkPollTally counts a college-mode poll of 10,000 voters on the
// 1,000,000-entry ledger: what poll show, the API and the close compute.
func BenchmarkPollTally(b *testing.B) {
	a, id := benchPoll(b)
	b.ReportAllocs()
	for b.Loop() {
		p, err := a.Poll(context.Background(), id)
		if err != nil || p.Voters != 10_000 || len(p.Colleges) != 4 {
			b.Fatalf("%d voters, %v", p.Voters, err)
		}
	}
}

// BenchmarkPollVote is one member's vote as a click records it: the
// checked append and the live tally of 10,000 voters it answers with.
func BenchmarkPollVote(b *testing.B) {
	a, id := benchPoll(b)
	options := []string{"yes", "no"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		p, err := a.Vote(context.Background(), bot.VoteRequest{Poll: id, Member: fmt.Sprint(1 + i%10_000),
			Option: options[i/10_000%2], Source: ledger.SourceCLI, Actor: "cli:bench"})
		if err != nil || p.VoteSeq == 0 {
			b.Fatalf("vote %d: %v", i, err)
		}
	}
}
