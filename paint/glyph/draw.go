package glyph

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Draw draws one character with its em box's top-left at (x, y). A
// character neither font has, or an outline far outside its em box, is
// left out. Fallback characters, drawn with a finer pen than the brush
// font's, are written twice a thirtieth of an em apart to match its weight.
func Draw(dst *image.RGBA, f *Writer, r rune, x, y float64, size int, col color.NRGBA) {
	segs, asc, fallback, ok := f.OutlineFrom(r, size)
	if !ok || len(segs) == 0 {
		return
	}
	if fallback {
		draw1(dst, segs, asc, x+float64(size)/30, y, size, col)
	}
	draw1(dst, segs, asc, x, y, size, col)
}

// draw1 fills one outline with its em box's top-left at (x, y).
func draw1(dst *image.RGBA, segs sfnt.Segments, asc, x, y float64, size int, col color.NRGBA) {
	baseline := y + asc*float64(size)
	bounds := segs.Bounds()
	if lim := fixed.I(2 * size); bounds.Min.X < -lim || bounds.Min.Y < -lim || bounds.Max.X > lim || bounds.Max.Y > lim {
		return
	}
	x0 := int(math.Floor(x + float64(bounds.Min.X)/64))
	y0 := int(math.Floor(baseline + float64(bounds.Min.Y)/64))
	x1 := int(math.Ceil(x+float64(bounds.Max.X)/64)) + 1
	y1 := int(math.Ceil(baseline+float64(bounds.Max.Y)/64)) + 1
	rect := image.Rect(x0, y0, x1, y1).Intersect(dst.Bounds())
	if rect.Empty() {
		return
	}
	var z vector.Rasterizer
	z.Reset(x1-x0, y1-y0)
	z.DrawOp = draw.Over
	px := func(p fixed.Point26_6) (float32, float32) {
		return float32(x+float64(p.X)/64) - float32(x0), float32(baseline+float64(p.Y)/64) - float32(y0)
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			z.MoveTo(px(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			z.LineTo(px(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			ax, ay := px(s.Args[0])
			bx, by := px(s.Args[1])
			z.QuadTo(ax, ay, bx, by)
		case sfnt.SegmentOpCubeTo:
			ax, ay := px(s.Args[0])
			bx, by := px(s.Args[1])
			cx, cy := px(s.Args[2])
			z.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	z.ClosePath()
	z.Draw(dst, rect, image.NewUniform(col), rect.Min.Sub(image.Pt(x0, y0)))
}
