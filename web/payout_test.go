package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/docracy/docracy/ledger"
)

func TestPayoutPage(t *testing.T) {
	f := newFixture(t)
	_, body := f.get(t, "GET", "/payouts/2026-02")
	for _, want := range []string{
		"<h1>Payouts for 2026-02</h1>",
		`<a href="/members/2">bob</a></th><td class="num">83.33</td>`,
		`<a href="/members/3">discord:123456789012345678</a></th><td class="num">12.50</td>`,
		`<a href="/members/4">&lt;script&gt;alert(1)&lt;/script&gt;</a></th><td class="num">4.17</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("payout page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "FR76") {
		t.Error("the payout page shows a payout address")
	}
}

// The payout page shows the period's dates in the cooperative's time zone:
// November in Paris runs from 1 Nov to 30 Nov, though it begins on 31 Oct
// at 23:00 UTC; and the time it was closed, in that zone too.
func TestPayoutPageInTheCooperativesZone(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.dashboard.Location = paris
	f.treasury.Rules.Location = paris // serve gives both the configuration's zone
	_, body := f.get(t, "GET", "/payouts/2026-02")
	for _, want := range []string{
		`<time datetime="2026-01-31T23:00:00Z">1 Feb 2026</time> to <time datetime="2026-02-28T23:00:00Z">28 Feb 2026</time>`,
		`<dd>100.00 EUR</dd>`,
		` CET</time>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("payout page lacks %s:\n%s", want, body)
		}
	}
	f.dashboard.Location, f.treasury.Rules.Location = nil, time.UTC
	if _, body := f.get(t, "GET", "/payouts/2026-02"); !strings.Contains(body, `>1 Feb 2026</time> to <time datetime="2026-03-01T00:00:00Z">28 Feb 2026</time>`) {
		t.Errorf("in UTC, the period is February:\n%s", body)
	}
}

// TestReopenedPayoutPage: a reopened run says so on its page and on the
// home page, with its reason (escaped), who reopened it and when, in the
// dashboard's zone; once the period is closed again, the period's page
// shows the new run, standing, and the reopened one keeps its own page.
func TestReopenedPayoutPage(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.dashboard.Location = paris
	ctx := context.Background()
	const reason = `wrong <b>budget</b> & typo`
	if _, err := f.treasury.Reopen(ctx, "2026-02", reason, "cli:treasurer", ledger.SourceCLI); err != nil {
		t.Fatal(err)
	}
	reopened := []string{
		"<h1>Payouts for 2026-02 (reopened)</h1>",
		`<span class="badge bad">reopened</span> on <time datetime="2026-03-01T12:00:00Z">1 Mar 2026 13:00 CET</time> by cli:treasurer, because: wrong &lt;b&gt;budget&lt;/b&gt; &amp; typo.`,
	}
	_, body := f.get(t, "GET", "/payouts/2026-02")
	checkContains(t, "reopened run's page", body, reopened...)
	_, home := f.get(t, "GET", "/")
	checkContains(t, "home page", home, `<a href="/payouts/2026-02%231">2026-02</a>`, `<span class="badge bad">reopened</span> <time datetime="2026-03-01T12:00:00Z">1 Mar 2026</time>`)

	if _, err := f.treasury.Close(ctx, "2026-02", "cli:treasurer", ledger.SourceCLI); err != nil {
		t.Fatal(err)
	}
	_, body = f.get(t, "GET", "/payouts/2026-02")
	checkContains(t, "standing run's page", body, "<h1>Payouts for 2026-02</h1>", `<td class="num">83.33</td>`)
	if strings.Contains(body, "reopened") {
		t.Errorf("the period's page shows the reopened run, not the one standing:\n%s", body)
	}
	_, body = f.get(t, "GET", "/payouts/2026-02%231")
	checkContains(t, "reopened run's own page", body, reopened...)
	_, home = f.get(t, "GET", "/")
	checkContains(t, "home page after closing again", home, `<a href="/payouts/2026-02">2026-02</a>`, `<a href="/payouts/2026-02%231">2026-02</a>`)
	if resp, _ := f.get(t, "GET", "/payouts/2026-02%233"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a run that does not exist: status %d, want 404", resp.StatusCode)
	}
}

func checkContains(t *testing.T, page, body string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %s:\n%s", page, want, body)
		}
	}
}
