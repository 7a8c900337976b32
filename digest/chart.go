package digest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/docracy/docracy/bot"
)

// The chart's size in pixels: wide enough for Discord to show it whole.
const (
	ChartWidth  = 800
	ChartHeight = 420
)

var (
	chartInk   = color.RGBA{0x1f, 0x29, 0x37, 0xff}
	chartBar   = color.RGBA{0x2b, 0x6c, 0xb0, 0xff}
	chartPaper = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// chartFace is the Go font, embedded in x/image: the chart renders the same
// on every machine, with no system font to find.
var chartFace = sync.OnceValues(func() (font.Face, error) {
	f, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, err
	}
	return opentype.NewFace(f, &opentype.FaceOptions{Size: 14, DPI: 72, Hinting: font.HintingFull})
})

// Chart draws d's top contributors' points as a horizontal bar chart, one
// bar a member, and returns it as PNG.
func Chart(d bot.Digest) ([]byte, error) {
	face, err := chartFace()
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, ChartWidth, ChartHeight))
	draw.Draw(img, img.Bounds(), image.NewUniform(chartPaper), image.Point{}, draw.Src)
	text := func(s string, x, y int) {
		(&font.Drawer{Dst: img, Src: image.NewUniform(chartInk), Face: face, Dot: fixed.P(x, y)}).DrawString(s)
	}
	text(fmt.Sprintf("Top contributors, %s to %s", d.Start.Format("2 Jan"), d.End.Format("2 Jan 2006")), 20, 30)
	if len(d.Top) == 0 {
		text("No contributions in this period.", 20, 80)
	}
	drawBars(img, d.Top, text)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

func drawBars(img *image.RGBA, members []bot.DigestMember, text func(string, int, int)) {
	const top, bottom, labelWidth, valueWidth = 50, 10, 200, 70
	if len(members) == 0 {
		return
	}
	row := min((ChartHeight-top-bottom)/len(members), 36)
	most := max(members[0].Points, 1)
	span := ChartWidth - labelWidth - valueWidth - 40
	for i, m := range members {
		y := top + i*row
		text(shorten(m.Name, 24), 20, y+row*2/3)
		width := int(int64(span) * m.Points / most)
		bar := image.Rect(labelWidth+20, y+row/6, labelWidth+20+max(width, 1), y+row*5/6)
		draw.Draw(img, bar, image.NewUniform(chartBar), image.Point{}, draw.Src)
		text(fmt.Sprint(m.Points), bar.Max.X+8, y+row*2/3)
	}
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
