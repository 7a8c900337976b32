package discord_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// BenchmarkPollClick answers clicks on a college poll's buttons through
// the HTTP interactions endpoint on the 1,000,000-entry ledger, where the
// poll's 10,000 electors in three colleges have all voted: each click
// changes a vote, so it appends an entry and counts the poll again. It
// reports the p50 and p99 of a click's answer (target: under 50 ms) and
// of the live tally that the poll's message edit reads.
func BenchmarkPollClick(b *testing.B) {
	ctx := context.Background()
	at := ledgertest.Large.At
	l := benchLedger(b)
	bt := bot.New(l, ledgertest.Categories)
	bt.Now = func() time.Time { return at }
	a := &bot.Assembly{Ledger: l, Bot: bt, Colleges: colleges, Now: bt.Now}
	callers := pollElectorate(b, l)
	p, err := a.OpenPoll(ctx, bot.OpenPollRequest{Question: "Adopt the budget?", Mode: "college", Ref: "cli:bench-poll", Actor: "cli:bench", Source: ledger.SourceCLI})
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]ledger.NewEntry, 0, ledgertest.Large.Members)
	for m := range int64(ledgertest.Large.Members) {
		data, _ := ledger.NewData(map[string]string{"poll": p.ID, "option": bot.DefaultOptions[m%2]})
		batch = append(batch, ledger.NewEntry{Kind: ledger.KindVote, Member: m + 1, OccurredAt: at, Source: ledger.SourceCLI,
			SourceRef: fmt.Sprint("bench:vote:", m+1), Actor: "cli:bench", Data: data})
	}
	if _, err := l.AppendBatch(ctx, batch); err != nil {
		b.Fatal(err)
	}
	router := discord.NewRouter(bt, bot.NewCommunity(bt, l, bot.NewPraiseRules(1, 5, ledgertest.Categories)), roles, nil)
	router.DeferAfter = time.Minute // measure the whole answer, never a deferral
	router.Assembly, router.Polls = a, &discord.PollBoard{Assembly: a, Messages: l, Delay: time.Hour}
	signer := discordtest.NewSigner(b)
	srv := httptest.NewServer(&discord.Handler{Router: router, PublicKey: signer.Public})
	defer srv.Close()
	click := func(n int) time.Duration {
		caller := callers[n%len(callers)]
		i := discordtest.Click(strconv.Itoa(1_600_000_000_000_000_000+n), caller, fmt.Sprintf("poll:%s:%d", p.ID, (n/len(callers)+1)%2))
		begin := time.Now()
		var r discordgo.InteractionResponse
		if err := decodeJSON(must[*http.Response](b)(srv.Client().Do(signer.Request(b, srv.URL, discordtest.JSON(b, i), time.Now()))), &r); err != nil || r.Data == nil || r.Data.Content == "" || len(r.Data.Embeds) > 0 {
			b.Fatalf("click %d: %v %s", n, err, describe(&r))
		}
		return time.Since(begin)
	}
	click(0)
	clicks, tallies := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for n := range b.N {
		clicks = append(clicks, click(n+1))
		begin := time.Now()
		if _, err := a.Poll(ctx, p.ID); err != nil {
			b.Fatal(err)
		}
		tallies = append(tallies, time.Since(begin))
	}
	b.StopTimer()
	reportPercentiles(b, clicks)
	b.Logf("live tally of %d voters: %s", ledgertest.Large.Members, percentiles(tallies))
	router.Polls.Stop(ctx)
}

// pollElectorate places the fixture's members in three colleges and
// links 100 of them to Discord accounts, the callers.
func pollElectorate(b *testing.B, l *ledger.Ledger) []discordtest.User {
	ctx := context.Background()
	names := []string{"workers", "volunteers", "users"}
	batch := make([]ledger.NewEntry, 0, ledgertest.Large.Members)
	for m := range int64(ledgertest.Large.Members) {
		batch = append(batch, ledger.NewEntry{Kind: ledger.KindCollege, Member: m + 1, Category: names[m%3],
			OccurredAt: ledgertest.Large.At, Source: ledger.SourceCLI, SourceRef: fmt.Sprint("bench:college:", m+1), Actor: "cli:bench"})
	}
	if _, err := l.AppendBatch(ctx, batch); err != nil {
		b.Fatal(err)
	}
	var callers []discordtest.User
	for id := 1; id <= 100; id++ {
		u := discordtest.User{ID: strconv.Itoa(100_000_000_000_010_000 + id), Name: "member" + strconv.Itoa(id), Roles: []string{memberRole}}
		_, err := l.Link(ctx, ledger.LinkRequest{
			Discord: ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: u.ID},
			GitHub:  ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: strconv.Itoa(id), Login: "user" + strconv.Itoa(id)},
			Source:  ledger.SourceCLI, Actor: "cli:bench",
		})
		if err != nil {
			b.Fatal(err)
		}
		callers = append(callers, u)
	}
	return callers
}

func must[T any](b *testing.B) func(T, error) T {
	return func(v T, err error) T {
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
}

func percentiles(d []time.Duration) string {
	if len(d) == 0 {
		return "none"
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return fmt.Sprintf("p50 %s, p99 %s", s[len(s)/2], s[min(len(s)-1, len(s)*99/100)])
}
