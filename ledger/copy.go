package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"
)

// ErrNotEmpty is Copy into a ledger that already holds entries or members.
var ErrNotEmpty = errors.New("the target ledger is not empty")

// workingState lists the tables the chain does not determine (names,
// logins, e-mail addresses, deliveries seen, reconcile progress, pending
// link claims, digests posted, settings): Copy carries them over row by
// row, in the order given. Every other table but entries is derived, and
// Copy rebuilds it.
var workingState = []struct{ table, columns, order string }{
	{"members", "id, name, college, payout_address, created_at", "id"},
	{"accounts", "platform, external_id, login, member_id", "rowid"},
	{"member_emails", "email, member_id", "email"},
	{"github_deliveries", "id, event, created, received_at", "id"},
	{"github_reconcile", "repo, watermark, next_page, since, high, updated_at", "repo"},
	{"link_claims", "discord_id, github_login, code, created_at, expires_at", "discord_id"},
	{"digests", "period_start, slot, posted_at, message_id", "period_start"},
	{"meta", "key, value", "key"}, // the decay row excepted: the rebuild weighs from the target's own
}

// copyBatch is how many entries Copy's reader hands its writer at a
// time: enough that the handing over costs nothing beside the rows.
const copyBatch = 10_000

// Copy copies src into dst, which must be empty, and returns the head both
// then have. One transaction writes the working state row by row, then
// the entries with their seq, times and hashes kept, then every derived
// table rebuilt once from them (deriving rows per entry as well would
// write them twice): dst is either still empty or a whole ledger. It
// checks src's chain as it reads it and dst's, derived tables included,
// at the end. progress, when not nil, hears how many entries are copied.
// Nothing must write to src meanwhile.
func Copy(ctx context.Context, dst, src *Ledger, progress func(done int64)) (Head, error) {
	var head Head
	err := dst.write(ctx, func(w *writer) (err error) {
		w.unread = true
		if err := dst.checkEmpty(ctx, w.tx); err != nil {
			return err
		}
		if err := copyState(ctx, w, src, dst.engine); err != nil {
			return err
		}
		// The rebuild needs no second pass over the chain: the state it
		// rebuilds from is gathered as the entries are copied. Its scores
		// come from SQL, so the state leaves them out.
		s := emptyChainState(dst.halfLife)
		s.unscored = true
		if head, err = copyEntries(ctx, w, src, s, progress); err != nil {
			return err
		}
		s.head, s.entries = head, head.Seq
		s.finish()
		if err := dst.rebuildFrom(ctx, w, s); err != nil {
			return err
		}
		return dst.engine.analyze(ctx, w.tx)
	})
	if err != nil {
		return head, fmt.Errorf("copy: %w", err)
	}
	got, _, err := dst.VerifyAll(ctx, nil)
	if err != nil || got != head {
		return got, fmt.Errorf("copy: the copy's head is seq %d %s, the source's seq %d %s: %v", got.Seq, got.Hash, head.Seq, head.Hash, err)
	}
	return got, nil
}

// checkEmpty refuses a ledger with entries or members.
func (l *Ledger) checkEmpty(ctx context.Context, q queryer) error {
	var entries, members int64
	if err := q.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM entries), (SELECT count(*) FROM members)").Scan(&entries, &members); err != nil {
		return err
	}
	if entries > 0 || members > 0 {
		return fmt.Errorf("%w: %s holds %d entries and %d members", ErrNotEmpty, l, entries, members)
	}
	return nil
}

// copyState copies the working state tables within w.
func copyState(ctx context.Context, w *writer, src *Ledger, e engine) error {
	for _, t := range workingState {
		if err := copyTable(ctx, w, src, t.table, t.columns, t.order); err != nil {
			return fmt.Errorf("%s: %w", t.table, err)
		}
	}
	return e.afterCopy(ctx, w.tx)
}

// copyTable reads a table of src and inserts each row through w.
func copyTable(ctx context.Context, w *writer, src *Ledger, table, columns, order string) error {
	where := ""
	if table == "meta" {
		where = " WHERE key <> 'decay'"
	}
	rows, err := src.db.QueryContext(ctx, "SELECT "+columns+" FROM "+table+where+" ORDER BY "+order)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := strings.Count(columns, ",") + 1
	insert := "INSERT INTO " + table + " (" + columns + ") VALUES (?" + strings.Repeat(", ?", n-1) + ")"
	for rows.Next() {
		values := make([]any, n)
		ptrs := make([]any, n)
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := w.exec(ctx, insert, values...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// copyEntries appends src's entries within w, checking src's chain on
// the way, and returns the head reached. Reading and checking src runs
// beside writing, each on a core of its own: the reader hands over each
// full batch and starts on the next. The entries' own indexes are built
// once at the end.
func copyEntries(ctx context.Context, w *writer, src *Ledger, s *chainState, progress func(int64)) (Head, error) {
	v := NewVerifier()
	batches := make(chan []Entry, 1)
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(batches)
		return readBatches(ctx, src, v, s, batches)
	})
	g.Go(func() error {
		return w.withoutIndexes(ctx, "entries", func(int) error {
			var done int64
			for batch := range batches {
				if err := w.appendCopies(ctx, batch); err != nil {
					return err
				}
				if done += int64(len(batch)); progress != nil {
					progress(done)
				}
			}
			return nil
		})
	})
	err := g.Wait()
	return v.Head(), err
}

// readBatches reads src's entries through v, which checks their chain,
// takes each into s, and sends them in batches of copyBatch.
func readBatches(ctx context.Context, src *Ledger, v *Verifier, s *chainState, out chan<- []Entry) error {
	return sendBatches(ctx, &batchPool{size: copyBatch}, out, func(add func(Entry) error) error {
		return src.Each(ctx, 0, func(e Entry) error {
			if err := v.Add(e); err != nil {
				return fmt.Errorf("source: %w", err)
			}
			s.add(e)
			return add(e)
		})
	})
}

// appendCopies stores entries as they were chained elsewhere: each must
// follow this ledger's head, and keeps its recorded time and hash. It
// derives nothing: Copy rebuilds every derived table at the end.
func (w *writer) appendCopies(ctx context.Context, entries []Entry) error {
	for _, e := range entries {
		if e.Seq != w.head.Seq+1 || e.PrevHash != w.head.Hash {
			return fmt.Errorf("entry %d does not follow the copy's head %d", e.Seq, w.head.Seq)
		}
		w.head = Head{Seq: e.Seq, Hash: e.Hash}
	}
	if len(entries) == 0 {
		return nil
	}
	if err := w.engine.insertCopies(ctx, w, entries); err != nil {
		return fmt.Errorf("entries %d to %d: %w", entries[0].Seq, entries[len(entries)-1].Seq, err)
	}
	return nil
}

// insertEach stores entries one statement each, and fails unless every
// one of them is new. Its statements run without ctx's end, which it
// checks before each instead: given a context that can end, the SQLite
// driver starts a goroutine per statement to watch it.
func (w *writer) insertEach(ctx context.Context, entries []Entry) error {
	quiet := context.WithoutCancel(ctx)
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if inserted, err := w.insert(quiet, e); err != nil || !inserted {
			return fmt.Errorf("entry %d: stored %v: %w", e.Seq, inserted, err)
		}
	}
	return nil
}
