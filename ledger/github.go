package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// AccountCredit is a credit for whoever holds a GitHub account: the ledger
// finds the member inside the write, or creates one named after the login
// on first credit.
type AccountCredit struct {
	Account Account  // the account credited: numeric id, login or both
	Member  int64    // a member already known (e.g. by a linked e-mail); wins over Account
	Entry   NewEntry // the entry; its Member is filled in
}

// Contribution is one pull request or one review: its credits are stored
// together or not at all.
type Contribution struct {
	// Prefix, when set, starts the source_ref of every credit, and ends in
	// ':'. If any stored entry starts with it the contribution was credited
	// before, maybe under other rules, and nothing of it is written again.
	Prefix  string
	Credits []AccountCredit
}

// ContributionResult is what a contribution came to.
type ContributionResult struct {
	Entries []Entry // its entries: the new ones, or those stored before
	Created int     // how many of Entries this write added
}

// Delivery is a GitHub webhook delivery, recorded by its X-GitHub-Delivery
// id in the same transaction as the credits it led to, so that a redelivery
// is recognised and changes nothing.
type Delivery struct {
	ID         string    // X-GitHub-Delivery
	Event      string    // X-GitHub-Event
	Created    int       // entries it added; filled in by the ledger
	ReceivedAt time.Time // filled in by the ledger
}

// ReconcileState is how far reconcile has read a repository's closed pull
// requests, newest updated first.
type ReconcileState struct {
	Repo string // owner/name

	// Watermark is the newest updated_at seen by the last complete pass;
	// zero before the first.
	Watermark time.Time

	// NextPage > 0 marks an interrupted pass: the first page not done, and
	// the pass's lower bound and the newest updated_at it saw.
	NextPage int
	Since    time.Time
	High     time.Time
}

// GitHubWrite is one transaction of GitHub credits.
type GitHubWrite struct {
	Contributions []Contribution
	Delivery      *Delivery       // recorded with the credits; one already recorded makes the write a no-op
	State         *ReconcileState // saved with the credits
}

// GitHubResult is what a GitHubWrite stored.
type GitHubResult struct {
	Redelivered   bool                 // the delivery was recorded before: nothing was written
	Contributions []ContributionResult // one per contribution, in order
}

// Created counts the entries the write added.
func (r GitHubResult) Created() int {
	n := 0
	for _, c := range r.Contributions {
		n += c.Created
	}
	return n
}

// WriteGitHub stores GitHub contributions, with the delivery that brought
// them or the reconcile progress they complete, in one transaction: a crash
// leaves either all of it or none.
//
// Concurrent calls are committed together (group commit): whoever takes
// the writer's lock commits every write queued by then, so that webhooks
// arriving at once share one fsync. A write that fails is undone alone
// (see commitGitHub) and its caller gets the error; if the commit fails,
// every caller of the batch does.
func (l *Ledger) WriteGitHub(ctx context.Context, g GitHubWrite) (GitHubResult, error) {
	p := &pendingGitHub{write: g}
	l.github.push(p)
	l.mu.Lock()
	defer l.mu.Unlock()
	if !p.done { // no writer took it while we waited for the lock
		l.commitGitHub(ctx, l.github.take())
	}
	if p.err != nil {
		return GitHubResult{}, fmt.Errorf("write github: %w", p.err)
	}
	return p.res, nil
}

// githubQueue holds the GitHub writes waiting for a commit.
type githubQueue struct {
	mu      sync.Mutex
	pending []*pendingGitHub
}

// pendingGitHub is one caller's write; res, err and done are set by the
// writer that commits it, under the ledger's lock.
type pendingGitHub struct {
	write GitHubWrite
	res   GitHubResult
	err   error
	done  bool
}

func (q *githubQueue) push(p *pendingGitHub) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending = append(q.pending, p)
}

func (q *githubQueue) take() []*pendingGitHub {
	q.mu.Lock()
	defer q.mu.Unlock()
	batch := q.pending
	q.pending = nil
	return batch
}

// commitGitHub writes a batch in one transaction; l.mu is held. The
// transaction carries other callers' writes, so it does not end when the
// caller that runs it goes away.
//
// A batch is first written whole, without savepoints: a savepoint makes
// SQLite copy every page a write touches into a journal of its own, a
// fifth of the time a webhook's write holds the lock. Writes seldom fail
// (the webhook checks what it passes on), and when one does, the batch is
// written again with each write in a savepoint, so that the failure is
// undone alone.
func (l *Ledger) commitGitHub(ctx context.Context, batch []*pendingGitHub) {
	ctx = context.WithoutCancel(ctx)
	read := func(w *writer) (steps []step) {
		w.ahead, steps = w.readAhead(batch)
		return steps
	}
	err := l.writeLockedReading(ctx, read, func(w *writer) error { return w.writeAll(ctx, batch) })
	if err != nil && len(batch) > 1 {
		err = l.writeLocked(ctx, func(w *writer) error { return w.writeEach(ctx, batch) })
	}
	for _, p := range batch {
		if err != nil && p.err == nil {
			p.res, p.err = GitHubResult{}, err
		}
		p.done = true
	}
}

// writeAll writes a batch; the first write that fails fails the
// transaction. What the writes look up was read for all of them as the
// transaction began (see lookahead), and what they store is written in as
// few statements as the engine allows: the new entries and the deliveries
// together, the scores, totals and day sums of the credits once for the
// whole batch, as AppendBatch does. On PostgreSQL a statement sent alone
// is a round trip, and the writes of a batch often credit the same member
// on the same day.
func (w *writer) writeAll(ctx context.Context, batch []*pendingGitHub) (err error) {
	w.batch = newScoreBatch()
	for _, p := range batch {
		res, err := w.writeGitHub(ctx, p.write)
		if err != nil {
			return err
		}
		p.res = res
	}
	return w.flush(ctx, w.rowSteps(insertDeliveries, w.ahead.deliveries, nil)...)
}

// writeEach writes a batch, each write in a savepoint: one that fails is
// undone alone and keeps its error.
func (w *writer) writeEach(ctx context.Context, batch []*pendingGitHub) error {
	for _, p := range batch {
		var fatal error
		p.err, fatal = w.savepoint(ctx, func() (err error) {
			p.res, err = w.writeGitHub(ctx, p.write)
			return err
		})
		if fatal != nil {
			return fatal
		}
	}
	return nil
}

// savepoint runs fn so that, if it fails, its changes alone are undone
// and the transaction goes on; err is fn's error. fatal is a failure of
// the savepoint itself, after which the transaction must be abandoned.
func (w *writer) savepoint(ctx context.Context, fn func() error) (err, fatal error) {
	head, decay := w.head, w.decay
	if err := w.exec(ctx, "SAVEPOINT github_write"); err != nil {
		return nil, fmt.Errorf("savepoint: %w", err)
	}
	if err = fn(); err != nil {
		w.head, w.decay = head, decay
		if rerr := w.exec(ctx, "ROLLBACK TO github_write"); rerr != nil {
			return err, fmt.Errorf("rollback to savepoint: %w", rerr)
		}
	}
	if rerr := w.exec(ctx, "RELEASE github_write"); rerr != nil {
		return err, fmt.Errorf("release savepoint: %w", rerr)
	}
	return err, nil
}

func (w *writer) writeGitHub(ctx context.Context, g GitHubWrite) (GitHubResult, error) {
	var res GitHubResult
	if g.Delivery != nil {
		if recorded, err := w.deliveryRecorded(ctx, g.Delivery.ID); err != nil || recorded {
			return GitHubResult{Redelivered: recorded}, err
		}
	}
	for i, c := range g.Contributions {
		r, err := w.contribute(ctx, c)
		if err != nil {
			return res, fmt.Errorf("contribution %d: %w", i, err)
		}
		res.Contributions = append(res.Contributions, r)
	}
	if g.Delivery != nil {
		if err := w.recordDelivery(ctx, *g.Delivery, res.Created()); err != nil {
			return res, fmt.Errorf("record delivery: %w", err)
		}
	}
	if g.State != nil {
		if err := w.saveReconcileState(ctx, *g.State); err != nil {
			return res, err
		}
	}
	return res, nil
}

// contribute appends a contribution's credits unless it was credited before.
func (w *writer) contribute(ctx context.Context, c Contribution) (ContributionResult, error) {
	if c.Prefix != "" && !w.ahead.uncredited(c.Prefix) {
		stored, err := w.entriesWithPrefix(ctx, c.Prefix)
		if err != nil || len(stored) > 0 {
			return ContributionResult{Entries: stored}, err
		}
	}
	var r ContributionResult
	for _, credit := range c.Credits {
		n := credit.Entry
		if n.Member = credit.Member; n.Member == 0 {
			if credit.Account.Platform != PlatformGitHub {
				return r, fmt.Errorf("credit %s: not a github account", n.SourceRef)
			}
			var err error
			if n.Member, _, err = w.ensureAccount(ctx, credit.Account, ""); err != nil {
				return r, fmt.Errorf("credit %s: %w", n.SourceRef, err)
			}
		}
		e, created, err := w.append(ctx, n)
		if err != nil {
			return r, err
		}
		r.Entries = append(r.Entries, e)
		if created {
			r.Created++
			w.ahead.appended(e.SourceRef)
		}
	}
	return r, nil
}

// entriesWithPrefix reads the entries whose source_ref starts with prefix:
// a range of the source_ref index (see prefixEnd).
func (w *writer) entriesWithPrefix(ctx context.Context, prefix string) ([]Entry, error) {
	upper, ok := prefixEnd(prefix)
	if !ok {
		return nil, fmt.Errorf("prefix %q must end in ':'", prefix)
	}
	if err := w.insertHeld(ctx); err != nil {
		return nil, err
	}
	stmt, err := w.prepare(ctx, "SELECT "+entryColumns+" FROM entries WHERE source_ref >= ? AND source_ref < ? ORDER BY seq")
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, prefix, upper)
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	var entries []Entry
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("read entries: %w", err)
		}
		entries = append(entries, e)
	}
	return entries, rows.Err()
}

// prefixEnd is where the source_refs that start with prefix end: every
// such key sorts between the prefix and the prefix with its final ':'
// replaced by the next byte, ';'. ok is false for a prefix that does not
// end in ':'.
func prefixEnd(prefix string) (end string, ok bool) {
	base, ok := strings.CutSuffix(prefix, ":")
	return base + ";", ok
}

// Delivery returns a recorded webhook delivery.
func (l *Ledger) Delivery(ctx context.Context, id string) (Delivery, error) {
	d, err := deliveryByID(ctx, l.db, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("delivery %s: %w", id, err)
	}
	return d, err
}

const insertDelivery = "INSERT INTO github_deliveries (id, event, created, received_at) VALUES (?, ?, ?, ?)"

// insertDeliveries is insertDelivery for n rows.
func insertDeliveries(n int) string {
	return insertDelivery + strings.Repeat(", (?, ?, ?, ?)", n-1)
}

// recordDelivery records a delivery that added created entries; within a
// group commit, with the others of the batch at its end.
func (w *writer) recordDelivery(ctx context.Context, d Delivery, created int) error {
	row := []any{d.ID, d.Event, created, w.now.Unix()}
	if w.ahead != nil {
		w.ahead.record(d.ID, row)
		return nil
	}
	return w.exec(ctx, insertDelivery, row...)
}

// deliveryRecorded looks a delivery up within a write; it runs before
// every webhook's credits.
func (w *writer) deliveryRecorded(ctx context.Context, id string) (bool, error) {
	if recorded, known := w.ahead.delivery(id); known {
		return recorded, nil
	}
	stmt, err := w.prepare(ctx, "SELECT 1 FROM github_deliveries WHERE id = ?")
	if err != nil {
		return false, err
	}
	var one int
	err = stmt.QueryRowContext(ctx, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read delivery: %w", err)
	}
	return true, nil
}

func deliveryByID(ctx context.Context, q queryer, id string) (Delivery, error) {
	d := Delivery{ID: id}
	var received int64
	err := q.QueryRowContext(ctx, "SELECT event, created, received_at FROM github_deliveries WHERE id = ?", id).
		Scan(&d.Event, &d.Created, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, ErrNotFound
	} else if err != nil {
		return Delivery{}, err
	}
	d.ReceivedAt = time.Unix(received, 0).UTC()
	return d, nil
}

// ReconcileState returns how far reconcile has read a repository; a
// repository never reconciled has the zero state.
func (l *Ledger) ReconcileState(ctx context.Context, repo string) (ReconcileState, error) {
	s := ReconcileState{Repo: repo}
	var watermark, since, high int64
	err := l.db.QueryRowContext(ctx, "SELECT watermark, next_page, since, high FROM github_reconcile WHERE repo = ?",
		strings.ToLower(repo)).Scan(&watermark, &s.NextPage, &since, &high)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	} else if err != nil {
		return s, fmt.Errorf("reconcile state %s: %w", repo, err)
	}
	s.Watermark, s.Since, s.High = unixTime(watermark), unixTime(since), unixTime(high)
	return s, nil
}

func (w *writer) saveReconcileState(ctx context.Context, s ReconcileState) error {
	err := w.exec(ctx, `INSERT INTO github_reconcile (repo, watermark, next_page, since, high, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (repo) DO UPDATE SET watermark = excluded.watermark, next_page = excluded.next_page,
			since = excluded.since, high = excluded.high, updated_at = excluded.updated_at`,
		strings.ToLower(s.Repo), unixSeconds(s.Watermark), s.NextPage, unixSeconds(s.Since), unixSeconds(s.High), w.now.Unix())
	if err != nil {
		return fmt.Errorf("save reconcile state %s: %w", s.Repo, err)
	}
	return nil
}

// unixSeconds stores the zero time as 0, not as year 1's negative seconds.
func unixSeconds(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func unixTime(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0).UTC()
}

// LinkEmail records that an e-mail address belongs to a member, so that a
// Co-authored-by trailer naming it credits them. An address belongs to one
// member at a time: linking it again moves it.
func (l *Ledger) LinkEmail(ctx context.Context, member int64, email string) error {
	email = strings.TrimSpace(email)
	if !strings.Contains(email, "@") {
		return fmt.Errorf("link email: %q is not an e-mail address", email)
	}
	err := l.write(ctx, func(w *writer) error {
		return w.exec(ctx, `INSERT INTO member_emails (email, member_id) VALUES (?, ?)
			ON CONFLICT (email) DO UPDATE SET member_id = excluded.member_id`, email, member)
	})
	if err != nil {
		return fmt.Errorf("link email to member %d: %w", member, err)
	}
	return nil
}

// MemberByEmail returns the member who linked an e-mail address (case
// insensitive).
func (l *Ledger) MemberByEmail(ctx context.Context, email string) (Member, error) {
	var id int64
	err := l.db.QueryRowContext(ctx, "SELECT member_id FROM member_emails WHERE email = ? COLLATE NOCASE", strings.TrimSpace(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("email: %w", ErrNotFound)
	} else if err != nil {
		return Member{}, fmt.Errorf("member by email: %w", err)
	}
	return l.Member(ctx, id)
}
