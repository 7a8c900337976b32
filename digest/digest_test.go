package digest_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"

	"github.com/docracy/docracy/bot"
	"github.com/docracy/docracy/bot/bottest"
	"github.com/docracy/docracy/digest"
	"github.com/docracy/docracy/internal/testkit"
	"github.com/docracy/docracy/ledger/ledgertest"
)

var (
	start = ledgertest.SampleStart
	end   = ledgertest.SampleEnd
)

func TestTextGolden(t *testing.T) {
	d, err := bot.BuildDigest(context.Background(), bottest.SampleWithPolls(t), start, end, 10)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, "testdata/text.golden.txt", []byte(digest.Text(d)))
}

// A digest with college totals says them in one line; one without (a
// cooperative that does not vote by college) has no such line.
func TestTextColleges(t *testing.T) {
	d := bot.Digest{Start: start, End: end, Points: 8, Entries: 2, Contributors: 2}
	if text := digest.Text(d); strings.Contains(text, "By college") {
		t.Errorf("no college totals, yet the text has them:\n%s", text)
	}
	d.Colleges = []bot.DigestTotal{{Name: "workers", Points: 5}, {Name: "no college", Points: 3}}
	if text := digest.Text(d); !strings.Contains(text, "By college: workers 5, no college 3\n") {
		t.Errorf("digest text:\n%s", text)
	}
}

// A name or a note recorded before hidden characters were refused shows
// in the digest as plain text on its line.
func TestTextShowsPlainText(t *testing.T) {
	name := "mallory\u202e\x1b[2J"
	d := bot.Digest{Start: start, End: end, Points: 8, Entries: 1, Contributors: 1, Newcomers: []string{name},
		Top:     []bot.DigestMember{{Member: 1, Name: name, Points: 8, Categories: []string{"code"}}},
		Notable: []bot.DigestEntry{{Seq: 1, Name: name, Points: 8, Category: "code", Note: "fix \u202egnp.exe"}}}
	text := digest.Text(d)
	if strings.ContainsAny(text, "\u202e\x1b") || strings.Count(text, "mallory [2J") != 3 || !strings.Contains(text, "fix gnp.exe") {
		t.Errorf("digest text:\n%q", text)
	}
}

func TestChartIsAPNG(t *testing.T) {
	d, err := bot.BuildDigest(context.Background(), ledgertest.Sample(t), start, end, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []bot.Digest{d, {Start: start, End: end}} {
		b, err := digest.Chart(d)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("chart does not decode: %v", err)
		}
		if size := img.Bounds().Size(); size.X != digest.ChartWidth || size.Y != digest.ChartHeight {
			t.Errorf("chart is %v, want %dx%d", size, digest.ChartWidth, digest.ChartHeight)
		}
	}
}
