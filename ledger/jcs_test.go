package ledger_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docracy/docracy/ledger"
	"github.com/gowebpki/jcs"
)

// The expected hashes below were computed outside Go, from the DESIGN's
// rule alone: SHA-256 over prev_hash followed by the entry's canonical JSON.
// They pin the chain format: a change here breaks every published head.
func TestChainGoldenVectors(t *testing.T) {
	ctx := context.Background()
	l := openTemp(t, ledger.Options{})
	alice, _, err := l.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformGitHub, ExternalID: "1", Login: "alice"}, "")
	if err != nil {
		t.Fatal(err)
	}
	nelly, _, err := l.EnsureAccount(ctx, ledger.Account{Platform: ledger.PlatformDiscord, ExternalID: "80351110224678912"}, "Nelly")
	if err != nil {
		t.Fatal(err)
	}
	first := mustAppend(t, l, ledger.NewEntry{
		Kind: ledger.KindCredit, Member: alice.ID, Category: "code", Points: 5,
		OccurredAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), Source: ledger.SourceCLI,
		SourceRef: "golden:1", Actor: "cli:alice",
		Note: "first <&> \u2028 line\u2029 \U0001F389 bell\a tab\t quote\" back\\ del\x7f",
		URL:  "https://example.org/pr/1?a=1&b=<2>",
	})
	second := mustAppend(t, l, ledger.NewEntry{
		Kind: ledger.KindPraise, Member: nelly.ID, Category: "community", Points: 1, OccurredAt: t0,
		Source: ledger.SourceDiscord, SourceRef: "discord:interaction:1", Actor: "discord:80351110224678912",
		Note: "merci 🙏 — très bien",
	})
	third, _, err := l.Revoke(ctx, ledger.RevokeRequest{Seq: first.Seq, Source: ledger.SourceCLI, Actor: "cli:alice", Reason: "duplicate"})
	if err != nil {
		t.Fatal(err)
	}

	wantFirst := `{"actor":"cli:alice","category":"code","id":"e1","kind":"credit","member":1,` +
		`"note":"first <&> ` + "\u2028 line\u2029 \U0001F389" + ` bell\u0007 tab\t quote\" back\\ del` + "\x7f" + `",` +
		`"occurred_at":"2026-11-01T10:00:00Z","points":5,"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000",` +
		`"recorded_at":"2026-11-02T09:00:00Z","seq":1,"source":"cli","source_ref":"golden:1","url":"https://example.org/pr/1?a=1&b=<2>"}`
	if got := string(first.CanonicalJSON()); got != wantFirst {
		t.Errorf("canonical JSON of seq 1:\n got %s\nwant %s", got, wantFirst)
	}
	for _, tt := range []struct {
		e    ledger.Entry
		want string
	}{
		{first, "38bd952d13e1db5c807c178d55201676fe5d4be9574c8b1777f22c20557f643d"},
		{second, "7fbc1bdd10dc97e75862f6ca4975a560242a2f171ad38e74de508b538dc23bc1"},
		{third, "6af0a06cf70ad12c8ddc86115b6278a8c11c9ec736b6420e3e79b3dd76f74cc0"},
	} {
		if tt.e.Hash != tt.want {
			t.Errorf("seq %d hash = %s, want %s", tt.e.Seq, tt.e.Hash, tt.want)
		}
	}
	if head, n, err := l.Verify(ctx); err != nil || n != 3 || head.Hash != third.Hash {
		t.Errorf("verify = %+v %d %v", head, n, err)
	}
}

// TestMarshalJSONIsTheCanonicalLine checks that the exported line is itself
// JCS and that removing "hash" from it gives the hashed bytes.
func TestMarshalJSONIsTheCanonicalLine(t *testing.T) {
	e := sampleEntry("a <b> & c \u2028\b\f\x1f")
	line, err := e.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	canonical, err := jcs.Transform(line)
	if err != nil {
		t.Fatal(err)
	}
	if string(canonical) != string(line) {
		t.Errorf("line is not canonical:\n got %s\nwant %s", line, canonical)
	}
	var fields map[string]any
	if err := json.Unmarshal(line, &fields); err != nil {
		t.Fatal(err)
	}
	delete(fields, "hash")
	if got, want := string(e.CanonicalJSON()), jcsOf(t, fields); got != want {
		t.Errorf("CanonicalJSON:\n got %s\nwant %s", got, want)
	}
}

func sampleEntry(note string) ledger.Entry {
	return ledger.Entry{
		Seq: 42, ID: ledger.EntryID(42), Kind: ledger.KindCredit, Member: 7, Category: "doc", Points: 3,
		OccurredAt: t0, RecordedAt: t0, Source: ledger.SourceGitHub, SourceRef: "x", Actor: "github:1",
		Note: note, URL: "https://x/<y>", PrevHash: ledger.ZeroHash, Hash: "ab",
	}
}

// TestEncodersMustNotEscapeHTML documents a trap: json.Marshal re-escapes
// a Marshaler's output for HTML, which would change the hashed text; an
// Encoder with SetEscapeHTML(false) keeps the line intact.
func TestEncodersMustNotEscapeHTML(t *testing.T) {
	e := sampleEntry("<&> \u2028")
	line, _ := e.MarshalJSON()
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSuffix(buf.String(), "\n"); got != string(line) {
		t.Errorf("encoder changed the line:\n got %s\nwant %s", got, line)
	}
}

// jcsOf canonicalises v with an independent RFC 8785 implementation.
func jcsOf(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jcs.Transform(raw)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// FuzzCanonicalJSON compares our encoder with an independent RFC 8785
// implementation on arbitrary text.
func FuzzCanonicalJSON(f *testing.F) {
	for _, s := range []string{"", "plain", "<&>", "\u2028\u2029", "🎉 emoji", "\x00\x01\b\t\n\v\f\r\x1f\x7f", `"\`, "é\u0301", "\uffff"} {
		f.Add(s, s+"!")
	}
	f.Fuzz(func(t *testing.T, note, actor string) {
		if !utf8.ValidString(note) || !utf8.ValidString(actor) {
			t.Skip("the ledger refuses text that is not UTF-8")
		}
		e := sampleEntry(note)
		e.Actor = actor
		var fields map[string]any
		line, _ := e.MarshalJSON()
		if err := json.Unmarshal(line, &fields); err != nil {
			t.Fatalf("our line does not parse: %v\n%s", err, line)
		}
		if got, want := string(line), jcsOf(t, fields); got != want {
			t.Errorf("\n got %q\nwant %q", got, want)
		}
	})
}

// TestPackageDocExample keeps the worked example of the package doc true.
func TestPackageDocExample(t *testing.T) {
	e := ledger.Entry{
		Seq: 1, ID: ledger.EntryID(1), Kind: ledger.KindCredit, Member: 1, Category: "code", Points: 5,
		OccurredAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), RecordedAt: t0, Source: ledger.SourceCLI,
		SourceRef: "demo:1", Actor: "cli:alice", Note: "first PR", PrevHash: ledger.ZeroHash,
	}
	const want = "a906d5c5969f240005c09d00b6a0201903a0f28798dd2ccc9efb800de95b2895"
	if got := ledger.ChainHash(e.PrevHash, e.CanonicalJSON()); got != want {
		t.Errorf("hash = %s, want %s (update doc.go if the format changed on purpose)", got, want)
	}
}
