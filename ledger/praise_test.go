package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
)

var limits = ledger.PraiseLimits{Cap: 2, Window: 24 * time.Hour, Repeat: time.Hour}

func TestAppendPraiseLimits(t *testing.T) {
	ctx := context.Background()
	c := testkit.NewClock(t0)
	l := openTemp(t, ledger.Options{Now: c.Now})
	alice, carol, dan := member(t, l, "alice"), member(t, l, "carol"), member(t, l, "dan")
	const giver = "discord:1"
	steps := []struct {
		name string
		n    ledger.NewEntry
		want error // nil, or a *PraiseLimitError
	}{
		{"first", praise(alice, giver, "p1", t0), nil},
		{"same member within the hour", praise(alice, giver, "p2", t0.Add(59*time.Minute)),
			&ledger.PraiseLimitError{Limit: ledger.PraiseTooSoon, Until: t0.Add(time.Hour)}},
		{"another giver may", praise(alice, "discord:2", "p3", t0.Add(59*time.Minute)), nil},
		{"another member", praise(carol, giver, "p4", t0.Add(2*time.Hour)), nil},
		{"over the cap", praise(dan, giver, "p5", t0.Add(3*time.Hour)),
			&ledger.PraiseLimitError{Limit: ledger.PraiseCapReached, Given: 2, Until: t0.Add(24 * time.Hour)}},
		{"a retry of an accepted praise over the cap", praise(alice, giver, "p1", t0.Add(3*time.Hour)), nil},
		{"a day after the first", praise(dan, giver, "p6", t0.Add(24*time.Hour)), nil},
	}
	for _, s := range steps {
		c.Set(s.n.OccurredAt)
		_, _, err := l.AppendPraise(ctx, s.n, limits)
		if diff := cmp.Diff(s.want, err); diff != "" {
			t.Errorf("%s: error (-want +got):\n%s", s.name, diff)
		}
	}
	given, err := l.PraiseGiven(ctx, giver, t0.Add(-time.Hour))
	if err != nil || len(given) != 3 {
		t.Errorf("PraiseGiven = %d entries, %v; want 3", len(given), err)
	}
}

// TestRevokedPraiseFreesTheCap: a revoked praise no longer counts.
func TestRevokedPraiseFreesTheCap(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice, carol, dan := member(t, l, "alice"), member(t, l, "carol"), member(t, l, "dan")
	first, _, err := l.AppendPraise(ctx, praise(alice, "discord:1", "p1", t0), limits)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.AppendPraise(ctx, praise(carol, "discord:1", "p2", t0), limits); err != nil {
		t.Fatal(err)
	}
	var limit *ledger.PraiseLimitError
	if _, _, err := l.AppendPraise(ctx, praise(dan, "discord:1", "p3", t0), limits); !errors.As(err, &limit) {
		t.Fatalf("third praise = %v, want the cap", err)
	}
	if _, _, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: first.Seq, Source: ledger.SourceCLI, Actor: "cli:t", Reason: "spam"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.AppendPraise(ctx, praise(dan, "discord:1", "p3", t0), limits); err != nil {
		t.Errorf("praise after a revoke = %v, want it accepted", err)
	}
}

// TestConcurrentPraiseKeepsTheCap sends many praises at once: exactly the
// cap gets through, since the check and the append share a transaction.
func TestConcurrentPraiseKeepsTheCap(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	var members []int64
	for i := range 10 {
		members = append(members, member(t, l, fmt.Sprint("m", i)))
	}
	var wg sync.WaitGroup
	results := make(chan error, len(members))
	for i, m := range members {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := l.AppendPraise(ctx, praise(m, "discord:1", fmt.Sprint("p", i), t0), limits)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	accepted := 0
	for err := range results {
		var limit *ledger.PraiseLimitError
		switch {
		case err == nil:
			accepted++
		case !errors.As(err, &limit):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if accepted != limits.Cap {
		t.Errorf("%d praises accepted at once, want the cap, %d", accepted, limits.Cap)
	}
}

func TestAppendPraiseOnlyPraise(t *testing.T) {
	l := openTemp(t, ledger.Options{})
	if _, _, err := l.AppendPraise(context.Background(), credit(member(t, l, "a"), 1, "code", "c", t0), limits); err == nil {
		t.Error("AppendPraise took a credit entry")
	}
}
