package photo

import "math"

// Seeded textures for the styles: paper grain, rice-paper fibres, pencil
// strokes, watercolour granulation. Everything comes from a hash of the
// seed and integer lattice coordinates (value noise), so a texture is the
// same however the rows are split among goroutines.

// styHash mixes a seed and a lattice point into 64 random bits
// (the SplitMix64 finaliser).
func styHash(seed uint64, x, y int32) uint64 {
	z := seed ^ uint64(uint32(x))*0x9e3779b97f4a7c15 ^ uint64(uint32(y))*0xc2b2ae3d27d4eb4f
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// styHashF is styHash as a float in [0,1).
func styHashF(seed uint64, x, y int32) float32 {
	return float32(styHash(seed, x, y)>>40) * (1.0 / (1 << 24))
}

// styNoise describes a fractal value-noise texture.
type styNoise struct {
	cell    float64 // lattice spacing of the first octave, in pixels
	stretch float64 // cell length along angle over cell, 1 for round grains
	angle   float64 // direction of stretching, radians
	octaves int     // each halves the cell and the amplitude
}

// plane renders the texture over w×h pixels with values around 0.5,
// roughly within [0,1]: value noise, smoothstep-interpolated random values
// at the lattice points. Each octave's lattice values are hashed once into
// a grid covering the picture, so a pixel costs four lookups per octave.
func (n styNoise) plane(w, h int, seed uint64) []float32 {
	oct := max(n.octaves, 1)
	// Smooth textures are rendered small and scaled up bilinearly: their
	// finest octave still spans three pixels or more there.
	if f := int(n.cell / float64(int(1)<<(oct-1)) / 3); n.stretch == 1 && f >= 2 && w >= 2*f && h >= 2*f {
		sw, sh := (w+f-1)/f, (h+f-1)/f
		m := n
		m.cell /= float64(f)
		out := make([]float32, w*h)
		styUpsample(out, m.plane(sw, sh, seed), w, h, sw, sh, f)
		return out
	}
	out := make([]float32, w*h)
	cs, sn := math.Cos(n.angle), math.Sin(n.angle)
	su := cs / (n.cell * n.stretch)
	sv := sn / (n.cell * n.stretch)
	tu := -sn / n.cell
	tv := cs / n.cell
	type lattice struct {
		su, sv, tu, tv, ou, ov float32 // pixel to lattice-grid coordinates
		nu                     int
		vals                   []float32
	}
	lats := make([]lattice, oct)
	var norm float32
	scale, shift := 1.0, 0.0
	for o := range lats {
		norm += 1 / float32(int(1)<<o)
		// The octave's lattice coordinates of the picture's corners.
		umin, umax, vmin, vmax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
		for _, c := range [4][2]float64{{0, 0}, {float64(w), 0}, {0, float64(h)}, {float64(w), float64(h)}} {
			u := (c[0]*su+c[1]*sv)*scale + shift*0.37
			v := (c[0]*tu+c[1]*tv)*scale + shift*0.61
			umin, umax = math.Min(umin, u), math.Max(umax, u)
			vmin, vmax = math.Min(vmin, v), math.Max(vmax, v)
		}
		u0, v0 := math.Floor(umin)-1, math.Floor(vmin)-1
		nu := int(math.Ceil(umax)-u0) + 2
		nv := int(math.Ceil(vmax)-v0) + 2
		l := lattice{
			su: float32(su * scale), sv: float32(sv * scale), tu: float32(tu * scale), tv: float32(tv * scale),
			ou: float32(shift*0.37 - u0), ov: float32(shift*0.61 - v0),
			nu: nu, vals: make([]float32, nu*nv),
		}
		os := seed + uint64(o)*0x632be59bd9b4e019
		for j := 0; j < nv; j++ {
			for i := 0; i < nu; i++ {
				l.vals[j*nu+i] = styHashF(os, int32(i)+int32(u0), int32(j)+int32(v0))
			}
		}
		lats[o] = l
		// The next octave: twice the frequency, shifted off the lattice.
		scale *= 2
		shift = shift*2 + 1
	}
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			fy := float32(y)
			for x := 0; x < w; x++ {
				fx := float32(x)
				var acc float32
				amp := float32(1)
				for o := range lats {
					l := &lats[o]
					u := fx*l.su + fy*l.sv + l.ou
					v := fx*l.tu + fy*l.tv + l.ov
					iu, iv := int(u), int(v)
					tx, ty := u-float32(iu), v-float32(iv)
					tx = tx * tx * (3 - 2*tx)
					ty = ty * ty * (3 - 2*ty)
					k := iv*l.nu + iu
					a, b := l.vals[k], l.vals[k+1]
					c, d := l.vals[k+l.nu], l.vals[k+l.nu+1]
					top := a + (b-a)*tx
					bot := c + (d-c)*tx
					acc += amp * (top + (bot-top)*ty)
					amp /= 2
				}
				out[y*w+x] = acc / norm
			}
		}
	})
	return out
}

// styGrain is independent per-pixel noise in [0,1).
func styGrain(w, h int, seed uint64) []float32 {
	out := make([]float32, w*h)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := 0; x < w; x++ {
				out[y*w+x] = styHashF(seed, int32(x), int32(y))
			}
		}
	})
	return out
}

// styHatch renders pencil hatching: parallel strokes at angle, spacing
// pixels apart, broken into segments about seg pixels long that start at
// nearly the same place within a patch of strokes, each with its own
// pressure, and wavering slightly as a hand does. A pixel's value is 1 on
// a stroke's centre line, falling to 0 half-way to the next, scaled by the
// stroke's pressure.
func styHatch(w, h int, seed uint64, angle, spacing, seg float64) []float32 {
	// The wavering: noise drawn out along the strokes.
	out := styNoise{cell: 4 * spacing, stretch: 2 * seg / (4 * spacing), angle: angle, octaves: 1}.plane(w, h, seed^0x5a)
	cs, sn := float32(math.Cos(angle)), float32(math.Sin(angle))
	invSp := float32(1 / spacing)
	invSeg := float32(1 / seg)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			fy := float32(y)
			for x := 0; x < w; x++ {
				fx := float32(x)
				u := fx*cs + fy*sn  // along the strokes
				v := -fx*sn + fy*cs // across them
				i := y*w + x
				v = v*invSp + 0.35*(out[i]-0.5)
				fl := float32(math.Floor(float64(v)))
				line := int32(fl)
				d := v - fl - 0.5 // −0.5..0.5 across the stroke
				prof := 1 - 2*styAbs(d)
				// Segments along the stroke. Neighbouring strokes are drawn
				// as one patch, so their ends nearly line up: the offset
				// comes from a group of six lines, with a little jitter.
				group := int32(math.Floor(float64(fl) / 6))
				su := u*invSeg + styHashF(seed, group, 1)*7 + 0.25*styHashF(seed, line, 0)
				sf := float32(math.Floor(float64(su)))
				sid := int32(sf)
				r := styHashF(seed^0x77, group, sid)
				t := su - sf
				// Fade in and out at the segment's ends; some are left out.
				ends := stySmoothstep(0, 0.2, t) * stySmoothstep(1, 0.8, t)
				if r < 0.12 {
					ends = 0
				}
				out[i] = prof * ends * (0.55 + 0.45*styHashF(seed^0x99, line, sid))
			}
		}
	})
	return out
}

func styAbs(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
