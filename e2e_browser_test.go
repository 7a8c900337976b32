package main_test

// The web side of serve seen from outside, against the built binary: by a
// scraper and an API client (TestServeWeb), and by a person in a real
// headless Chromium (TestBrowser).

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/ledger"
)

// evilName is a member name that every page must show as text.
const evilName = "<script>alert(1)</script>"

// seedWeb fills a ledger through the CLI, with --at times so that the
// windows rank differently:
//
//	           all   30d   7d   code (all)
//	bob         30    20    -    10
//	alice        8     8    8     5
//	carol        4     4    4     4
//	evilName     1     1    1     -
//
// The member named evilName cannot be named on the command line, so it is
// written with the ledger package, as an integration would.
func seedWeb(t *testing.T, dir, db string) {
	t.Helper()
	at := func(ago time.Duration) string { return time.Now().Add(-ago).UTC().Format(time.RFC3339) }
	const day = 24 * time.Hour
	for _, c := range [][]string{
		{"--member", "github:alice", "--points", "5", "--category", "code", "--at", at(time.Hour),
			"--note", "make the leaderboard faster", "--url", "https://github.com/coop/repo/pull/7"},
		{"--member", "github:alice", "--points", "3", "--category", "review", "--at", at(2 * day)},
		{"--member", "github:bob", "--points", "20", "--category", "doc", "--at", at(20 * day), "--note", "translated the handbook"},
		{"--member", "github:bob", "--points", "10", "--category", "code", "--at", at(100 * day)},
		{"--member", "github:carol", "--points", "4", "--category", "code", "--at", at(3 * day)},
	} {
		mustRun(t, dir, append([]string{"credit", "--db", db}, c...)...)
	}
	ctx := context.Background()
	l, err := ledger.Open(ctx, db, ledger.Options{HalfLife: 90 * day})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	m, err := l.CreateMember(ctx, evilName, "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = l.Append(ctx, ledger.NewEntry{
		Kind: ledger.KindCredit, Member: m.ID, Category: "bug", Points: 1, OccurredAt: time.Now().Add(-4 * day),
		Source: ledger.SourceCLI, SourceRef: "cli:e2e-evil", Actor: "cli:e2e", Note: `<img src=x onerror="alert(2)">`,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeWeb checks, on the running binary, what every response carries
// (security headers), the head's ETag, the body limit, and the metrics
// after a few pages, API calls, GitHub webhooks and Discord interactions.
func TestServeWeb(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	seedWeb(t, dir, db)
	const secret = "e2e-webhook-secret"
	discordKey, discordSigner, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := startServeEnv(t, dir, []string{"GITHUB_WEBHOOK_SECRET=" + secret, "DISCORD_PUBLIC_KEY=" + hex.EncodeToString(discordKey)}, "--db", db)

	for _, path := range []string{"/", "/?window=7d", "/members/1", "/api/v1/leaderboard", "/api/v1/entries?limit=x", "/nowhere"} {
		resp, _ := fetch(t, "GET", srv.url+path, nil, nil)
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("GET %s: CSP %q, X-Content-Type-Options %q, Referrer-Policy %q", path, csp,
				resp.Header.Get("X-Content-Type-Options"), resp.Header.Get("Referrer-Policy"))
		}
	}

	head, _ := fetch(t, "GET", srv.url+"/api/v1/ledger/head", nil, nil)
	etag := head.Header.Get("ETag")
	if resp, body := fetch(t, "GET", srv.url+"/api/v1/ledger/head", http.Header{"If-None-Match": {etag}}, nil); resp.StatusCode != 304 || body != "" {
		t.Errorf("head with If-None-Match %s: %d %q, want 304 and no body", etag, resp.StatusCode, body)
	}

	if status := announceBody(t, srv.url, "/github/webhook", 26<<20); !strings.HasPrefix(status, "HTTP/1.1 413 ") {
		t.Errorf("a 26 MiB body: %q, want 413 before it is sent", status)
	}

	// The verification runs in the background from the start. The gauges
	// are read before the integrations' traffic, which may add members.
	expectMetrics(t, srv.url, `docracy_ledger_entries 6`, `docracy_ledger_members 4`,
		`docracy_ledger_verified 1`, `docracy_ledger_verified_seq 6`)

	ping := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)
	for _, sig := range []string{sign(secret, ping), sign(secret, ping), sign("wrong secret", ping)} {
		fetch(t, "POST", srv.url+"/github/webhook", http.Header{
			"Content-Type": {"application/json"}, "X-Github-Event": {"ping"},
			"X-Github-Delivery": {"e2e-1"}, "X-Hub-Signature-256": {sig},
		}, bytes.NewReader(ping))
	}

	leaderboard := []byte(`{"id":"1300000000000000104","application_id":"900000000000000001","type":2,"token":"e2e",
		"guild_id":"800000000000000001","channel_id":"810000000000000001",
		"member":{"user":{"id":"100000000000000002","username":"bob"},"roles":[]},
		"data":{"id":"700000000000000004","name":"leaderboard","type":1,"options":[{"name":"window","type":3,"value":"7d"}]}}`)
	for _, signer := range []ed25519.PrivateKey{discordSigner, discordSigner, nil} {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := strings.Repeat("00", ed25519.SignatureSize) // what a forger sends
		if signer != nil {
			sig = hex.EncodeToString(ed25519.Sign(signer, append([]byte(ts), leaderboard...)))
		}
		resp, body := fetch(t, "POST", srv.url+"/discord/interactions", http.Header{
			"Content-Type": {"application/json"}, "X-Signature-Ed25519": {sig}, "X-Signature-Timestamp": {ts},
		}, bytes.NewReader(leaderboard))
		if signer != nil && resp.StatusCode != http.StatusOK {
			t.Errorf("/leaderboard interaction: %d %s", resp.StatusCode, body)
		}
	}

	expectMetrics(t, srv.url,
		`docracy_http_request_duration_seconds_count{code="200",method="GET",route="/{$}"} 2`,
		`docracy_http_request_duration_seconds_count{code="200",method="GET",route="/members/{id}"} 1`,
		`docracy_http_request_duration_seconds_count{code="400",method="GET",route="/api/v1/entries"} 1`,
		`docracy_http_request_duration_seconds_count{code="404",method="GET",route="/"} 1`,
		`docracy_http_request_duration_seconds_count{code="304",method="GET",route="/api/v1/ledger/head"} 1`,
		`docracy_http_request_duration_seconds_count{code="200",method="POST",route="/github/webhook"} 2`,
		`docracy_http_request_duration_seconds_count{code="401",method="POST",route="/github/webhook"} 1`,
		`docracy_http_request_duration_seconds_count{code="413",method="POST",route="unmatched"} 1`,
		`docracy_http_request_duration_seconds_count{code="200",method="POST",route="/discord/interactions"} 2`,
		`docracy_http_request_duration_seconds_count{code="401",method="POST",route="/discord/interactions"} 1`,
		`docracy_github_webhooks_total{event="ping",outcome="pong"} 2`,
		`docracy_github_webhooks_total{event="ping",outcome="bad_signature"} 1`,
		`docracy_discord_interactions_total{command="leaderboard",outcome="ok"} 2`,
		`docracy_discord_http_rejected_total{reason="bad_signature"} 1`,
	)
	srv.stop(t)
}

// expectMetrics waits up to ten seconds for /metrics to hold every line.
func expectMetrics(t *testing.T, base string, lines ...string) {
	t.Helper()
	var missing []string
	var metrics string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, metrics = fetch(t, "GET", base+"/metrics", nil, nil)
		missing = missing[:0]
		for _, line := range lines {
			if !strings.Contains(metrics, "\n"+line+"\n") {
				missing = append(missing, line)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(missing) > 0 {
		t.Errorf("/metrics lacks:\n%s\nin:\n%s", strings.Join(missing, "\n"), metrics)
	}
}

// announceBody sends only the headers of a POST whose Content-Length is n,
// as a client about to upload n bytes, and returns the status line.
func announceBody(t *testing.T, base, path string, n int) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, n)
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return strings.TrimSpace(status)
}

// chromiumPath is Debian's chromium, which .ci/run installs. Outside CI a
// machine without it skips the browser test; in CI it must run.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("chromium is not installed: install it with apt-get install -y chromium to run the browser test (CI does)")
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns its
// context, which ends with the test or after two minutes.
func browser(t *testing.T) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), // /dev/shm is small in containers
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx)
	t.Cleanup(cancelTab)
	return ctx
}

// pageErrors records what a page should never do: open a JavaScript
// dialog, throw, or log an error (a blocked resource, a CSP violation).
type pageErrors struct {
	mu   sync.Mutex
	seen []string
}

func (p *pageErrors) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		msg = "dialog: " + ev.Message
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			msg = "console " + string(ev.Entry.Source) + ": " + ev.Entry.Text
		}
	}
	if msg != "" {
		p.mu.Lock()
		p.seen = append(p.seen, msg)
		p.mu.Unlock()
	}
}

func (p *pageErrors) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// follow clicks what sel names and waits for the page it leads to.
func follow[S chromedp.Selectable](t *testing.T, ctx context.Context, sel S, opts ...chromedp.QueryOption) {
	t.Helper()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel, opts...))
	if err != nil {
		t.Fatalf("click %v: %v", sel, err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("click %v: %s answered %d", sel, resp.URL, resp.Status)
	}
}

// standingNames is the leaderboard as the browser shows it.
const standingNames = `Array.from(document.querySelectorAll('#standings tbody th a'), a => a.textContent)`

func TestBrowser(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "ledger.db")
	seedWeb(t, dir, db)
	srv := startServe(t, dir, "--db", db)

	errs := &pageErrors{}
	if err := chromedp.Listen(ctx, errs.listen); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.url+"/")); err != nil {
		t.Fatal(err)
	}
	board := func(what string, want ...string) {
		t.Helper()
		if diff := cmp.Diff(want, run(t, ctx, what, chromedp.Evaluate[[]string](standingNames))); diff != "" {
			t.Errorf("%s: leaderboard (-want +got):\n%s", what, diff)
		}
	}
	board("all time", "bob", "alice", "carol", evilName)
	writeShot(t, ctx, filepath.Join(t.ArtifactDir(), "home.png"))

	follow(t, ctx, chromedp.CSS(`nav[aria-label="Window"] a[href="/?window=7d"]`))
	board("7 days", "alice", "carol", evilName)
	if got := run(t, ctx, "current window", chromedp.Text(chromedp.CSS(`nav[aria-label="Window"] [aria-current="page"]`))); got != "7 days" {
		t.Errorf("current window = %q, want 7 days", got)
	}

	// The category form keeps the window.
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#category"), "code")); err != nil {
		t.Fatal(err)
	}
	follow(t, ctx, chromedp.CSS(`form.filter button[type="submit"]`))
	board("7 days in code", "alice", "carol")
	if got := run(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(got, "/?window=7d&category=code") {
		t.Errorf("location = %s", got)
	}

	follow(t, ctx, chromedp.CSS(`#standings a[href="/members/1"]`))
	checkMemberPage(t, ctx)
	shot := filepath.Join(t.ArtifactDir(), "member.png")
	writeShot(t, ctx, shot)

	checkPollPage(t, ctx, openWebPoll(t, dir, db))
	writeShot(t, ctx, filepath.Join(t.ArtifactDir(), "poll.png"))

	// A phone: nothing wider than the screen, the leaderboard still there.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(srv.url+"/")); err != nil {
		t.Fatal(err)
	}
	board("all time on a phone", "bob", "alice", "carol", evilName)
	if fits := run(t, ctx, "page width", chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`)); !fits {
		t.Error("on a 390 px screen the page scrolls sideways")
	}
	writeShot(t, ctx, filepath.Join(t.ArtifactDir(), "home-phone.png"))

	if n := run(t, ctx, "scripts", chromedp.Evaluate[int](`document.scripts.length`)); n != 0 {
		t.Errorf("the page holds %d scripts, want none", n)
	}
	if errs := errs.list(); len(errs) > 0 {
		t.Errorf("the pages raised:\n%s", strings.Join(errs, "\n"))
	}
	srv.stop(t)
}

// checkMemberPage checks alice's page: her history with the link to the
// pull request, and the reputation chart.
func checkMemberPage(t *testing.T, ctx context.Context) {
	t.Helper()
	if got := run(t, ctx, "title", chromedp.Text(chromedp.CSS("h1"))); got != "alice" {
		t.Errorf("h1 = %q, want alice", got)
	}
	rows := run(t, ctx, "history", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#history tbody tr'), tr => tr.querySelector('th').textContent + ' ' + tr.cells[4].textContent)`))
	if diff := cmp.Diff([]string{"e2 3", "e1 5"}, rows); diff != "" {
		t.Errorf("history: entry and points (-want +got):\n%s", diff)
	}
	link := run(t, ctx, "PR link", chromedp.AttributeValue(chromedp.CSS(`#history a[rel~="ugc"]`), "href"))
	if link.Value != "https://github.com/coop/repo/pull/7" {
		t.Errorf("history links to %q, want the pull request", link.Value)
	}
	points := run(t, ctx, "chart", chromedp.AttributeValue(chromedp.CSS("figure.chart svg polyline.line"), "points"))
	if n := len(strings.Fields(points.Value)); n != 60 {
		t.Errorf("the chart's line has %d points, want 60", n)
	}
	box := run(t, ctx, "chart size", chromedp.Evaluate[[]float64](
		`(r => [r.width, r.height])(document.querySelector('figure.chart svg').getBoundingClientRect())`))
	if len(box) != 2 || box[0] < 300 || box[1] < 100 {
		t.Errorf("the chart is drawn %v px, want a visible one", box)
	}
	summary := run(t, ctx, "chart summary", chromedp.Text(chromedp.CSS("#chart-summary")))
	if !strings.HasPrefix(summary, "Reputation from ") {
		t.Errorf("chart summary = %q", summary)
	}
}

// writeShot saves a PNG of the whole page.
func writeShot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png := run(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}
