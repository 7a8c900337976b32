package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// awkwardLedger holds entries whose texts hold what a packing could trip
// on: its own separators, lengths, controls, other scripts, data.
func awkwardLedger(t testing.TB) *Ledger {
	t.Helper()
	ctx := context.Background()
	l := openAt(t, testNow())
	m, _, err := l.EnsureAccount(ctx, Account{Platform: PlatformGitHub, Login: "alice"}, "")
	if err != nil {
		t.Fatal(err)
	}
	notes := []string{"", ":", "3:abc", "a\x1fb\x00c", "élan ✓ 日本", strings.Repeat("long ", 2000)}
	for i, note := range notes {
		n := NewEntry{Kind: KindCredit, Member: m.ID, Category: "code", Points: int64(i), OccurredAt: testNow().Add(-time.Duration(i) * time.Hour),
			Source: SourceCLI, SourceRef: fmt.Sprint("awkward:", i), Actor: "cli:test", Note: note, URL: "https://example.org/" + strconv.Itoa(i)}
		if i == 3 {
			n.Data = json.RawMessage(`{"a":"x:y","b":[1,2]}`)
		}
		if _, _, err := l.Append(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	return l
}

// readChainRows is every entry as eachChainRow reads it.
func readChainRows(t testing.TB, q queryer, separated bool) []Entry {
	t.Helper()
	var entries []Entry
	err := eachChainRow(context.Background(), q, separated, 0, func(e Entry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		t.Fatalf("separated %v: %v", separated, err)
	}
	return entries
}

// Both packings read each entry as the columns do, one by one, and Each
// starts where it is asked to.
func TestSeparatedScanReadsWhatThePrefixedScanReads(t *testing.T) {
	l := awkwardLedger(t)
	var columns []Entry
	err := queryEntries(context.Background(), l.db, func(e Entry) error {
		columns = append(columns, e)
		return nil
	}, "seq > 0 ORDER BY seq")
	if err != nil || len(columns) != 6 {
		t.Fatalf("read %d entries column by column, want 6: %v", len(columns), err)
	}
	for _, separated := range []bool{true, false} {
		if got := readChainRows(t, l.db, separated); !reflect.DeepEqual(got, columns) {
			t.Errorf("separated %v: read\n%+v\nwant\n%+v", separated, got, columns)
		}
	}
	var after []Entry
	if err := l.Each(context.Background(), 4, func(e Entry) error {
		after = append(after, e)
		return nil
	}); err != nil || !reflect.DeepEqual(after, columns[4:]) {
		t.Errorf("Each after seq 4 = %+v, %v; want %+v", after, err, columns[4:])
	}
}

// tamperEntry sets the note of the entry at seq to note, with a hash
// recomputed for the edit when rehash is set, as someone with the file
// could.
func tamperEntry(t *testing.T, l *Ledger, seq int64, note string, rehash bool) {
	t.Helper()
	entries := readChainRows(t, l.db, false)
	e := entries[seq-1]
	e.Note = note
	if rehash {
		e.Hash = ChainHash(e.PrevHash, e.CanonicalJSON())
	}
	script := []string{"DROP TRIGGER IF EXISTS entries_append_only_update",
		"UPDATE entries SET note = CAST(? AS TEXT), hash = ? WHERE seq = ?"}
	if _, err := l.db.Exec(script[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := l.db.Exec(script[1], []byte(note), e.Hash, seq); err != nil {
		t.Fatal(err)
	}
}

// A text holding the separator is read column by column, and verify
// judges the entry by its content alone, as it would any other.
func TestSeparatorInATextIsReadColumnByColumn(t *testing.T) {
	l := awkwardLedger(t)
	note := "split\xffhere" + chainSeparator
	tamperEntry(t, l, 6, note, true)
	head, n, err := l.Verify(context.Background())
	if err != nil || n != 6 {
		t.Fatalf("verify after a consistent edit of the head: %d entries, %v", n, err)
	}
	if got := readChainRows(t, l.db, true)[5]; got.Note != note || got.Hash != head.Hash {
		t.Errorf("read note %q hash %s, want %q %s", got.Note, got.Hash, note, head.Hash)
	}
	tamperEntry(t, l, 4, "a\xffb", false)
	_, _, err = l.Verify(context.Background())
	var chainErr *ChainError
	if !errors.As(err, &chainErr) || chainErr.Seq != 4 || !strings.Contains(chainErr.Reason, "edited") {
		t.Errorf("verify after an edit holding the separator = %v, want seq 4 edited", err)
	}
}

// packSeparated is the text separatedSelect gives e.
func packSeparated(e Entry) string {
	ints := []int64{e.Seq, e.Member, e.Points, e.OccurredAt.Unix(), e.RecordedAt.Unix()}
	fields := make([]string, 0, 16)
	for _, n := range ints {
		fields = append(fields, strconv.FormatInt(n, 10))
	}
	var data string
	for _, f := range e.textFields(&data) {
		fields = append(fields, *f)
	}
	fields[15] = string(e.Data)
	return strings.Join(fields, chainSeparator)
}

func FuzzUnpackSeparated(f *testing.F) {
	l := awkwardLedger(f)
	for _, e := range readChainRows(f, l.db, false) {
		f.Add(packSeparated(e))
	}
	f.Add(strings.Repeat(chainSeparator, 15))
	f.Add("1" + strings.Repeat(chainSeparator, 16))
	f.Fuzz(func(t *testing.T, text string) {
		var e Entry
		if !e.unpackSeparated(text) {
			return
		}
		if strings.Count(text, chainSeparator) != 15 {
			t.Fatalf("unpacked %q, which has %d separators", text, strings.Count(text, chainSeparator))
		}
		var again Entry
		if !again.unpackSeparated(packSeparated(e)) || !reflect.DeepEqual(again, e) {
			t.Fatalf("%q unpacks to %+v, which packs to %q", text, e, packSeparated(e))
		}
	})
}

// An error from Each's fn is what Each returns, and fn is not called again.
func TestEachStopsAtTheFirstError(t *testing.T) {
	l := awkwardLedger(t)
	stop := errors.New("enough")
	var seen []int64
	err := l.Each(context.Background(), 0, func(e Entry) error {
		seen = append(seen, e.Seq)
		if e.Seq == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || !reflect.DeepEqual(seen, []int64{1, 2}) {
		t.Errorf("Each = %v after seqs %v, want %v after [1 2]", err, seen, stop)
	}
}
