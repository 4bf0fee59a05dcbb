package paint

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// pt is a point in canvas pixels.
type pt struct{ X, Y float64 }

// canvas draws anti-aliased polygons onto an RGBA image.
type canvas struct {
	img *image.RGBA
	ras vector.Rasterizer
	src image.Uniform
}

func newCanvas(w, h int) *canvas {
	return &canvas{img: image.NewRGBA(image.Rect(0, 0, w, h))}
}

// fill paints a closed polygon with an ink colour (non-premultiplied
// alpha), rasterising only its bounding box.
func (c *canvas) fill(poly []pt, col color.NRGBA) {
	if len(poly) < 3 || col.A == 0 {
		return
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range poly {
		if math.IsNaN(p.X) || math.IsNaN(p.Y) {
			return
		}
		minX, minY = math.Min(minX, p.X), math.Min(minY, p.Y)
		maxX, maxY = math.Max(maxX, p.X), math.Max(maxY, p.Y)
	}
	b := c.img.Bounds()
	x0, y0 := max(int(math.Floor(minX)), b.Min.X), max(int(math.Floor(minY)), b.Min.Y)
	x1, y1 := min(int(math.Ceil(maxX))+1, b.Max.X), min(int(math.Ceil(maxY))+1, b.Max.Y)
	if x1 <= x0 || y1 <= y0 {
		return
	}
	c.ras.Reset(x1-x0, y1-y0)
	c.ras.DrawOp = draw.Over
	ox, oy := float32(x0), float32(y0)
	c.ras.MoveTo(float32(poly[0].X)-ox, float32(poly[0].Y)-oy)
	for _, p := range poly[1:] {
		c.ras.LineTo(float32(p.X)-ox, float32(p.Y)-oy)
	}
	c.ras.ClosePath()
	c.src.C = col
	c.ras.Draw(c.img, image.Rect(x0, y0, x1, y1), &c.src, image.Point{})
}

// stroke paints a brush stroke along a polyline: the outline is offset on
// both sides along the bisector of neighbouring segments by a width that
// tapers with sin(πt) and wavers with noise.
func (c *canvas) stroke(n *noise, line []pt, wid float64, col color.NRGBA, wobble float64, taper func(t float64) float64) {
	if len(line) < 2 {
		return
	}
	if taper == nil {
		taper = func(t float64) float64 { return math.Sin(math.Pi * t) }
	}
	left := make([]pt, len(line))
	right := make([]pt, len(line))
	seed := line[0].X*0.013 + line[0].Y*0.017
	for i, p := range line {
		var dx, dy float64
		switch {
		case i == 0:
			dx, dy = line[1].X-p.X, line[1].Y-p.Y
		case i == len(line)-1:
			dx, dy = p.X-line[i-1].X, p.Y-line[i-1].Y
		default:
			dx, dy = line[i+1].X-line[i-1].X, line[i+1].Y-line[i-1].Y
		}
		l := math.Hypot(dx, dy)
		if l == 0 {
			l = 1
		}
		nx, ny := -dy/l, dx/l
		t := float64(i) / float64(len(line)-1)
		w := wid * taper(t) * (1 - wobble + 2*wobble*n.fbm(seed, float64(i)*0.5, 3.3))
		left[i] = pt{p.X + nx*w, p.Y + ny*w}
		right[i] = pt{p.X - nx*w, p.Y - ny*w}
	}
	poly := left
	for i := len(right) - 1; i >= 0; i-- {
		poly = append(poly, right[i])
	}
	c.fill(poly, col)
}

// blob paints a closed dab (a leaf, a dot of moss) of the given length and
// width at an angle, its edge roughened by noise.
func (c *canvas) blob(n *noise, at pt, length, wid, ang float64, col color.NRGBA) {
	const k = 16
	poly := make([]pt, 0, 2*k)
	for i := 0; i < 2*k; i++ {
		a := float64(i) / float64(2*k) * 2 * math.Pi
		r := 0.5 + 0.5*n.fbm(at.X*0.05+math.Cos(a), at.Y*0.05+math.Sin(a), 7)
		x := math.Cos(a) * length / 2 * r
		y := math.Sin(a) * wid / 2 * r
		poly = append(poly, pt{at.X + x*math.Cos(ang) - y*math.Sin(ang), at.Y + x*math.Sin(ang) + y*math.Cos(ang)})
	}
	c.fill(poly, col)
}

func ink(v uint8, a float64) color.NRGBA {
	return color.NRGBA{v, v, v, uint8(math.Max(0, math.Min(1, a)) * 255)}
}
