package main_test

import (
	"bytes"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docracy/docracy/integrations/discord/discordtest"
	"github.com/docracy/docracy/internal/pgtest"
)

var failovers = flag.Int("failovers", 5, "how many times TestFailoverLosesAndDuplicatesNothing kills the leader")

// TestFailoverLosesAndDuplicatesNothing runs two serve processes on one
// PostgreSQL database while clients send signed merged pull requests to
// both, and kills the leader with SIGKILL again and again, starting a new
// process each time. The survivor takes the singletons over within
// seconds (the Discord gateway session among them), every acknowledged
// delivery is in the ledger exactly once, the chain verifies, and the
// digest the first leader posted, killed before it could record it, is
// posted again under the same nonce: Discord keeps one message.
func TestFailoverLosesAndDuplicatesNothing(t *testing.T) {
	dir, dsn := t.TempDir(), pgtest.DSN(t)
	fake := discordtest.New(t)
	cfg := fmt.Sprintf("database: %s\ndiscord:\n  api_url: %s\n  guild_id: %q\n  digest_channel_id: \"555\"\n",
		dsn, fake.Server.URL, discordtest.Guild)
	if err := os.WriteFile(filepath.Join(dir, "docracy.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	lastWeek := time.Now().Add(-7 * 24 * time.Hour).UTC().Format(time.RFC3339)
	mustRun(t, dir, "credit", "--config", "docracy.yaml", "--member", "github:alice", "--points", "5",
		"--category", "code", "--at", lastWeek)
	setPostgresMeta(t, dsn, "digests_since", time.Now().Add(-30*24*time.Hour).Unix())

	const secret = "e2e-failover-secret"
	env := []string{"GITHUB_WEBHOOK_SECRET=" + secret, "DISCORD_TOKEN=fake-bot-token"}
	release := fake.HoldMessages() // the first leader posts the digest and never hears back
	c := &cluster{t: t, dir: dir, env: env}
	c.start()
	c.start()
	fake.WaitFor(t, 15*time.Second, "the missed digest", func() bool { return len(fake.Messages()) == 1 })

	merged, err := os.ReadFile("testdata/github/webhooks/pull_request.closed.merged.json")
	if err != nil {
		t.Fatal(err)
	}
	run := &loadRun{body: merged, acked: map[int64]int{}}
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { failoverClient(run, c, secret, &stop) })
	}
	for i := range *failovers {
		leader := c.leader(fake)
		time.Sleep(200*time.Millisecond + rand.N(500*time.Millisecond))
		c.kill(leader)
		if i == 0 {
			release()
		}
		taken := time.Now()
		c.leader(fake)
		t.Logf("failover %d: taken over in %s; %d deliveries acknowledged", i+1, time.Since(taken).Round(time.Millisecond), run.ackedCount())
		c.start()
	}
	stop.Store(true)
	wg.Wait()
	if run.ackedCount() == 0 {
		t.Fatal("no delivery was acknowledged: the failovers tested nothing")
	}
	if n, posts := len(fake.Messages()), digestPosts(fake); n != 1 || posts < 2 {
		t.Errorf("%d digest messages from %d posts, want 1 message posted again after the first leader died", n, posts)
	}
	checkCreditedOnce(t, dir, dsn, run.acked)
	for _, s := range c.all {
		if strings.Contains(s.logs.String(), dsn) {
			t.Errorf("the database URL is in the log:\n%s", s.logs)
		}
	}
}

// With SQLite the one process leads, and says so.
func TestSQLiteServeLeads(t *testing.T) {
	dir := t.TempDir()
	srv := startServe(t, dir, "--db", filepath.Join(dir, "ledger.db"))
	if r := role(srv.url); r != "leader" {
		t.Errorf("/readyz role %q, want leader", r)
	}
	if m := metricsText(t, srv.url+"/metrics"); !strings.Contains(m, "\ndocracy_leader 1\n") {
		t.Errorf("no docracy_leader 1 in the metrics:\n%s", m)
	}
	srv.stop(t)
}

// cluster is the serve processes sharing the database.
type cluster struct {
	t    *testing.T
	dir  string
	env  []string
	mu   sync.Mutex
	live []*server
	all  []*server // the live and the killed, whose logs are checked
	next atomic.Int64
}

func (c *cluster) start() {
	srv := startServeEnv(c.t, c.dir, c.env, "--config", "docracy.yaml")
	c.mu.Lock()
	c.live = append(c.live, srv)
	c.all = append(c.all, srv)
	c.mu.Unlock()
}

// url is one of the live servers, in turn.
func (c *cluster) url() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.live[int(c.next.Add(1))%len(c.live)].url
}

func (c *cluster) kill(s *server) {
	c.mu.Lock()
	for i, l := range c.live {
		if l == s {
			c.live = append(c.live[:i], c.live[i+1:]...)
		}
	}
	c.mu.Unlock()
	kill(s)
}

// leader waits until exactly one live server says it leads, in /readyz
// and in its docracy_leader gauge, and exactly one gateway session is
// open: the leader's.
func (c *cluster) leader(fake *discordtest.Fake) *server {
	c.t.Helper()
	var found []*server
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		found = found[:0]
		c.mu.Lock()
		for _, s := range c.live {
			if role(s.url) == "leader" && strings.Contains(metricsText(c.t, s.url+"/metrics"), "\ndocracy_leader 1\n") {
				found = append(found, s)
			}
		}
		c.mu.Unlock()
		if len(found) == 1 && fake.ReadySessions() == 1 {
			return found[0]
		}
	}
	c.t.Fatalf("%d leaders and %d gateway sessions, want one of each", len(found), fake.ReadySessions())
	return nil
}

// role is the role a server's /readyz states, or "" when it does not answer.
func role(url string) string {
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, r := range []string{"leader", "follower"} {
		if strings.Contains(string(b), `"role":"`+r+`"`) {
			return r
		}
	}
	return ""
}

// failoverClient sends deliveries to the live servers in turn until stop,
// counting those acknowledged with a 2xx; one in four is a redelivery.
func failoverClient(r *loadRun, c *cluster, secret string, stop *atomic.Bool) {
	for !stop.Load() {
		n := r.next.Add(1)
		if prev := r.next.Load() - 1; n%4 == 0 && prev > 0 {
			n = 1 + rand.Int64N(prev)
		}
		body := bytes.ReplaceAll(r.body, []byte(`"number": 2,`), []byte(fmt.Sprintf(`"number": %d,`, n)))
		req, err := http.NewRequest("POST", c.url()+"/github/webhook", bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header = http.Header{"Content-Type": {"application/json"}, "X-Github-Event": {"pull_request"},
			"X-Github-Delivery": {fmt.Sprintf("load-%d", n)}, "X-Hub-Signature-256": {sign(secret, body)}}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			continue // that server was killed; the next is another
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			r.mu.Lock()
			r.acked[n]++
			r.mu.Unlock()
		}
	}
}

func (r *loadRun) ackedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.acked)
}

// setPostgresMeta writes a meta value behind the ledger's back.
func setPostgresMeta(t *testing.T, dsn, key string, value int64) {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, fmt.Sprint(value)); err != nil {
		t.Fatal(err)
	}
}
