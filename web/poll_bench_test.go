package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
	"github.com/docracy/docracy/web"
)

// BenchmarkPollPage renders /polls/{id} of a member-mode poll in which the
// 10,000 members of a copy of the 1,000,000-entry ledger voted: the page
// lists every vote.
func BenchmarkPollPage(b *testing.B) {
	ctx := context.Background()
	now := func() time.Time { return ledgertest.Large.At }
	l := ledgertest.Copy(b, ledgertest.Large)
	bt := bot.New(l, ledgertest.Categories)
	bt.Now = now
	a := &bot.Assembly{Ledger: l, Bot: bt, Now: now}
	p, err := a.OpenPoll(ctx, bot.OpenPollRequest{Question: "Adopt the budget?", Mode: "member", Source: ledger.SourceCLI, Actor: "cli:bench"})
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]ledger.NewEntry, 0, ledgertest.Large.Members)
	for m := range int64(ledgertest.Large.Members) {
		data, _ := ledger.NewData(map[string]string{"poll": p.ID, "option": bot.DefaultOptions[m%3]})
		batch = append(batch, ledger.NewEntry{Kind: ledger.KindVote, Member: m + 1, OccurredAt: now(), Source: ledger.SourceCLI,
			SourceRef: fmt.Sprint("bench:vote:", m+1), Actor: "cli:bench", Data: data})
	}
	if _, err := l.AppendBatch(ctx, batch); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer((&web.Dashboard{Records: bt, Polls: a, Now: now}).Handler())
	b.Cleanup(srv.Close)
	b.ResetTimer()
	for b.Loop() {
		resp, err := srv.Client().Get(srv.URL + "/polls/" + p.ID)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("GET: %v %v", resp, err)
		}
		resp.Body.Close()
	}
}
