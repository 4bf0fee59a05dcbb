package photo

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
)

// Style names a non-neural restyling of a photograph.
type Style string

// The styles Stylize knows.
const (
	// Ink is a Chinese ink-wash painting: XDoG brush lines over a few soft
	// grey washes on warm rice paper.
	Ink Style = "ink"
	// Sketch is a pencil drawing: XDoG line work, a colour-dodge shading
	// and graphite hatching that thickens and crosses in the darker tones,
	// on white paper with a tooth.
	Sketch Style = "sketch"
	// Watercolor is a watercolour painting: flattened colour regions with
	// pigment pooled at their borders, granulation in the paper and a little
	// bleeding at wet edges.
	Watercolor Style = "watercolor"
	// Oil is an oil painting: an anisotropic Kuwahara filter that turns
	// detail into oriented brush strokes, lit as a slight relief.
	Oil Style = "oil"
)

// Styles lists every style Stylize knows, in a fixed order.
func Styles() []Style {
	return []Style{Ink, Sketch, Watercolor, Oil}
}

// ParseStyle reads a style name (case and surrounding space do not matter;
// "watercolour" is accepted for Watercolor).
func ParseStyle(s string) (Style, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "watercolour" {
		t = string(Watercolor)
	}
	for _, st := range Styles() {
		if t == string(st) {
			return st, nil
		}
	}
	return "", fmt.Errorf("photo: unknown style %q: choose one of %s", s, styNames())
}

// styNames lists the styles for messages.
func styNames() string {
	names := make([]string, 0, 4)
	for _, st := range Styles() {
		names = append(names, string(st))
	}
	return strings.Join(names, ", ")
}

// styMaxPixels bounds the pictures Stylize accepts: at its peak a style
// holds about 50–60 bytes of working planes per pixel.
const styMaxPixels = 40_000_000

// Stylize restyles src as style. The result has src's size, starts at the
// origin and is fully opaque (transparent parts of src sit on white). src
// is never modified. Texture (paper, brush and pencil grain) comes from
// seed, so the same picture, style and seed give identical pixels whatever
// the number of CPUs.
//
// Every style first levels the picture (a percentile stretch of luminance
// and, for a dark picture, a lifting gamma), so an underexposed photograph
// still reads. Pictures with no pixels, or above 40 megapixels, are refused.
func Stylize(src image.Image, style Style, seed uint64) (*image.RGBA, error) {
	if src == nil {
		return nil, fmt.Errorf("photo: stylize %s: no picture", style)
	}
	switch style {
	case Ink, Sketch, Watercolor, Oil:
	default:
		return nil, fmt.Errorf("photo: stylize %q: unknown style: choose one of %s", string(style), styNames())
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("photo: stylize %s: the picture is empty (%d×%d pixels)", style, max(w, 0), max(h, 0))
	}
	if int64(w)*int64(h) > styMaxPixels {
		return nil, fmt.Errorf("photo: stylize %s: %d×%d pixels is over %d megapixels; resize the picture first", style, w, h, styMaxPixels/1_000_000)
	}
	im := styFromImage(src)
	styLevel(im)
	var out *styRGB
	switch style {
	case Ink:
		out = styInk(im, seed)
	case Sketch:
		out = stySketch(im, seed)
	case Watercolor:
		out = styWatercolor(im, seed)
	default:
		out = styOil(im, seed)
	}
	return out.toRGBA(), nil
}

// styRGB is a picture as three float32 planes with values in [0,1].
type styRGB struct {
	w, h    int
	r, g, b []float32
}

func newStyRGB(w, h int) *styRGB {
	n := w * h
	return &styRGB{w: w, h: h, r: make([]float32, n), g: make([]float32, n), b: make([]float32, n)}
}

// luma is the Rec. 601 luminance plane.
func (im *styRGB) luma() []float32 {
	l := make([]float32, im.w*im.h)
	styParallel(im.h, func(y0, y1 int) {
		for i := y0 * im.w; i < y1*im.w; i++ {
			l[i] = 0.299*im.r[i] + 0.587*im.g[i] + 0.114*im.b[i]
		}
	})
	return l
}

// toRGBA rounds the planes into an opaque picture.
func (im *styRGB) toRGBA() *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, im.w, im.h))
	styParallel(im.h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			row := out.Pix[y*out.Stride : y*out.Stride+4*im.w]
			for x := 0; x < im.w; x++ {
				i := y*im.w + x
				row[4*x] = styByte(im.r[i])
				row[4*x+1] = styByte(im.g[i])
				row[4*x+2] = styByte(im.b[i])
				row[4*x+3] = 255
			}
		}
	})
	return out
}

func styByte(v float32) uint8 {
	if !(v > 0) { // NaN too
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

func styClamp01(v float32) float32 {
	if !(v > 0) {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

func stySmoothstep(e0, e1, v float32) float32 {
	t := styClamp01((v - e0) / (e1 - e0))
	return t * t * (3 - 2*t)
}

// styFromImage copies src into float planes once, compositing any
// transparency over white, so no inner loop calls through image.Image.
func styFromImage(src image.Image) *styRGB {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	im := newStyRGB(w, h)
	const k = 1.0 / 255
	switch s := src.(type) {
	case *image.RGBA:
		styParallel(h, func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				p := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
				for x := 0; x < w; x++ {
					a := 1 - float32(p[4*x+3])*k
					i := y*w + x
					im.r[i] = float32(p[4*x])*k + a
					im.g[i] = float32(p[4*x+1])*k + a
					im.b[i] = float32(p[4*x+2])*k + a
				}
			}
		})
	case *image.NRGBA:
		styParallel(h, func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				p := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
				for x := 0; x < w; x++ {
					a := float32(p[4*x+3]) * k
					i := y*w + x
					im.r[i] = float32(p[4*x])*k*a + 1 - a
					im.g[i] = float32(p[4*x+1])*k*a + 1 - a
					im.b[i] = float32(p[4*x+2])*k*a + 1 - a
				}
			}
		})
	case *image.Gray:
		styParallel(h, func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				p := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
				for x := 0; x < w; x++ {
					v := float32(p[x]) * k
					i := y*w + x
					im.r[i], im.g[i], im.b[i] = v, v, v
				}
			}
		})
	case *image.YCbCr:
		styParallel(h, func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				for x := 0; x < w; x++ {
					yi := s.YOffset(b.Min.X+x, b.Min.Y+y)
					ci := s.COffset(b.Min.X+x, b.Min.Y+y)
					r, g, bb := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
					i := y*w + x
					im.r[i] = float32(r) * k
					im.g[i] = float32(g) * k
					im.b[i] = float32(bb) * k
				}
			}
		})
	case *image.Paletted:
		var pal [256][3]float32
		for j, c := range s.Palette {
			if j == 256 {
				break
			}
			r, g, bb, a := c.RGBA()
			t := 1 - float32(a)/0xffff
			pal[j] = [3]float32{float32(r)/0xffff + t, float32(g)/0xffff + t, float32(bb)/0xffff + t}
		}
		// Indices past the palette (where At would panic) read as black.
		styParallel(h, func(y0, y1 int) {
			for y := y0; y < y1; y++ {
				p := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):]
				for x := 0; x < w; x++ {
					c := pal[p[x]]
					i := y*w + x
					im.r[i], im.g[i], im.b[i] = c[0], c[1], c[2]
				}
			}
		})
	default:
		// Other types may not be safe for concurrent At calls; go serially.
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				c := src.At(b.Min.X+x, b.Min.Y+y)
				if c == nil { // an empty palette, say: read as blank paper
					c = color.Transparent
				}
				r, g, bb, a := c.RGBA()
				t := 1 - float32(a)/0xffff
				i := y*w + x
				im.r[i] = float32(r)/0xffff + t
				im.g[i] = float32(g)/0xffff + t
				im.b[i] = float32(bb)/0xffff + t
			}
		}
	}
	return im
}

// styLevel stretches the picture's luminance from its 0.5th to 99.5th
// percentile onto [0,1] (with the gain bounded, so a flat picture is not
// blown up into noise) and then, if the result is still dark on average,
// lifts it with a gamma so its mean luminance reaches a readable level.
// The same tone curve goes on each channel, which keeps hues.
func styLevel(im *styRGB) {
	const bins = 1024
	var hist [bins]int
	n := im.w * im.h
	for i := 0; i < n; i++ {
		l := 0.299*im.r[i] + 0.587*im.g[i] + 0.114*im.b[i]
		hist[int(styClamp01(l)*(bins-1)+0.5)]++
	}
	pct := func(p float64) float32 {
		want := int(p * float64(n))
		acc := 0
		for j, c := range hist {
			acc += c
			if acc > want {
				return float32(j) / (bins - 1)
			}
		}
		return 1
	}
	lo, hi := pct(0.005), pct(0.995)
	const maxGain = 6
	gain := float32(maxGain)
	if hi-lo > 1.0/maxGain {
		gain = 1 / (hi - lo)
	} else {
		// A nearly flat picture: keep its middle where a full stretch
		// would put it, but no further than the bounded gain allows.
		mid := (lo + hi) / 2
		lo = mid - 0.5/gain
		if lo < 0 {
			lo = 0
		}
	}
	// The mean after the stretch, from the histogram, decides the gamma.
	var sum float64
	for j, c := range hist {
		v := styClamp01((float32(j)/(bins-1) - lo) * gain)
		sum += float64(v) * float64(c)
	}
	mean := sum / float64(n)
	gamma := 1.0
	const target = 0.42
	if mean < target && mean > 0 {
		gamma = math.Max(1.0/3, math.Log(target)/math.Log(mean))
	}
	// A tone curve table, linearly interpolated.
	const size = 1024
	var lut [size + 1]float32
	for j := range lut {
		lut[j] = float32(math.Pow(float64(styClamp01((float32(j)/size-lo)*gain)), gamma))
	}
	curve := func(v float32) float32 {
		t := styClamp01(v) * size
		j := int(t)
		if j >= size {
			return lut[size]
		}
		f := t - float32(j)
		return lut[j] + f*(lut[j+1]-lut[j])
	}
	styParallel(im.h, func(y0, y1 int) {
		for i := y0 * im.w; i < y1*im.w; i++ {
			im.r[i] = curve(im.r[i])
			im.g[i] = curve(im.g[i])
			im.b[i] = curve(im.b[i])
		}
	})
}

// styUnit is the picture's scale against a 512-pixel-square reference, so
// strokes and textures keep their look at any resolution.
func styUnit(w, h int) float64 {
	u := math.Sqrt(float64(w)*float64(h)) / 512
	return math.Max(0.25, u)
}

// styQuantize softly quantises v in [0,1] into levels bands (after
// Winnemöller, Olsen and Gooch, "Real-Time Video Abstraction", 2006): a
// tanh step of the given sharpness at each band boundary.
func styQuantize(v float32, levels int, sharp float32) float32 {
	n := float32(levels)
	s := v * n
	k := float32(math.Floor(float64(s) + 0.5))
	return (k + 0.5*float32(math.Tanh(float64(sharp*(s-k))))) / n
}

// styOil paints with the anisotropic Kuwahara filter and lights the result
// as a relief of brush marks drawn along the structure.
func styOil(im *styRGB, seed uint64) *styRGB {
	w, h := im.w, im.h
	u := styUnit(w, h)
	// Large pictures are filtered at half size, where the filter's ellipse
	// needs a quarter of the samples, and scaled back: the strokes are
	// several pixels wide anyway.
	f := 1
	if u >= 1.5 {
		f = 2
	}
	sm := styDownscale(im, f)
	su := u / float64(f)
	fl := styStructure(sm, 2*su)
	out := styAKF(sm, fl, math.Min(6, math.Max(2, 2.8*su)))
	if f > 1 {
		out = styResample(out, w, h, nil, nil, 0)
	}
	// Brush marks follow a broad flow, which stays coherent in flat areas
	// where the fine one only follows noise.
	te, tf, tg := styTensor(im)
	broad := styFlowOf(te, tf, tg, w, h, 8*u)
	// A stronger saturation, as oil colours have.
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			l := 0.299*out.r[i] + 0.587*out.g[i] + 0.114*out.b[i]
			out.r[i] = l + 1.2*(out.r[i]-l)
			out.g[i] = l + 1.2*(out.g[i]-l)
			out.b[i] = l + 1.2*(out.b[i]-l)
		}
	})
	// Brush marks: grain smeared along the tangent, plus the paint's own
	// tone, as a height field lit from the upper left.
	grain := styNoise{cell: 0.8 * u, stretch: 1, octaves: 1}.plane(w, h, seed)
	hgt := make([]float32, w*h)
	styLIC(hgt, grain, broad, 2.8*u)
	lum := out.luma()
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			hgt[i] = hgt[i] + 0.15*lum[i]
		}
	})
	relief := float32(1.0)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			ym, yp := max(y-1, 0)*w, min(y+1, h-1)*w
			for x := 0; x < w; x++ {
				xm, xp := max(x-1, 0), min(x+1, w-1)
				s := 1 + relief*(hgt[ym+xm]-hgt[yp+xp])
				i := y*w + x
				out.r[i] = styClamp01(out.r[i] * s)
				out.g[i] = styClamp01(out.g[i] * s)
				out.b[i] = styClamp01(out.b[i] * s)
			}
		}
	})
	return out
}

// styRicePaper is warm rice paper: a mottled ground with long fibres and a
// fine grain.
func styRicePaper(w, h int, u float64, seed uint64) *styRGB {
	mottle := styNoise{cell: 90 * u, stretch: 1, octaves: 3}.plane(w, h, seed^0x1)
	fib1 := styNoise{cell: 1.2 * u, stretch: 14, angle: 0.35, octaves: 2}.plane(w, h, seed^0x2)
	fib2 := styNoise{cell: 1.5 * u, stretch: 10, angle: -1.1, octaves: 2}.plane(w, h, seed^0x3)
	grain := styGrain(w, h, seed^0x4)
	p := newStyRGB(w, h)
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			v := 0.05*(mottle[i]-0.5) + 0.02*(grain[i]-0.5)
			// Fibres: only the strongest ridges show, as pale threads.
			f := stySmoothstep(0.72, 0.85, fib1[i]) + stySmoothstep(0.74, 0.88, fib2[i])
			v += 0.025 * f
			p.r[i] = styClamp01(0.945 + v)
			p.g[i] = styClamp01(0.905 + v)
			p.b[i] = styClamp01(0.815 + 1.1*v)
		}
	})
	return p
}

// styInk paints in ink: XDoG brush lines along the structure over grey
// washes softly quantised into a few tones, which bleed into the paper and
// pool at their edges, on warm rice paper that takes the ink unevenly.
func styInk(im *styRGB, seed uint64) *styRGB {
	w, h := im.w, im.h
	u := styUnit(w, h)
	l := im.luma()
	fl := styStructure(im, 2*u)
	lines := styXDoG(l, w, h, styXDoGParams{sigma: 1.1 * u, k: 1.6, p: 20, eps: 0.93, phi: 10, flow: 2.5 * u}, fl)
	tone := make([]float32, w*h)
	styBlur(tone, l, w, h, 1.5*u)
	wash := make([]float32, w*h)
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			q := styQuantize(tone[i], 4, 5)
			d := styClamp01((0.72 - q) / 0.72)
			wash[i] = 0.8 * d * float32(math.Sqrt(float64(d)))
		}
	})
	// The washes bleed into the paper; their borders, where ink pools,
	// show as a darker rim.
	bleed := make([]float32, w*h)
	styBlur(bleed, wash, w, h, 1.5*u)
	absorb := styNoise{cell: 8 * u, stretch: 1, octaves: 3}.plane(w, h, seed^0x10)
	paper := styRicePaper(w, h, u, seed)
	out := newStyRGB(w, h)
	ink := [3]float32{0.07, 0.07, 0.08}
	rimGain := float32(3 * u)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			ym, yp := max(y-1, 0)*w, min(y+1, h-1)*w
			for x := 0; x < w; x++ {
				xm, xp := max(x-1, 0), min(x+1, w-1)
				i := y*w + x
				gx := bleed[y*w+xp] - bleed[y*w+xm]
				gy := bleed[yp+x] - bleed[ym+x]
				rim := float32(math.Sqrt(float64(gx*gx+gy*gy))) * rimGain
				d := styClamp01(bleed[i]+0.5*rim) * (0.88 + 0.24*absorb[i])
				dl := (1 - lines[i]) * 0.95
				D := styClamp01(1 - (1-d)*(1-dl))
				out.r[i] = paper.r[i]*(1-D) + ink[0]*D
				out.g[i] = paper.g[i]*(1-D) + ink[1]*D
				out.b[i] = paper.b[i]*(1-D) + ink[2]*D
			}
		}
	})
	return out
}

// stySketch draws in pencil: XDoG contours, a colour-dodge shading of the
// tones, and hatching whose density follows darkness, on toothy paper.
func stySketch(im *styRGB, seed uint64) *styRGB {
	w, h := im.w, im.h
	u := styUnit(w, h)
	l := im.luma()
	fl := styStructure(im, 2*u)
	lines := styXDoG(l, w, h, styXDoGParams{sigma: 0.8 * u, k: 1.6, p: 22, eps: 0.95, phi: 10, flow: 2 * u}, fl)
	local := make([]float32, w*h)
	styBlurAny(local, l, w, h, 4*u)
	tone := make([]float32, w*h)
	styBlur(tone, l, w, h, 1.5*u)
	hatch1 := styHatch(w, h, seed^0x20, -math.Pi/4, 3.2*u, 40*u)
	hatch2 := styHatch(w, h, seed^0x21, math.Pi/6, 3.6*u, 30*u)
	tooth := styNoise{cell: 1.0 * u, stretch: 1, octaves: 2}.plane(w, h, seed^0x22)
	out := newStyRGB(w, h)
	paper := [3]float32{0.975, 0.97, 0.955}
	lead := [3]float32{0.16, 0.16, 0.19}
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			// Colour dodge of the grey by its blurred inverse.
			dodge := styClamp01(l[i] / max(local[i], 1e-3))
			dodge = dodge * dodge
			dark := styClamp01(1 - styQuantize(tone[i], 5, 3))
			dark = dark * float32(math.Sqrt(float64(dark))) // lighter mid-tones
			// Strokes thicken with darkness; cross-hatching joins in the
			// darker tones.
			c1 := stySmoothstep(1.1-1.2*dark, 1.3-1.2*dark, hatch1[i])
			c2 := stySmoothstep(1.5-1.2*dark, 1.7-1.2*dark, hatch2[i])
			g := 0.2*dark + 0.45*c1 + 0.4*c2
			g = 1 - (1-g)*dodge*lines[i]
			g = styClamp01(g * (0.7 + 0.6*tooth[i]))
			out.r[i] = paper[0]*(1-g) + lead[0]*g
			out.g[i] = paper[1]*(1-g) + lead[1]*g
			out.b[i] = paper[2]*(1-g) + lead[2]*g
		}
	})
	return out
}

// styWatercolor paints in watercolour: the picture is flattened by the
// Kuwahara filter at a reduced scale and softly quantised, brought back to
// size through a wobbling lookup, softened where the paint ran wet into
// wet, and then pigment density
// is raised at region borders (edge darkening), by paper granulation and
// by slow turbulence, after Bousseau et al., "Interactive watercolor
// rendering with temporal coherence and abstraction" (NPAR 2006).
func styWatercolor(im *styRGB, seed uint64) *styRGB {
	w, h := im.w, im.h
	u := styUnit(w, h)
	f := max(1, int(math.Round(u/1.1)))
	sm := styDownscale(im, f)
	su := styUnit(sm.w, sm.h)
	fl := styStructure(sm, 2*su)
	sm = styAKF(sm, fl, math.Min(6, math.Max(2, 3*su)))
	sm = styAKF(sm, fl, math.Min(4, math.Max(2, 2*su)))
	styParallel(sm.h, func(y0, y1 int) {
		for i := y0 * sm.w; i < y1*sm.w; i++ {
			l := 0.299*sm.r[i] + 0.587*sm.g[i] + 0.114*sm.b[i]
			d := styQuantize(l, 5, 3) - l
			// Watercolour is transparent: lighten towards the paper.
			sm.r[i] = 1 - 0.85*(1-(sm.r[i]+d))
			sm.g[i] = 1 - 0.85*(1-(sm.g[i]+d))
			sm.b[i] = 1 - 0.85*(1-(sm.b[i]+d))
		}
	})
	wx := styNoise{cell: 10 * u, stretch: 1, octaves: 2}.plane(w, h, seed^0x30)
	wy := styNoise{cell: 10 * u, stretch: 1, octaves: 2}.plane(w, h, seed^0x31)
	out := styResample(sm, w, h, wx, wy, float32(1.3*u))
	// Wet in wet: in patches picked by slow noise the colours have run,
	// so there the edges are soft; elsewhere they stay crisp.
	wet := styNoise{cell: 40 * u, stretch: 1, octaves: 2}.plane(w, h, seed^0x35)
	run := newStyRGB(w, h)
	styBlur(run.r, out.r, w, h, 2*u)
	styBlur(run.g, out.g, w, h, 2*u)
	styBlur(run.b, out.b, w, h, 2*u)
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			m := stySmoothstep(0.45, 0.65, wet[i])
			out.r[i] += m * (run.r[i] - out.r[i])
			out.g[i] += m * (run.g[i] - out.g[i])
			out.b[i] += m * (run.b[i] - out.b[i])
		}
	})
	// Borders of the washes, where pigment pools: the gradient of a
	// softened copy, so the dark rim has some width.
	lum := out.luma()
	soft := make([]float32, w*h)
	styBlur(soft, lum, w, h, 1.5*u)
	// The paper's tooth: pigment settles in its valleys (granulation) and
	// it catches light from the upper left.
	tooth := styNoise{cell: 2.5 * u, stretch: 1, octaves: 3}.plane(w, h, seed^0x34)
	turb := styNoise{cell: 60 * u, stretch: 1, octaves: 3}.plane(w, h, seed^0x33)
	paper := [3]float32{0.985, 0.975, 0.95}
	edgeGain := float32(8 * u) // differences between neighbours shrink as u grows
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			ym, yp := max(y-1, 0)*w, min(y+1, h-1)*w
			for x := 0; x < w; x++ {
				xm, xp := max(x-1, 0), min(x+1, w-1)
				gx := soft[y*w+xp] - soft[y*w+xm]
				gy := soft[yp+x] - soft[ym+x]
				edge := styClamp01(float32(math.Sqrt(float64(gx*gx+gy*gy))) * edgeGain)
				i := y*w + x
				d := 1 + 1.2*edge + 0.6*(0.5-tooth[i]) + 0.5*(turb[i]-0.5)
				light := 1 + 0.2*(tooth[ym+xm]-tooth[yp+xp])
				for k, c := range [3][]float32{out.r, out.g, out.b} {
					v := styClamp01(c[i])
					v = styClamp01(v - (v-v*v)*(d-1))
					c[i] = v * paper[k] * light
				}
			}
		}
	})
	return out
}

// styDownscale averages f×f blocks (partial blocks at the edges too).
func styDownscale(im *styRGB, f int) *styRGB {
	if f <= 1 {
		return im
	}
	w, h := (im.w+f-1)/f, (im.h+f-1)/f
	out := newStyRGB(w, h)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := 0; x < w; x++ {
				var r, g, b float32
				n := 0
				for sy := y * f; sy < min((y+1)*f, im.h); sy++ {
					for sx := x * f; sx < min((x+1)*f, im.w); sx++ {
						j := sy*im.w + sx
						r += im.r[j]
						g += im.g[j]
						b += im.b[j]
						n++
					}
				}
				k := 1 / float32(n)
				i := y*w + x
				out.r[i], out.g[i], out.b[i] = r*k, g*k, b*k
			}
		}
	})
	return out
}

// styResample scales im to w×h bilinearly, displacing each lookup by
// (dx−0.5, dy−0.5)·2·amp output pixels, where dx and dy are noise planes
// (or both nil for no displacement).
func styResample(im *styRGB, w, h int, dx, dy []float32, amp float32) *styRGB {
	out := newStyRGB(w, h)
	sx := float32(im.w) / float32(w)
	sy := float32(im.h) / float32(h)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				px := (float32(x)+0.5)*sx - 0.5
				py := (float32(y)+0.5)*sy - 0.5
				if dx != nil {
					px += (dx[i] - 0.5) * 2 * amp * sx
					py += (dy[i] - 0.5) * 2 * amp * sy
				}
				px = min(max(px, 0), float32(im.w-1))
				py = min(max(py, 0), float32(im.h-1))
				ix, iy := int(px), int(py)
				jx, jy := min(ix+1, im.w-1), min(iy+1, im.h-1)
				fx, fy := px-float32(ix), py-float32(iy)
				a, b := iy*im.w+ix, iy*im.w+jx
				c, d := jy*im.w+ix, jy*im.w+jx
				for k, p := range [3][]float32{im.r, im.g, im.b} {
					top := p[a] + (p[b]-p[a])*fx
					bot := p[c] + (p[d]-p[c])*fx
					v := top + (bot-top)*fy
					switch k {
					case 0:
						out.r[i] = v
					case 1:
						out.g[i] = v
					default:
						out.b[i] = v
					}
				}
			}
		}
	})
	return out
}
