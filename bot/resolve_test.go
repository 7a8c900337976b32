package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger"
	"github.com/docracy/docracy/ledger/ledgertest"
)

// countingLedger is the real ledger, counting the account lookups and the
// calls to EnsureAccount: the one member call of the bot's ports that takes
// the writer lock, which every append and every other command's member
// lookup then waits for.
type countingLedger struct {
	*ledger.Ledger
	ensures, lookups atomic.Int64
}

func (l *countingLedger) MemberByAccount(ctx context.Context, p ledger.Platform, id string) (ledger.Member, error) {
	l.lookups.Add(1)
	return l.Ledger.MemberByAccount(ctx, p, id)
}

func (l *countingLedger) MemberByLogin(ctx context.Context, p ledger.Platform, login string) (ledger.Member, error) {
	l.lookups.Add(1)
	return l.Ledger.MemberByLogin(ctx, p, login)
}

func (l *countingLedger) EnsureAccount(ctx context.Context, a ledger.Account, name string) (ledger.Member, bool, error) {
	l.ensures.Add(1)
	return l.Ledger.EnsureAccount(ctx, a, name)
}

// A praise between known members looks both of them up by reading, once,
// or not at all when the slash command passes them down resolved; a credit
// to a known member reads it too: only the appends write.
func TestKnownMembersAreReadNotWritten(t *testing.T) {
	ctx := context.Background()
	l := &countingLedger{Ledger: ledgertest.Open(t, func() time.Time { return now })}
	b := bot.New(l, categories)
	b.Now = func() time.Time { return now }
	c := bot.NewCommunity(b, l, bot.NewPraiseRules(2, 5, []string{"code", "community"}))
	ann, err := b.DiscordMember(ctx, "100000000000000001", "ann")
	if err != nil {
		t.Fatal(err)
	}
	credit(t, b, "github:alice", 1, "code", time.Hour)
	bob := credit(t, b, "github:bob", 1, "code", time.Hour).Member
	l.ensures.Store(0)

	named := praiseReq("discord:100000000000000001", "github:Alice", "reviewed my first PR")
	passed := praiseReq("discord:100000000000000001", "github:bob", "fixed the flaky test")
	if passed.To, err = b.FindMember(ctx, "github:bob"); err != nil {
		t.Fatal(err)
	}
	passed.From = ann
	for _, r := range []bot.PraiseRequest{named, passed} {
		l.lookups.Store(0)
		if _, created, err := c.Praise(ctx, r); err != nil || !created {
			t.Fatalf("Praise(%q) = created %v, %v", r.Reason, created, err)
		}
		if want := map[bool]int64{true: 0, false: 2}[r.To.ID != 0]; l.lookups.Load() != want {
			t.Errorf("Praise(%q) looked members up %d times, want %d", r.Reason, l.lookups.Load(), want)
		}
	}
	if e := credit(t, b, "github:ALICE", 2, "doc", 0); e.Member == bob {
		t.Errorf("credit to github:ALICE went to bob")
	}
	if n := l.ensures.Load(); n != 0 {
		t.Errorf("known members took the writer lock %d times to be looked up, want 0", n)
	}
}

// barrierLedger is the counting ledger whose account lookups, once they
// miss, wait until the other caller has missed too: both first uses then
// go on to create the member at the same time.
type barrierLedger struct {
	*countingLedger
	missed sync.WaitGroup
}

func (l *barrierLedger) MemberByAccount(ctx context.Context, p ledger.Platform, id string) (ledger.Member, error) {
	m, err := l.countingLedger.MemberByAccount(ctx, p, id)
	if errors.Is(err, ledger.ErrNotFound) {
		l.missed.Done()
		l.missed.Wait()
	}
	return m, err
}

// Two first uses of a Discord account at once, which both find no member,
// make one member between them: the create looks again under the writer
// lock, and both get that member.
func TestConcurrentFirstUsesMakeOneMember(t *testing.T) {
	const user = "100000000000000002"
	for name, resolve := range map[string]func(context.Context, *bot.Bot) (ledger.Member, error){
		"DiscordMember": func(ctx context.Context, b *bot.Bot) (ledger.Member, error) { return b.DiscordMember(ctx, user, "ann") },
		"ResolveMember": func(ctx context.Context, b *bot.Bot) (ledger.Member, error) {
			return b.ResolveMember(ctx, "discord:"+user)
		},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var log testkit.LockedBuffer
			l := &barrierLedger{countingLedger: &countingLedger{Ledger: ledgertest.Open(t, nil)}}
			l.missed.Add(2)
			b := bot.New(l, categories)
			b.Logger = slog.New(slog.NewTextHandler(&log, nil))
			var got [2]ledger.Member
			var errs [2]error
			var wg sync.WaitGroup
			for i := range got {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got[i], errs[i] = resolve(ctx, b)
				}()
			}
			wg.Wait()
			members, err := l.Members(ctx)
			if errs[0] != nil || errs[1] != nil || err != nil {
				t.Fatalf("resolutions: %v, %v; members: %v", errs[0], errs[1], err)
			}
			if got[0].ID != got[1].ID || len(members) != 1 {
				t.Errorf("first uses got members %d and %d; the ledger holds %d members, want 1", got[0].ID, got[1].ID, len(members))
			}
			if n := l.ensures.Load(); n != 2 {
				t.Errorf("%d creates, want 2: both first uses must have raced to create", n)
			}
			if n := strings.Count(log.String(), "member created"); n != 1 {
				t.Errorf("%d members created in the log, want 1:\n%s", n, log.String())
			}
		})
	}
}
