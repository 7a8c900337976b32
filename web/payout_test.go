package web_test

import (
	"strings"
	"testing"
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
