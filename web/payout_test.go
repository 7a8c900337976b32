package web_test

import (
	"strings"
	"testing"
	"time"
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
