package discord_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/robfig/cron/v3"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/integrations/discord"
	"github.com/docracy/docracy/integrations/discord/discordtest"
	ghint "github.com/docracy/docracy/integrations/github"
	"github.com/docracy/docracy/integrations/github/githubtest"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// start is the time every test begins at.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Roles of the fake server.
const (
	maintainerRole = "910000000000000001"
	treasurerRole  = "910000000000000002"
	memberRole     = "910000000000000003"
	otherRole      = "910000000000000004"
)

var roles = discord.Roles{Maintainer: []string{maintainerRole}, Treasurer: []string{treasurerRole}, Member: []string{memberRole}}

// People of the fake server.
var (
	alice  = discordtest.User{ID: "100000000000000001", Name: "Alice", Roles: []string{maintainerRole, memberRole}}
	bob    = discordtest.User{ID: "100000000000000002", Name: "Bob", Roles: []string{memberRole}}
	carol  = discordtest.User{ID: "100000000000000003", Name: "Carol", Roles: []string{memberRole}}
	tom    = discordtest.User{ID: "100000000000000004", Name: "Tom", Roles: []string{treasurerRole}}
	eve    = discordtest.User{ID: "100000000000000005", Name: "Eve", Roles: []string{otherRole}}
	nobody = discordtest.User{ID: "100000000000000006", Name: "Nobody"}
)

var categories = []string{"code", "review", "doc", "community"}

// cooperativeZone is the cooperative's time zone: payout periods and
// digest slots follow it.
var cooperativeZone = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// weeklyDigest is the default digest.schedule.
var weeklyDigest = func() cron.Schedule {
	s, err := cron.ParseStandard("CRON_TZ=Europe/Paris 0 9 * * MON")
	if err != nil {
		panic(err)
	}
	return s
}()

// harness is a docracy wired to a fake Discord: a real ledger in a
// temporary directory, the bot, the router, the HTTP endpoint on an
// httptest server, and a fake GitHub for profiles.
type harness struct {
	t       *testing.T
	clock   *testkit.Clock
	ledger  *ledger.Ledger
	bot     *bot.Bot
	router  *discord.Router
	server  *httptest.Server
	discord *discordtest.Fake
	signer  *discordtest.Signer
	github  *githubtest.API
	rest    *discord.REST
	ids     int
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	h := &harness{t: t, clock: testkit.NewClock(start), discord: discordtest.New(t), signer: discordtest.NewSigner(t), github: githubtest.New(t, nil, 5000)}
	l := ledgertest.Open(t, h.clock.Now)
	h.ledger = l
	h.bot = bot.New(l, categories)
	h.bot.Now = h.clock.Now
	community := bot.NewCommunity(h.bot, l, bot.NewPraiseRules(1, 3, categories))
	community.GitHub = profiles(t, h.github)
	metrics := discord.NewMetrics(prometheus.NewRegistry())
	h.rest = newREST(t, h.discord, metrics)
	h.router = discord.NewRouter(h.bot, community, roles, h.rest)
	h.router.GuildID = discordtest.Guild
	// A month's payout is 1000.00 EUR, split by the points of the month.
	h.router.Treasury = &bot.Treasury{Ledger: l, Now: h.clock.Now, Rules: bot.PayoutRules{
		Currency: "EUR", Decimals: 2, Period: bot.Monthly, Budget: big.NewInt(100000), Policy: bot.Proportional, Location: cooperativeZone,
	}}
	h.router.Digests = &bot.Digests{Ledger: l, Schedule: weeklyDigest, Top: 10}
	h.router.Now = h.clock.Now
	// Only the deferral tests may defer, however loaded the machine.
	h.router.DeferAfter = 10 * time.Second
	h.router.Metrics = metrics
	h.server = httptest.NewServer(&discord.Handler{Router: h.router, PublicKey: h.signer.Public, Now: h.clock.Now, Metrics: metrics})
	t.Cleanup(h.server.Close)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.router.Wait(ctx); err != nil {
			t.Error(err)
		}
	})
	return h
}

// newREST is a REST client of the fake Discord with short waits.
func newREST(t testing.TB, fake *discordtest.Fake, m *discord.Metrics) *discord.REST {
	t.Helper()
	s, err := discord.NewSession("test-token", discord.SessionOptions{
		Transport: fake.Transport(), Timeout: 10 * time.Second, Backoff: 10 * time.Millisecond, Metrics: m,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := discord.NewREST(s, m)
	r.MaxRetryAfter = time.Second
	return r
}

// id returns a fresh interaction id.
func (h *harness) id() string {
	h.ids++
	return strconv.Itoa(1_300_000_000_000_000_000 + h.ids)
}

// command builds a slash command with a fresh interaction id.
func (h *harness) command(caller discordtest.User, name string, opts ...discordtest.Option) *discordgo.Interaction {
	return discordtest.Command(h.id(), caller, name, opts...)
}

// post signs body now and posts it to the endpoint.
func (h *harness) post(body []byte) *http.Response {
	h.t.Helper()
	return h.postSigned(h.signer, body, h.clock.Now())
}

func (h *harness) postSigned(s *discordtest.Signer, body []byte, at time.Time) *http.Response {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(s.Request(h.t, h.server.URL, body, at))
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// send posts a signed interaction and returns the first response.
func (h *harness) send(i *discordgo.Interaction) *discordgo.InteractionResponse {
	h.t.Helper()
	resp := h.post(discordtest.JSON(h.t, i))
	var r discordgo.InteractionResponse
	if err := decodeJSON(resp, &r); err != nil {
		h.t.Fatal(err)
	}
	return &r
}

// decodeJSON reads a 200 response's JSON body into v.
func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST /discord/interactions: %s\n%s", resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("response is not an interaction response: %v\n%s", err, body)
	}
	return nil
}

// entries returns the whole ledger.
func (h *harness) entries() []ledger.Entry {
	h.t.Helper()
	entries, err := h.ledger.Entries(context.Background(), 0, 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	return entries
}

func (h *harness) members() []ledger.Member {
	h.t.Helper()
	members, err := h.ledger.Members(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return members
}

// member returns the member holding a Discord account.
func (h *harness) member(u discordtest.User) ledger.Member {
	h.t.Helper()
	m, err := h.ledger.MemberByAccount(context.Background(), ledger.PlatformDiscord, u.ID)
	if err != nil {
		h.t.Fatalf("member of %s: %v", u.Name, err)
	}
	return m
}

// profiles reads GitHub profiles from the fake API, through the client
// reconcile uses.
func profiles(t *testing.T, api *githubtest.API) *ghint.Client {
	p, err := ghint.NewClient(api.Client(), api.URL(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
