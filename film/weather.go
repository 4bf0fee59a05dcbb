package film

import (
	"encoding/binary"
	"image"
	"math"
	"math/rand/v2"
	"strings"
)

// Weather is what moves over the picture, drawn procedurally from the
// poem's images: mist drifting through the valleys (always, thicker where
// the poem has mist, cloud or smoke), falling snow, blown petals, rain,
// and the flicker of a lamp at night.
type Weather struct {
	Mist    float64 // 0 to 1: how thick
	Snow    bool
	Petals  bool
	Rain    bool
	Flicker bool // lamplight: the warm light breathes
}

// WeatherOf reads the weather from a poem's text (title, lines, keywords).
func WeatherOf(text string) Weather {
	w := Weather{Mist: 0.35}
	has := func(chars string) bool { return strings.ContainsAny(text, chars) }
	if has("雾烟云霭岚霞雲霧") {
		w.Mist = 0.7
	}
	w.Snow = has("雪霰")
	w.Rain = !w.Snow && has("雨")
	w.Petals = !w.Snow && has("花桃杏梨樱落红絮")
	w.Flicker = has("灯烛火燈燭")
	return w
}

// sky is the weather's state, made once for a film: a mist texture and
// the particles.
type sky struct {
	w         Weather
	W, H      int
	tex       []float32 // texW×texH tileable mist density, 0..1
	texW      int
	texH      int
	alpha     []float32 // one frame's mist, at a quarter of the frame's size
	flakes    []particle
	mistColor [3]float32
	flick     float64 // this frame's lamplight gain (1: none)
}

type particle struct {
	x, y, size, speed, sway, phase, spin float64
}

const mistStep = 8 // the mist is computed on a grid this many pixels apart (it is smooth)

func newSky(w Weather, W, H int, seed uint64, night bool) *sky {
	s := &sky{w: w, W: W, H: H, texW: 256, texH: 128}
	r := rand.New(rand.NewPCG(seed, 7))
	// Value noise on a coarse lattice, summed over octaves: tileable,
	// because the lattice wraps.
	s.tex = make([]float32, s.texW*s.texH)
	for oct, amp := 0, 0.55; oct < 4; oct, amp = oct+1, amp*0.5 {
		cells := 4 << oct
		lat := make([]float64, cells*cells)
		for i := range lat {
			lat[i] = r.Float64()
		}
		for y := range s.texH {
			for x := range s.texW {
				fx := float64(x) / float64(s.texW) * float64(cells)
				fy := float64(y) / float64(s.texH) * float64(cells)
				ix, iy := int(fx), int(fy)
				tx, ty := smooth(fx-float64(ix)), smooth(fy-float64(iy))
				at := func(i, j int) float64 { return lat[(j%cells)*cells+i%cells] }
				v := (at(ix, iy)*(1-tx)+at(ix+1, iy)*tx)*(1-ty) + (at(ix, iy+1)*(1-tx)+at(ix+1, iy+1)*tx)*ty
				s.tex[y*s.texW+x] += float32(v * amp)
			}
		}
	}
	s.alpha = make([]float32, (W/mistStep+2)*(H/mistStep+2))
	s.mistColor = [3]float32{242, 238, 228}
	if night {
		s.mistColor = [3]float32{150, 156, 170}
	}
	scale := float64(H) / 1080
	area := float64(W*H) / (1920 * 1080)
	n := 0
	switch {
	case w.Snow:
		n = int(420 * area)
	case w.Rain:
		n = int(320 * area)
	case w.Petals:
		n = int(70 * area)
	}
	for range n {
		p := particle{x: r.Float64() * float64(W), y: r.Float64() * float64(H), phase: r.Float64() * 2 * math.Pi}
		switch {
		case w.Snow:
			d := r.Float64() // depth: near flakes are larger and faster
			p.size = (1.2 + 3.2*d*d) * scale
			p.speed = (35 + 90*d) * scale
			p.sway = (6 + 18*d) * scale
		case w.Rain:
			p.size = (14 + 18*r.Float64()) * scale
			p.speed = (700 + 500*r.Float64()) * scale
		case w.Petals:
			p.size = (3.5 + 4*r.Float64()) * scale
			p.speed = (30 + 40*r.Float64()) * scale
			p.sway = (20 + 30*r.Float64()) * scale
			p.spin = 0.8 + 1.6*r.Float64()
		}
		s.flakes = append(s.flakes, p)
	}
	return s
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }

// mistAt is the texture's density at (u, v) in texels, wrapping (the
// texture's sides are powers of two).
func (s *sky) mistAt(u, v float64) float32 {
	fu, fv := math.Floor(u), math.Floor(v)
	x, y := int(fu)&(s.texW-1), int(fv)&(s.texH-1)
	fx, fy := float32(u-fu), float32(v-fv)
	x1, y1 := (x+1)&(s.texW-1), (y+1)&(s.texH-1)
	t := s.tex
	a := t[y*s.texW+x]*(1-fx) + t[y*s.texW+x1]*fx
	b := t[y1*s.texW+x]*(1-fx) + t[y1*s.texW+x1]*fx
	return a*(1-fy) + b*fy
}

// paint lays the weather on a whole frame at t seconds (prepare, row on
// every row, then the particles); films call the parts themselves, to mix
// the mist into each row while the camera's pass has it in cache.
func (s *sky) paint(img *image.RGBA, t float64) {
	s.prepare(t)
	parallel(s.H, func(from, to int) {
		arow := make([]int32, s.W)
		for y := from; y < to; y++ {
			s.row(y, img.Pix[y*img.Stride:y*img.Stride+4*s.W], arow)
		}
	})
	s.particles(img, t)
}

// particles draws the snow, rain or petals at t seconds.
func (s *sky) particles(img *image.RGBA, t float64) {
	switch {
	case s.w.Snow:
		s.snow(img, t)
	case s.w.Rain:
		s.rain(img, t)
	case s.w.Petals:
		s.petals(img, t)
	}
}

// prepare works out the mist and the light at t seconds: the mist's
// density on a coarse grid, drifting in two layers across the lower two
// thirds of the frame, and, for lamplight, the flame's breathing.
func (s *sky) prepare(t float64) {
	gw, gh := s.W/mistStep+2, s.H/mistStep+2
	if s.w.Mist > 0 {
		for gy := range gh {
			yf := float64(gy*mistStep) / float64(s.H)
			// Mist lies in bands: thickest in the valleys below the middle.
			band := math.Exp(-sq((yf-0.68)/0.16)) + 0.45*math.Exp(-sq((yf-0.38)/0.10))
			for gx := range gw {
				u := float64(gx*mistStep) / float64(s.H) * 96
				v := yf * 96
				d := s.mistAt(u+t*3.2, v*0.6) * s.mistAt(u*0.5-t*1.7+40, v*0.35+17)
				a := float64(d)*2.2 - 0.25
				s.alpha[gy*gw+gx] = float32(min(0.75, max(0, a*band*s.w.Mist)))
			}
		}
	}
	s.flick = 1.0
	if s.w.Flicker {
		// Two incommensurate slow waves and a faster one: a flame breathing.
		s.flick = 1 + 0.035*math.Sin(t*2.1) + 0.02*math.Sin(t*5.3+1) + 0.012*math.Sin(t*13.7)
	}
}

// row mixes the prepared mist and light into row y (RGBA, the frame's
// width); arow is scratch of the frame's width. Safe to call from several
// goroutines for different rows.
func (s *sky) row(y int, row []byte, arow []int32) {
	mist := s.w.Mist > 0
	flick := s.flick
	if !mist && flick == 1 {
		return
	}
	gw := s.W/mistStep + 2
	mc := [3]int32{int32(s.mistColor[0]), int32(s.mistColor[1]), int32(s.mistColor[2])}
	any := false
	if mist {
		gy := y / mistStep
		fy := float32(y%mistStep) / mistStep
		a0 := s.alpha[gy*gw : (gy+1)*gw]
		a1 := s.alpha[(gy+1)*gw : (gy+2)*gw]
		for gx := 0; gx*mistStep < s.W; gx++ {
			l := a0[gx]*(1-fy) + a1[gx]*fy
			r := a0[gx+1]*(1-fy) + a1[gx+1]*fy
			end := min(s.W, (gx+1)*mistStep)
			if l == 0 && r == 0 {
				clear(arow[gx*mistStep : end])
				continue
			}
			any = true
			// 8.16 fixed point, stepped across the cell.
			v, d := int32(l*65536), int32((r-l)*65536/mistStep)
			for k := gx * mistStep; k < end; k++ {
				arow[k] = v >> 8
				v += d
			}
		}
	}
	if flick == 1 {
		if !any {
			return
		}
		// Mist alone: each pixel mixed with the mist colour, two channels
		// at a time in one word (SWAR): red and blue, green and alpha.
		mlo := uint32(mc[0]) | uint32(mc[2])<<16
		mhi := uint32(mc[1]) | 255<<16
		for x := 0; x < s.W; x++ {
			a := uint32(arow[x])
			if a == 0 {
				continue
			}
			p := binary.LittleEndian.Uint32(row[4*x:])
			lo := ((p&0x00ff00ff)*(256-a) + mlo*a) >> 8 & 0x00ff00ff
			hi := ((p>>8&0x00ff00ff)*(256-a) + mhi*a) & 0xff00ff00
			binary.LittleEndian.PutUint32(row[4*x:], lo|hi)
		}
		return
	}
	// Warm light: red up, blue down (8.8 fixed point gains).
	gr, gg, gb := int32(flick*1.01*256), int32(flick*256), int32((1-(flick-1)*0.6)*256)
	for x := 0; x < s.W; x++ {
		o := row[4*x : 4*x+3 : 4*x+3]
		r, g, b := int32(o[0]), int32(o[1]), int32(o[2])
		r, g, b = min(255, r*gr>>8), min(255, g*gg>>8), min(255, b*gb>>8)
		if any {
			if a := arow[x]; a > 0 {
				r += (mc[0] - r) * a >> 8
				g += (mc[1] - g) * a >> 8
				b += (mc[2] - b) * a >> 8
			}
		}
		o[0], o[1], o[2] = uint8(r), uint8(g), uint8(b)
	}
}

func sq(x float64) float64 { return x * x }

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// wrap brings v into [lo, hi).
func wrap(v, lo, hi float64) float64 {
	span := hi - lo
	v = math.Mod(v-lo, span)
	if v < 0 {
		v += span
	}
	return v + lo
}

func (s *sky) snow(img *image.RGBA, t float64) {
	for _, p := range s.flakes {
		y := wrap(p.y+p.speed*t, -10, float64(s.H)+10)
		x := wrap(p.x+p.sway*math.Sin(t*0.9+p.phase)+8*t, -10, float64(s.W)+10)
		disc(img, x, y, p.size, [3]float32{250, 250, 252}, 0.85)
	}
}

func (s *sky) petals(img *image.RGBA, t float64) {
	for _, p := range s.flakes {
		y := wrap(p.y+p.speed*t, -12, float64(s.H)+12)
		x := wrap(p.x+p.sway*math.Sin(t*0.6+p.phase)+25*t, -12, float64(s.W)+12)
		// A petal turning in the air: an ellipse whose width breathes.
		w := p.size * (0.35 + 0.65*math.Abs(math.Cos(t*p.spin+p.phase)))
		ellipse(img, x, y, w, p.size*0.6, [3]float32{236, 178, 190}, 0.8)
	}
}

func (s *sky) rain(img *image.RGBA, t float64) {
	for _, p := range s.flakes {
		y := wrap(p.y+p.speed*t, -40, float64(s.H)+40)
		x := wrap(p.x+p.speed*t*0.18, -40, float64(s.W)+40)
		streak(img, x, y, p.size, 0.18)
	}
}

// disc blends a soft round dot.
func disc(img *image.RGBA, cx, cy, r float64, col [3]float32, op float32) {
	ellipse(img, cx, cy, r, r, col, op)
}

// ellipse blends a soft ellipse with radii rx, ry.
func ellipse(img *image.RGBA, cx, cy, rx, ry float64, col [3]float32, op float32) {
	b := img.Rect
	x0, x1 := max(b.Min.X, int(cx-rx-1)), min(b.Max.X-1, int(cx+rx+1))
	y0, y1 := max(b.Min.Y, int(cy-ry-1)), min(b.Max.Y-1, int(cy+ry+1))
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			dx, dy := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			d := math.Sqrt(dx*dx + dy*dy)
			if d >= 1 {
				continue
			}
			a := op * float32(1-d*d)
			blend(img, x, y, col, a)
		}
	}
}

// streak blends a thin slanted line of rain, length l.
func streak(img *image.RGBA, x, y, l float64, op float32) {
	n := int(l)
	for i := range n {
		f := float64(i) / l
		px, py := int(x-f*l*0.18), int(y-f*l)
		if image.Pt(px, py).In(img.Rect) {
			blend(img, px, py, [3]float32{225, 230, 238}, op*float32(1-f))
		}
	}
}

func blend(img *image.RGBA, x, y int, col [3]float32, a float32) {
	o := img.Pix[img.PixOffset(x, y):]
	for c := range 3 {
		v := float32(o[c])
		o[c] = clamp8(v + (col[c]-v)*a)
	}
}
