package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/docracy/docracy/ledger"
)

// College is one of the configured colleges (config colleges).
type College struct {
	Name string
	// Roles are Discord role ids: a member seen with one of them and no
	// college yet is placed in this college.
	Roles []string
}

// CollegeRequest asks to place a member in a college from now on.
type CollegeRequest struct {
	Member  string // github:<login>, discord:<user id> or a member id
	College string // one of the configured colleges
	Note    string // why, kept in the entry
	// Ref is the idempotency key within Source. Empty means a key made of
	// the member, the college and the member's latest placement: a retried
	// move adds nothing, a later move back still can.
	Ref    string
	Actor  string
	Source ledger.Source
}

// SetCollege validates the request and appends a college entry. A member
// already in the college, or a repeated Ref, gets the stored entry back
// with created false.
func (b *Bot) SetCollege(ctx context.Context, r CollegeRequest) (e ledger.Entry, created bool, err error) {
	n, err := b.checkCollegeRequest(&r)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	m, err := b.members().resolve(ctx, n)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	latest, err := b.Ledger.CollegeEntry(ctx, m.ID)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return ledger.Entry{}, false, fmt.Errorf("college: %w", err)
	}
	if latest.Seq > 0 && latest.Category == r.College && r.Ref == "" {
		return latest, false, nil
	}
	if r.Ref == "" {
		r.Ref = fmt.Sprintf("college:%d:%s:after:%d", m.ID, r.College, latest.Seq)
	}
	return b.placeMember(ctx, m, r)
}

// placeMember appends the college entry of a checked request.
func (b *Bot) placeMember(ctx context.Context, m ledger.Member, r CollegeRequest) (ledger.Entry, bool, error) {
	ref, err := sourceRef(r.Source, r.Ref)
	if err != nil {
		return ledger.Entry{}, false, err
	}
	e, created, err := b.Ledger.SetCollege(ctx, ledger.CollegeRequest{
		Member: m.ID, College: r.College, Source: r.Source, SourceRef: ref, Actor: r.Actor, Note: r.Note,
	})
	if err != nil {
		return ledger.Entry{}, false, fmt.Errorf("college: %w", err)
	}
	if created {
		b.logger().Info("college", "seq", e.Seq, "member", e.Member, "college", e.Category, "source", e.Source, "actor", e.Actor)
	}
	return e, created, nil
}

// checkCollegeRequest validates and normalises r in place, before any
// lookup, so that a bad request leaves no trace.
func (b *Bot) checkCollegeRequest(r *CollegeRequest) (memberName, error) {
	n, err := parseMemberName(r.Member)
	if err != nil {
		return memberName{}, err
	}
	r.College = strings.ToLower(strings.TrimSpace(r.College))
	if err := b.checkCollege(r.College); err != nil {
		return memberName{}, err
	}
	r.Note = strings.TrimSpace(r.Note)
	if err := checkText("note", r.Note, MaxNoteLen); err != nil {
		return memberName{}, err
	}
	return n, checkOrigin(r.Actor, r.Source)
}

// checkCollege accepts a configured college.
func (b *Bot) checkCollege(c string) error {
	names := b.CollegeNames()
	switch {
	case len(names) == 0:
		return invalidf("college", "colleges are off in this cooperative (colleges: {} in the configuration): list the colleges there to place members in them")
	case c == "":
		return invalidf("college", "college is missing: use one of %s", strings.Join(names, ", "))
	case !slices.Contains(names, c):
		return invalidf("college", "college %q is not one of %s", c, strings.Join(names, ", "))
	}
	return nil
}

// CollegeNames are the configured colleges' names, in configuration order;
// none when colleges are off.
func (b *Bot) CollegeNames() []string {
	names := make([]string, len(b.Colleges))
	for i, c := range b.Colleges {
		names[i] = c.Name
	}
	return names
}

// PlaceByRoles places a member seen in Discord with roles in the college
// one of them belongs to, when the member has no college yet. It happens
// once per member (the key names them): a maintainer who later takes the
// member out of every college is not overruled at their next command.
func (b *Bot) PlaceByRoles(ctx context.Context, m ledger.Member, roles []string) (ledger.Entry, bool, error) {
	if m.College != "" {
		return ledger.Entry{}, false, nil
	}
	for _, c := range b.Colleges {
		if hasRole(roles, c.Roles) {
			return b.placeMember(ctx, m, CollegeRequest{
				College: c.Name, Ref: "college:auto:" + strconv.FormatInt(m.ID, 10), Actor: AutoCollegeActor,
				Source: ledger.SourceDiscord, Note: "placed by a Discord role of the college",
			})
		}
	}
	return ledger.Entry{}, false, nil
}

// AutoCollegeActor is the actor of the college entries Discord roles cause.
const AutoCollegeActor = "discord:auto"

func hasRole(roles, wanted []string) bool {
	return slices.ContainsFunc(roles, func(r string) bool { return slices.Contains(wanted, r) })
}
