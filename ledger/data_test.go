package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docracy/docracy/ledger"
	"github.com/gowebpki/jcs"
)

func TestCanonicalDataAcceptsOnlyPortableValues(t *testing.T) {
	for _, tt := range []struct {
		in, want, err string
	}{
		{in: ``, want: ``},
		{in: `{}`, want: ``},
		{in: ` { "b" : 1 , "a" : "x" } `, want: `{"a":"x","b":1}`},
		{in: `{"z":{"y":[1,"2",{"b":-3,"a":[]}]}}`, want: `{"z":{"y":[1,"2",{"a":[],"b":-3}]}}`},
		{in: `{"\uff61":1,"\ud83d\ude00":2,"a":3}`, want: `{"a":3,"😀":2,"｡":1}`}, // UTF-16 order, not UTF-8
		{in: `{"n":9007199254740991}`, want: `{"n":9007199254740991}`},
		{in: `{"n":9007199254740992}`, err: "not an integer within"},
		{in: `{"n":1.5}`, err: "not an integer within"},
		{in: `{"n":1e3}`, err: "not an integer within"},
		{in: `{"b":true}`, err: "bool values are not allowed"},
		{in: `{"b":null}`, err: "null is not allowed"},
		{in: `[1,2]`, err: "must be a JSON object"},
		{in: `"x"`, err: "must be a JSON object"},
		{in: `{"a":1} {"b":2}`, err: "trailing text"},
		{in: `{"a":`, err: "unexpected EOF"},
		{in: `{"a":[[[[[[[[[1]]]]]]]]]}`, err: "nested deeper"},
	} {
		got, err := ledger.CanonicalData([]byte(tt.in))
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("CanonicalData(%s) error = %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || string(got) != tt.want):
			t.Errorf("CanonicalData(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

// FuzzCanonicalData checks the encoder against an independent RFC 8785
// implementation on every input it accepts.
func FuzzCanonicalData(f *testing.F) {
	for _, s := range []string{`{"a":1}`, `{"b":[1,"x",{"c":"\u2028"}],"a":{}}`, `{"é":"\u0007"}`, `{"😀":{"€":-0}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := ledger.CanonicalData([]byte(in))
		if err != nil || got == nil {
			return
		}
		want, err := jcs.Transform([]byte(in))
		if err != nil {
			t.Fatalf("accepted %q that jcs refuses: %v", in, err)
		}
		if string(got) != string(want) {
			t.Fatalf("CanonicalData(%q) = %s, jcs says %s", in, got, want)
		}
		again, err := ledger.CanonicalData(got)
		if err != nil || string(again) != string(got) {
			t.Fatalf("not idempotent: %s then %s, %v", got, again, err)
		}
	})
}

// The expected hash was computed outside Go (Python's hashlib and json.dumps
// with sort_keys) from the canonical line below.
func TestDataIsChainedAndExported(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})

	data, err := ledger.NewData(map[string]any{"options": []string{"yes", "no"}, "question": "Adopt the statutes?", "quorum": 25})
	if err != nil {
		t.Fatal(err)
	}
	n := credit(0, 0, "", "poll:1", t0)
	n.Kind, n.Data = ledger.KindPoll, data
	e := mustAppend(t, l, n)
	want := `{"actor":"cli:test","category":"","data":{"options":["yes","no"],"question":"Adopt the statutes?","quorum":25},` +
		`"id":"e1","kind":"poll","member":0,"note":"","occurred_at":"2026-11-02T09:00:00Z","points":0,` +
		`"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","recorded_at":"2026-11-02T09:00:00Z",` +
		`"seq":1,"source":"cli","source_ref":"poll:1","url":""}`
	if got := string(e.CanonicalJSON()); got != want {
		t.Fatalf("canonical JSON:\n got %s\nwant %s", got, want)
	}
	if e.Hash != "6cafe9ba2e5c5b93b5e77bbd0cbd18baa2d0a2d97b724f7bc063cda40daf3ada" {
		t.Fatalf("hash = %s, does not follow the rule", e.Hash)
	}
	stored, err := l.Entry(ctx, 1)
	if err != nil || string(stored.Data) != string(data) || stored.Hash != e.Hash {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
	var line map[string]any
	b, _ := json.Marshal(stored)
	if err := json.Unmarshal(b, &line); err != nil || line["data"].(map[string]any)["question"] != "Adopt the statutes?" {
		t.Fatalf("export line %s: %v", b, err)
	}
	if _, n, err := l.Verify(ctx); err != nil || n != 1 {
		t.Fatalf("verify = %d, %v", n, err)
	}
}

// A ledger written before entries carried data opens, keeps every hash and
// line, and takes the governance kinds afterwards.
func TestVersion5LedgerUpgrades(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v5.db")
	copyFile(t, "testdata/ledger-v5.db", path)
	l := openPath(t, path, ledger.Options{})
	var lines []string
	err := l.Each(ctx, 0, func(e ledger.Entry) error {
		b, err := e.MarshalJSON()
		lines = append(lines, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/ledger-v5.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines, "\n") + "\n"; got != string(want) {
		t.Fatalf("export after upgrade:\n%s\nwant\n%s", got, want)
	}
	n := credit(1, 0, "workers", "college:1", t0)
	n.Kind, n.Data = ledger.KindCollege, json.RawMessage(`{"college":"workers"}`)
	mustAppend(t, l, n)
	if _, count, err := l.Verify(ctx); err != nil || count != 8 {
		t.Fatalf("verify after upgrade = %d, %v", count, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyCatchesEditedData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "docracy.db")
	l := openPath(t, path, ledger.Options{})
	alice := member(t, l, "alice")
	n := credit(0, 0, "", "poll:1", t0)
	n.Kind, n.Data = ledger.KindPoll, json.RawMessage(`{"question":"Q?"}`)
	mustAppend(t, l, n)
	mustAppend(t, l, credit(alice, 1, "code", "c:1", t0))
	for _, tt := range []struct{ name, data string }{
		{"edited", `{"question":"R?"}`},
		{"not canonical", `{ "question":"Q?"}`},
		{"removed", ``},
	} {
		execRaw(t, path, `DROP TRIGGER IF EXISTS entries_append_only_update;
			UPDATE entries SET data = '`+tt.data+`' WHERE seq = 1`)
		var chainErr *ledger.ChainError
		if _, _, err := l.Verify(ctx); !errors.As(err, &chainErr) || chainErr.Seq != 1 {
			t.Errorf("%s data: verify = %v, want chain broken at seq 1", tt.name, err)
		}
	}
}

func TestPollsAndTalliesAreAboutNoMember(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice := member(t, l, "alice")
	for _, tt := range []struct {
		kind   ledger.Kind
		member int64
		err    string
	}{
		{ledger.KindPoll, alice, "member must be 0"},
		{ledger.KindTally, alice, "member must be 0"},
		{ledger.KindVote, 0, "no member"},
		{ledger.KindCollege, 0, "no member"},
	} {
		n := credit(tt.member, 0, "", "k:"+string(tt.kind), t0)
		n.Kind = tt.kind
		if _, _, err := l.Append(ctx, n); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s with member %d: %v, want %q", tt.kind, tt.member, err, tt.err)
		}
	}
	n := credit(0, 0, "", "poll:1", t0)
	n.Kind = ledger.KindTally
	e := mustAppend(t, l, n)
	if got, err := l.Entry(ctx, e.Seq); err != nil || got.Member != 0 || got.Hash != e.Hash {
		t.Fatalf("tally read back = %+v, %v", got, err)
	}
}
