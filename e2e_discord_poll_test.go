package main_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/ledger"
)

// TestDiscordPollEndToEnd runs a college poll on the built binary: a
// maintainer opens it by a signed HTTP interaction, members of three
// colleges click its buttons on the message the fake Discord holds, the
// maintainer closes it, and the API and verify agree.
func TestDiscordPollEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	fake := discordtest.New(t)
	signer := discordtest.NewSigner(t)
	cfg := fmt.Sprintf("database: %s\ndigest:\n  schedule: \"\"\ndiscord:\n  api_url: %s\n  guild_id: %q\n"+
		"  roles:\n    maintainer: [%q]\n    member: [%q]\n", db, fake.Server.URL, discordtest.Guild, e2eMaintainerRole, e2eMemberRole)
	if err := os.WriteFile(filepath.Join(dir, "docracy.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	dave := discordtest.User{ID: "100000000000000007", Name: "Dave", Roles: []string{e2eMemberRole}}
	placeInColleges(t, db, map[string]discordtest.User{"workers": e2eBob, "volunteers": e2eCarol, "users": dave})
	env := []string{"DISCORD_TOKEN=fake-bot-token", "DISCORD_PUBLIC_KEY=" + signer.PublicHex()}
	srv := startServeEnv(t, dir, env, "--config", "docracy.yaml")

	post := func(i *discordgo.Interaction) discordgo.InteractionResponse {
		t.Helper()
		resp, err := http.DefaultClient.Do(signer.Request(t, srv.url+"/discord/interactions", discordtest.JSON(t, i), time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var r discordgo.InteractionResponse
		if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &r) != nil || r.Data == nil {
			t.Fatalf("%s: %s %s", i.ID, resp.Status, body)
		}
		return r
	}
	open := post(discordtest.Command("1300000000000000101", e2eAlice, "poll", discordtest.Sub("open",
		discordtest.String("question", "Adopt the 2027 budget?"))))
	id, _, ok := strings.Cut(strings.TrimPrefix(open.Data.Content, "Poll "), " opened")
	if !ok || open.Data.Flags != discordgo.MessageFlagsEphemeral {
		t.Fatalf("/poll open: %+v", open.Data)
	}
	fake.WaitFor(t, 5*time.Second, "poll message", func() bool { return len(fake.Messages()) == 1 })
	msg := fake.Messages()[0]
	for n, c := range []struct {
		u      discordtest.User
		option int
	}{{e2eBob, 0}, {e2eCarol, 1}, {dave, 0}} {
		start := time.Now()
		r := post(fake.Click(t, fmt.Sprintf("13000000000000002%02d", n), c.u, msg.ID, fmt.Sprintf("poll:%s:%d", id, c.option)))
		t.Logf("%s's click answered in %s", c.u.Name, time.Since(start))
		if !strings.HasPrefix(r.Data.Content, "You voted") {
			t.Errorf("%s's click: %+v", c.u.Name, r.Data)
		}
	}
	closed := post(discordtest.Command("1300000000000000301", e2eAlice, "poll", discordtest.Sub("close", discordtest.String("poll", id))))
	if !strings.HasPrefix(closed.Data.Content, "Poll "+id+" closed: **yes** adopted.") {
		t.Errorf("/poll close: %+v", closed.Data)
	}
	fake.WaitFor(t, 5*time.Second, "result message", func() bool { return len(fake.Messages()) == 2 })
	checkPollAPI(t, srv.url+"/api/v1/polls/"+id)
	srv.stop(t)
	if out := mustRun(t, dir, "verify", "--config", "docracy.yaml"); !strings.HasPrefix(out, "ok ") {
		t.Errorf("verify: %s", out)
	}
}

// placeInColleges makes each user a member in their college before serve
// starts, as `docracy member college` would.
func placeInColleges(t *testing.T, db string, users map[string]discordtest.User) {
	t.Helper()
	ctx := context.Background()
	l, err := ledger.Open(ctx, db, ledger.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b := bot.New(l, nil)
	for college, u := range users {
		m, err := b.DiscordMember(ctx, u.ID, u.Name)
		if err == nil {
			_, _, err = l.SetCollege(ctx, ledger.CollegeRequest{Member: m.ID, College: college, Source: ledger.SourceCLI,
				SourceRef: "cli:college:" + u.ID, Actor: "cli:test"})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// checkPollAPI reads the poll as scripts do: workers (30) and users (20)
// said yes, volunteers (30) no; partners have nobody and drop out, so yes
// has 50/80 of the weight.
func checkPollAPI(t *testing.T, url string) {
	t.Helper()
	var p bot.Poll
	getJSON(t, url, &p)
	want := []bot.OptionResult{{Name: "yes", Votes: 2, Percent: "62.50"}, {Name: "no", Votes: 1, Percent: "37.50"}, {Name: "abstain", Votes: 0, Percent: "0.00"}}
	if p.Status != "closed" || p.Outcome != "adopted" || p.Adopted != "yes" || p.Electorate != 3 || p.Voters != 3 ||
		p.ParticipationPercent != "100.00" || fmt.Sprint(p.Options) != fmt.Sprint(want) || len(p.Votes) != 3 {
		t.Errorf("GET %s = %+v, want yes adopted with %v", url, p, want)
	}
}
