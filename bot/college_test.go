package bot_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/ledger"
)

var scicColleges = []bot.College{{Name: "partners"}, {Name: "users", Roles: []string{"300"}}, {Name: "workers", Roles: []string{"100", "101"}}}

func collegeRequest(member, college string) bot.CollegeRequest {
	return bot.CollegeRequest{Member: member, College: college, Actor: "cli:test", Source: ledger.SourceCLI}
}

// Bad requests name the field at fault and leave the ledger as it was,
// not even creating the member they name.
func TestSetCollegeRefuses(t *testing.T) {
	for _, tt := range []struct {
		name     string
		colleges []bot.College
		r        bot.CollegeRequest
		field    string
		msg      string
	}{
		{"unknown college", scicColleges, collegeRequest("github:alice", "founders"), "college", `college "founders" is not one of partners, users, workers`},
		{"no college", scicColleges, collegeRequest("github:alice", " "), "college", "college is missing: use one of partners, users, workers"},
		{"colleges off", nil, collegeRequest("github:alice", "workers"), "college",
			"colleges are off in this cooperative (colleges: {} in the configuration): list the colleges there to place members in them"},
		{"bad member", scicColleges, collegeRequest("alice", "workers"), "member", `member "alice": name a member as github:<login>, discord:<user id> or a member id`},
		{"no actor", scicColleges, bot.CollegeRequest{Member: "github:alice", College: "workers", Source: ledger.SourceCLI}, "actor", "actor is missing: say who asked for the change"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, l := newBot(t)
			b.Colleges = tt.colleges
			_, _, err := b.SetCollege(context.Background(), tt.r)
			var e *bot.Error
			if !errors.As(err, &e) || e.Code != bot.CodeInvalid || e.Field != tt.field || e.Message != tt.msg {
				t.Fatalf("err = %#v, want %s: %s", err, tt.field, tt.msg)
			}
			if members, _ := l.Members(context.Background()); len(members) != 0 {
				t.Errorf("a refused request created %d members", len(members))
			}
			if h, _ := l.Head(context.Background()); h.Seq != 0 {
				t.Errorf("a refused request appended up to seq %d", h.Seq)
			}
		})
	}
}

// A retried move adds nothing, a move back is a new entry, and a member
// already in the college is told so.
func TestSetCollegeMoves(t *testing.T) {
	ctx := context.Background()
	b, l := newBot(t)
	b.Colleges = scicColleges
	steps := []struct {
		college    string
		ref        string
		created    bool
		sameSeqAs  int // index of an earlier step whose entry comes back, -1 for none
		wantInBook string
	}{
		{"Workers", "", true, -1, "workers"},
		{"workers", "", false, 0, "workers"},
		{"users", "", true, -1, "users"},
		{"workers", "", true, -1, "workers"},
		{"users", "invoice-7", true, -1, "users"},
		{"partners", "invoice-7", false, 4, "users"},
	}
	var seqs []int64
	for i, s := range steps {
		r := collegeRequest("github:alice", s.college)
		r.Ref = s.ref
		e, created, err := b.SetCollege(ctx, r)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if created != s.created || (s.sameSeqAs >= 0 && e.Seq != seqs[s.sameSeqAs]) {
			t.Errorf("step %d (%s): seq %d created %v", i, s.college, e.Seq, created)
		}
		if e.Kind != ledger.KindCollege || e.Points != 0 {
			t.Errorf("step %d: entry %+v", i, e)
		}
		seqs = append(seqs, e.Seq)
		if m, _ := l.Member(ctx, e.Member); m.College != s.wantInBook {
			t.Errorf("step %d: college %q, want %q", i, m.College, s.wantInBook)
		}
	}
	if h, _ := l.Head(ctx); h.Seq != 4 {
		t.Errorf("head seq %d, want 4 college entries", h.Seq)
	}
}

// A Discord role of a college places a member who has none, once, and
// never moves a member who has one.
func TestPlaceByRoles(t *testing.T) {
	ctx := context.Background()
	b, l := newBot(t)
	b.Colleges = scicColleges
	alice, _ := b.DiscordMember(ctx, "1001", "Alice")
	bob, _ := b.DiscordMember(ctx, "1002", "Bob")
	if _, _, err := b.SetCollege(ctx, collegeRequest("discord:1002", "partners")); err != nil {
		t.Fatal(err)
	}
	bob, _ = l.Member(ctx, bob.ID)
	if _, created, err := b.PlaceByRoles(ctx, bob, []string{"999", "101"}); err != nil || created {
		t.Fatalf("bob, in partners, was placed again: %v %v", created, err)
	}
	if _, created, _ := b.PlaceByRoles(ctx, alice, []string{"999"}); created {
		t.Fatal("a role of no college placed alice")
	}
	e, created, err := b.PlaceByRoles(ctx, alice, []string{"999", "300"})
	if err != nil || !created || e.Category != "users" || e.Actor != bot.AutoCollegeActor || e.Source != ledger.SourceDiscord {
		t.Fatalf("alice placed by role: %+v %v %v", e, created, err)
	}
	if m, _ := l.Member(ctx, alice.ID); m.College != "users" {
		t.Errorf("alice's college = %q, want users", m.College)
	}
	// Taken out by a maintainer, she stays out.
	if _, _, err := b.SetCollege(ctx, bot.CollegeRequest{Member: "discord:1001", College: "workers", Actor: "cli:t", Source: ledger.SourceCLI}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := l.SetCollege(ctx, ledger.CollegeRequest{Member: alice.ID, Source: ledger.SourceCLI, SourceRef: "cli:out", Actor: "cli:t"}); err != nil {
		t.Fatal(err)
	}
	alice, _ = l.Member(ctx, alice.ID)
	if _, created, _ := b.PlaceByRoles(ctx, alice, []string{"300"}); created {
		t.Error("alice, taken out of every college, was placed again by her role")
	}
}

// The digest's colleges are the members' current ones; "no college" names
// only members without one, and a period whose contributors are in no
// college (as in a cooperative without colleges) has no college totals.
func TestDigestColleges(t *testing.T) {
	ctx := context.Background()
	b, l := newBot(t)
	b.Colleges = scicColleges
	credit(t, b, "github:alice", 5, "code", time.Hour)
	credit(t, b, "github:bob", 3, "doc", time.Hour)
	start, end := now.Add(-24*time.Hour), now.Add(time.Hour)
	d, err := bot.BuildDigest(ctx, l, start, end, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Colleges) != 0 {
		t.Errorf("nobody in a college, yet the digest has colleges %v", d.Colleges)
	}
	if _, _, err := b.SetCollege(ctx, collegeRequest("github:alice", "workers")); err != nil {
		t.Fatal(err)
	}
	if d, err = bot.BuildDigest(ctx, l, start, end, 10); err != nil {
		t.Fatal(err)
	}
	want := []bot.DigestTotal{{Name: "workers", Points: 5}, {Name: "no college", Points: 3}}
	if diff := cmp.Diff(want, d.Colleges); diff != "" {
		t.Errorf("colleges (-want +got):\n%s", diff)
	}
}
