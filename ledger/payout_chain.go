package ledger

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// payoutData is the data of a payout entry: what was paid, in what, for
// which period, under which policy and run. The amount is a decimal string
// with exactly the currency's decimals, so that the decimals are in the
// chain too.
type payoutData struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Period   string `json:"period"`
	Policy   string `json:"policy"`
	Run      string `json:"run"`
}

// payoutFacts is what a payout entry says, from its data or, for entries
// written before data existed, from its note.
type payoutFacts struct {
	Run, Period, Policy, Currency string
	Decimals                      int
	Amount                        *big.Int
}

// factsOf reads a payout entry; both sources are covered by its hash.
func factsOf(id, note string, data []byte) (payoutFacts, error) {
	if len(data) == 0 {
		return factsFromNote(id, note)
	}
	var d payoutData
	if err := json.Unmarshal(data, &d); err != nil {
		return payoutFacts{}, fmt.Errorf("payout entry %s: data: %w", id, err)
	}
	decimals := decimalsOf(d.Amount)
	amount, err := ParseAmount(d.Amount, decimals)
	if err != nil || d.Run == "" || d.Currency == "" {
		return payoutFacts{}, fmt.Errorf("payout entry %s: data does not say the amount, currency and run: %s", id, data)
	}
	return payoutFacts{Run: d.Run, Period: d.Period, Policy: d.Policy, Currency: d.Currency, Decimals: decimals, Amount: amount}, nil
}

// factsFromNote reads "46.67 EUR for 2026-10 (proportional)", the note of
// the payout entries of the one run a period could have before reopening
// existed.
func factsFromNote(id, note string) (payoutFacts, error) {
	f := strings.Fields(note)
	if len(f) != 5 || f[2] != "for" || !strings.HasPrefix(f[4], "(") || !strings.HasSuffix(f[4], ")") {
		return payoutFacts{}, fmt.Errorf("payout entry %s: note %q does not say the amount", id, note)
	}
	decimals := decimalsOf(f[0])
	amount, err := ParseAmount(f[0], decimals)
	if err != nil {
		return payoutFacts{}, fmt.Errorf("payout entry %s: %w", id, err)
	}
	return payoutFacts{Run: f[3], Period: f[3], Policy: strings.Trim(f[4], "()"), Currency: f[1], Decimals: decimals, Amount: amount}, nil
}

func decimalsOf(amount string) int {
	if i := strings.IndexByte(amount, '.'); i >= 0 {
		return len(amount) - i - 1
	}
	return 0
}

// chainedPayouts selects, for chainedPayout, the payouts table's rows with
// their entries: the table says which entries and whose they are now (a
// link may have merged members), the entries say how much.
const chainedPayouts = `SELECT p.member_id, p.seq, e.id, e.note, e.data
	FROM payouts p JOIN entries e ON e.seq = p.seq AND e.kind = 'payout'`

type chainedRow struct {
	payoutFacts
	member, seq int64
}

func chainedPayout(row scanner) (chainedRow, error) {
	var c chainedRow
	var id, note, data string
	if err := row.Scan(&c.member, &c.seq, &id, &note, &data); err != nil {
		return c, err
	}
	var err error
	c.payoutFacts, err = factsOf(id, note, []byte(data))
	return c, err
}

// mergeNote is the end of the note of a link entry that merged one member
// into another (see Link); what precedes it is the caller's note.
var mergeNote = regexp.MustCompile(`member (\d+) merged into member (\d+): \d+ entries carried(, \d+ praise dropped as self-praise)?$`)

// merges maps each member merged by a link to the member it became.
func merges(ctx context.Context, q queryer) (map[int64]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT member_id, note FROM entries WHERE kind = 'link' ORDER BY seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	into := map[int64]int64{}
	for rows.Next() {
		var to int64
		var note string
		if err := rows.Scan(&to, &note); err != nil {
			return nil, err
		}
		if m := mergeNote.FindStringSubmatch(note); m != nil && m[2] == strconv.FormatInt(to, 10) {
			from, _ := strconv.ParseInt(m[1], 10, 64)
			into[from] = to
		}
	}
	return into, rows.Err()
}

// owner follows merges to the member who holds member's account today.
func owner(into map[int64]int64, member int64) int64 {
	for range len(into) {
		next, ok := into[member]
		if !ok {
			break
		}
		member = next
	}
	return member
}

// payoutRevokes maps each revoked payout entry's id to its revoke.
func payoutRevokes(ctx context.Context, q queryer) (map[string]Reopening, error) {
	rows, err := q.QueryContext(ctx, `SELECT e.id, r.recorded_at, r.actor, r.note FROM entries e
		JOIN entries r ON r.source_ref = 'revoke:' || e.id WHERE e.kind = 'payout'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Reopening{}
	for rows.Next() {
		var id string
		var at int64
		var r Reopening
		if err := rows.Scan(&id, &at, &r.Actor, &r.Reason); err != nil {
			return nil, err
		}
		r.At = time.Unix(at, 0).UTC()
		out[id] = r
	}
	return out, rows.Err()
}

// derivePayouts computes the payout runs from the chain alone, in the
// order they were closed: a run is its payout entries, closed when and by
// whom they were recorded, its budget their sum, reopened by the revoke of
// its first revoked entry.
func derivePayouts(ctx context.Context, q queryer) ([]PayoutRun, error) {
	into, err := merges(ctx, q)
	if err != nil {
		return nil, err
	}
	revoked, err := payoutRevokes(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT "+entryColumns+" FROM entries WHERE kind = 'payout' ORDER BY seq")
	if err != nil {
		return nil, err
	}
	entries, err := scanEntries(rows)
	if err != nil {
		return nil, err
	}
	var runs []PayoutRun
	index := map[string]int{}
	for _, e := range entries {
		f, err := factsOf(e.ID, e.Note, e.Data)
		if err != nil {
			return nil, err
		}
		i, ok := index[f.Run]
		if !ok {
			i, index[f.Run] = len(runs), len(runs)
			runs = append(runs, PayoutRun{ID: f.Run, Period: f.Period, Policy: f.Policy, Currency: f.Currency,
				Decimals: f.Decimals, Budget: new(big.Int), ClosedAt: e.RecordedAt, Actor: e.Actor})
		}
		r := &runs[i]
		r.Budget.Add(r.Budget, f.Amount)
		r.Payouts = append(r.Payouts, Payout{Member: owner(into, e.Member), Amount: f.Amount, Seq: e.Seq})
		if re, ok := revoked[e.ID]; ok && r.Reopened == nil {
			r.Reopened = &re
		}
	}
	return runs, nil
}

// RebuildPayouts recomputes the payout_runs and payouts tables from the
// chain, in its own transaction.
func (l *Ledger) RebuildPayouts(ctx context.Context) error {
	return l.write(ctx, func(w *writer) error { return w.rebuildPayouts(ctx) })
}

// rebuildPayouts is RebuildPayouts within a write, for a rebuild that
// recomputes every derived table in one transaction.
func (w *writer) rebuildPayouts(ctx context.Context) error {
	runs, err := derivePayouts(ctx, w.tx)
	if err != nil {
		return fmt.Errorf("rebuild payouts: %w", err)
	}
	if _, err := w.tx.ExecContext(ctx, "DELETE FROM payouts; DELETE FROM payout_runs"); err != nil {
		return fmt.Errorf("rebuild payouts: %w", err)
	}
	for _, r := range runs {
		if err := w.insertRun(ctx, r); err != nil {
			return fmt.Errorf("rebuild payouts: run %s: %w", r.ID, err)
		}
	}
	return nil
}

func (w *writer) insertRun(ctx context.Context, r PayoutRun) error {
	var reopened any
	var actor, reason string
	if r.Reopened != nil {
		reopened, actor, reason = r.Reopened.At.Unix(), r.Reopened.Actor, r.Reopened.Reason
	}
	err := w.exec(ctx, "INSERT INTO payout_runs ("+runColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.Period, r.Policy, r.Currency, r.Decimals, r.Budget.String(), r.ClosedAt.Unix(), r.Actor, reopened, actor, reason)
	if err != nil {
		return err
	}
	for _, p := range r.Payouts {
		err := w.exec(ctx, "INSERT INTO payouts (seq, run, member_id, amount) VALUES (?, ?, ?, ?)", p.Seq, r.ID, p.Member, p.Amount.String())
		if err != nil {
			return err
		}
	}
	return nil
}
