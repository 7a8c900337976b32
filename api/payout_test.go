package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

func TestPayoutAPI(t *testing.T) {
	ctx := context.Background()
	f := newPayouts(t)
	alice := f.credit("alice", 1)
	f.credit("bob", 3)
	if err := f.ledger.SetPayoutAddress(ctx, alice, "secret-iban"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.treasury.Close(ctx, "2026-11", "cli:treasurer", ledger.SourceCLI); err != nil {
		t.Fatal(err)
	}
	srv := f.serve()

	tests := []struct {
		path   string
		status int
		body   string // a fragment the body must hold
	}{
		{"/api/v1/payouts", 200, `"name":"2026-11"`},
		{"/api/v1/payouts/2026-11", 200, `"github":"bob","discord":"","college":"","has_address":false,"amount":"75.00"`},
		{"/api/v1/payouts/2026-10", 404, `{"error":"period 2026-10 is not closed`},
		{"/api/v1/payouts/november", 400, `{"error":"period \"november\": payouts are monthly`},
	}
	for _, tt := range tests {
		res, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
			t.Errorf("GET %s = %d %s; want %d with %s", tt.path, res.StatusCode, body, tt.status, tt.body)
		}
		if strings.Contains(string(body), "secret-iban") || strings.Contains(string(body), `"address"`) {
			t.Errorf("GET %s exposes an address: %s", tt.path, body)
		}
	}
	var run bot.Run
	res, _ := http.Get(srv.URL + "/api/v1/payouts/2026-11")
	json.NewDecoder(res.Body).Decode(&run)
	res.Body.Close()
	if len(run.Allocations) != 2 || run.Allocations[0].Amount != "25.00" || run.Allocations[0].Seq == 0 {
		t.Errorf("run = %+v", run)
	}
	if _, err := f.ledger.Entry(ctx, run.Allocations[0].Seq); err != nil {
		t.Errorf("payout entry %d: %v", run.Allocations[0].Seq, err)
	}
}
