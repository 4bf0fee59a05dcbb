package film

import (
	"fmt"
	"image"
	"image/color"
	"unicode"

	"miaobi/hanzi"
	"miaobi/paint/glyph"
)

// mark is one character written on the film: where, how large, and when
// the brush writes it (from Start, for Dur seconds, top to bottom).
type mark struct {
	x, y       int // the sprite's top-left on the frame
	sprite     *image.Alpha
	start, dur float64
}

// writing is the poem as it is written on the frame: vertical columns
// right to left — the title, the lines, then a smaller signature — on a
// soft paper veil that keeps them legible over any part of the picture.
type writing struct {
	marks   []mark
	veil    image.Rectangle
	feather float64 // pixels over which the veil fades out at its edges
	ink     color.NRGBA
	// layer caches the veil and the finished characters (premultiplied,
	// where the veil is); layerDone counts the characters in it.
	layer     *image.RGBA
	layerDone int
	paper     [3]float32
}

// column is one column of text and when each of its characters is written.
type column struct {
	text  []rune
	times [][2]float64 // start, duration per character
	small bool
}

// layoutWriting places the columns in a frame of W×H: at the right for a
// wide frame, at the top right for a tall one.
func layoutWriting(W, H int, cols []column) (*writing, error) {
	f, err := glyph.NewWriter()
	if err != nil {
		return nil, err
	}
	longest := 0
	for _, c := range cols {
		longest = max(longest, len(c.text))
	}
	short := min(W, H)
	size := short / 15
	// Shrink until the block fits in 80% of the height (wide) or 45% (tall).
	room := 0.8 * float64(H)
	if H > W {
		room = 0.45 * float64(H)
	}
	for size > 12 && float64(longest)*float64(size)*1.12 > room {
		size = size * 9 / 10
	}
	step := float64(size) * 1.12
	gap := float64(size) * 1.45
	blockW := int(float64(len(cols))*gap) + size/2
	blockH := int(float64(longest)*step) + size/2
	right := W - short/14
	top := H / 12
	if H > W {
		top = H / 16
	}
	w := &writing{ink: color.NRGBA{26, 22, 18, 255}, paper: [3]float32{246, 240, 228}}
	// The veil reaches a character's width beyond the text and fades over
	// that width, so it has no edge to see.
	w.feather = float64(size)
	w.veil = image.Rect(right-blockW-size, top-size, right+size, top+blockH+size).Intersect(image.Rect(0, 0, W, H))
	x := float64(right) - float64(size)*1.1
	for _, c := range cols {
		s := size
		if c.small {
			s = size * 3 / 4
		}
		y := float64(top)
		if c.small {
			y += float64(size) // the signature starts lower
		}
		for i, r := range c.text {
			sp, err := sprite(f, r, s)
			if err != nil {
				return nil, err
			}
			pad := s / 5
			cx := x + float64(size-s)/2
			w.marks = append(w.marks, mark{x: int(cx) - pad, y: int(y) - pad, sprite: sp, start: c.times[i][0], dur: c.times[i][1]})
			y += float64(s) * 1.12
		}
		x -= gap
	}
	return w, nil
}

// sprite draws one character into an alpha mask with a fifth of its size
// as margin.
func sprite(f *glyph.Writer, r rune, size int) (*image.Alpha, error) {
	if !f.Has(r) {
		alt := []rune(hanzi.ToTraditional(string(r)))
		if len(alt) != 1 || !f.Has(alt[0]) {
			if unicode.IsSpace(r) {
				return image.NewAlpha(image.Rect(0, 0, 1, 1)), nil
			}
			return nil, fmt.Errorf("film: no brush font has 「%c」 (U+%04X)", r, r)
		}
		r = alt[0]
	}
	pad := size / 5
	n := size + 2*pad
	tmp := image.NewRGBA(image.Rect(0, 0, n, n))
	glyph.Draw(tmp, f, r, float64(pad), float64(pad), size, color.NRGBA{0, 0, 0, 255})
	a := image.NewAlpha(tmp.Rect)
	for i := range n * n {
		a.Pix[i] = tmp.Pix[4*i+3]
	}
	return a, nil
}

// draw writes the text as it stands at t seconds: the veil fades in over
// the first half second, each character is written top to bottom from its
// start over its duration, with a soft wet edge. Once the veil is up, the
// veil and the characters already written are one cached layer, rebuilt
// only when another character is finished; only the characters being
// written are drawn afresh.
func (w *writing) draw(img *image.RGBA, t float64) {
	if t < 0.5 {
		w.drawVeil(img, float32(max(0, t/0.5))*veilOpacity)
		for _, m := range w.marks {
			w.drawMark(img, m, t)
		}
		return
	}
	done := 0
	for _, m := range w.marks {
		if t >= m.start+m.dur {
			done++
		}
	}
	if w.layer == nil || done != w.layerDone {
		w.buildLayer(t)
		w.layerDone = done
	}
	over(img, w.layer)
	for _, m := range w.marks {
		if t >= m.start && t < m.start+m.dur {
			w.drawMark(img, m, t)
		}
	}
}

// veilOpacity is the paper veil's opacity where it is full.
const veilOpacity = 0.55

// buildLayer makes the cached layer: the full veil and every character
// finished by t, premultiplied, the size of the veil.
func (w *writing) buildLayer(t float64) {
	// Drawn on black and on white, matted into one layer (as the label's
	// overlay is made).
	black, white := canvases(w.veil)
	for _, bg := range []*image.RGBA{black, white} {
		w.drawVeil(bg, veilOpacity)
		for _, m := range w.marks {
			if t >= m.start+m.dur {
				w.drawMark(bg, m, t)
			}
		}
	}
	w.layer = matte(black, white, w.veil)
}

// drawVeil lays the paper veil at the given opacity, fading over the
// feather at its edges.
func (w *writing) drawVeil(img *image.RGBA, veil float32) {
	if veil <= 0 {
		return
	}
	r := w.veil
	feather := max(8, w.feather)
	parallel(r.Dy(), func(from, to int) {
		for yy := from; yy < to; yy++ {
			y := r.Min.Y + yy
			dy := min(float64(y-r.Min.Y), float64(r.Max.Y-1-y))
			for x := r.Min.X; x < r.Max.X; x++ {
				dx := min(float64(x-r.Min.X), float64(r.Max.X-1-x))
				e := float32(smooth(min(1, min(dx, dy)/feather)))
				a := veil * e
				o := img.Pix[img.PixOffset(x, y):]
				for c := range 3 {
					v := float32(o[c])
					o[c] = clamp8(v + (w.paper[c]-v)*a)
				}
			}
		}
	})
}

// drawMark writes one character as far as the brush has gone at t.
func (w *writing) drawMark(img *image.RGBA, m mark, t float64) {
	if t < m.start {
		return
	}
	ink := [3]float32{float32(w.ink.R), float32(w.ink.G), float32(w.ink.B)}
	p := 1.0
	if m.dur > 0 {
		p = min(1, (t-m.start)/m.dur)
	}
	b := img.Rect
	h := m.sprite.Rect.Dy()
	edge := float64(h) * 0.25
	front := p * (float64(h) + edge) // rows above front-edge are written
	for sy := 0; sy < h; sy++ {
		y := m.y + sy
		if y < b.Min.Y || y >= b.Max.Y {
			continue
		}
		k := float32(min(1, max(0, (front-float64(sy))/edge)))
		if k == 0 {
			break
		}
		src := m.sprite.Pix[sy*m.sprite.Stride:]
		for sx := 0; sx < m.sprite.Rect.Dx(); sx++ {
			a := src[sx]
			x := m.x + sx
			if a == 0 || x < b.Min.X || x >= b.Max.X {
				continue
			}
			al := float32(a) / 255 * k * 0.96
			o := img.Pix[img.PixOffset(x, y):]
			for c := range 3 {
				v := float32(o[c])
				o[c] = clamp8(v + (ink[c]-v)*al)
			}
		}
	}
}
