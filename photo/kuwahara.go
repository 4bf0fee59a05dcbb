package photo

import "math"

// The anisotropic Kuwahara filter of Kyprianidis, Kang and Döllner,
// "Image and Video Abstraction by Anisotropic Kuwahara Filtering" (Pacific
// Graphics 2009), with the polynomial sector weights of Kyprianidis, "Image
// and Video Abstraction by Multi-scale Anisotropic Kuwahara Filtering"
// (NPAR 2011).
//
// The smoothed structure tensor gives each pixel an orientation φ and an
// anisotropy A. The filter's disc is stretched into an ellipse along the
// local structure (semi-axes r·(1+A) and r/(1+A)), divided into eight
// overlapping sectors, and the output is the mean colour of each sector
// weighted by 1/(1+σ_i^q), so the sectors lying across an edge, with a
// large spread of colour, hardly count and the edge stays sharp while
// everything else flattens into strokes.
//
// The weights only depend on φ, A and the radius, so they are tabulated
// once per call for quantised orientations and anisotropies; a pixel's
// work is then a walk down sparse lists of (offset, weight) per sector.

// styFlow is the local structure of a picture: per pixel, the unit tangent
// (the direction of least change) and the anisotropy in [0,1].
type styFlow struct {
	w, h   int
	tx, ty []float32
	aniso  []float32
}

// styTensor is the unsmoothed structure tensor (E, F, G) = Σ (fx², fx·fy,
// fy²) over the three channels, from Sobel derivatives.
func styTensor(im *styRGB) (e, f, g []float32) {
	w, h := im.w, im.h
	n := w * h
	e, f, g = make([]float32, n), make([]float32, n), make([]float32, n)
	planes := [3][]float32{im.r, im.g, im.b}
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			ym, yp := max(y-1, 0)*w, min(y+1, h-1)*w
			yc := y * w
			for x := 0; x < w; x++ {
				xm, xp := max(x-1, 0), min(x+1, w-1)
				var ee, ff, gg float32
				for _, p := range planes {
					gx := (p[ym+xp] + 2*p[yc+xp] + p[yp+xp] - p[ym+xm] - 2*p[yc+xm] - p[yp+xm]) * 0.25
					gy := (p[yp+xm] + 2*p[yp+x] + p[yp+xp] - p[ym+xm] - 2*p[ym+x] - p[ym+xp]) * 0.25
					ee += gx * gx
					ff += gx * gy
					gg += gy * gy
				}
				e[yc+x], f[yc+x], g[yc+x] = ee, ff, gg
			}
		}
	})
	return e, f, g
}

// styFlowOf smooths the tensor (E, F, G) with a Gaussian of sigma and
// takes its eigen-decomposition. The planes are not changed.
func styFlowOf(e, f, g []float32, w, h int, sigma float64) *styFlow {
	n := w * h
	fl := &styFlow{w: w, h: h, tx: make([]float32, n), ty: make([]float32, n), aniso: make([]float32, n)}
	styBlurAny(fl.tx, e, w, h, sigma)
	styBlurAny(fl.ty, f, w, h, sigma)
	styBlurAny(fl.aniso, g, w, h, sigma)
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			E, F, G := float64(fl.tx[i]), float64(fl.ty[i]), float64(fl.aniso[i])
			d := math.Sqrt((E-G)*(E-G) + 4*F*F)
			l1, l2 := (E+G+d)/2, (E+G-d)/2
			tx, ty := l1-E, -F
			m := math.Hypot(tx, ty)
			if m > 1e-12 {
				tx, ty = tx/m, ty/m
			} else {
				tx, ty = 0, 1
			}
			a := 0.0
			if l1+l2 > 1e-12 {
				a = (l1 - l2) / (l1 + l2)
			}
			fl.tx[i], fl.ty[i], fl.aniso[i] = float32(tx), float32(ty), float32(a)
		}
	})
	return fl
}

// styStructure is the flow of im's structure tensor smoothed with sigma.
func styStructure(im *styRGB, sigma float64) *styFlow {
	e, f, g := styTensor(im)
	return styFlowOf(e, f, g, im.w, im.h, sigma)
}

const (
	styAKFAngles = 36 // orientation bins over half a turn
	styAKFAnisos = 6  // anisotropy bins over [0,1]
)

// styAKFTable lists, per sector, the offsets (into a padded buffer of
// four floats a pixel) and weights of one quantised ellipse. Each sector's
// list has even length (padded with zero weights) for a loop unrolled two
// ways.
type styAKFTable struct {
	start [9]int32
	off   []int32
	wt    []float32
	inv   [8]float32 // 1 / sum of each sector's weights
}

// styAKFTables builds the tables for radius r and a padded row of stride
// pixels. Large ellipses are sampled sparsely: an ordered-dither (Bayer)
// mask keeps a share (3/r)² of the offsets, down to a quarter, evenly
// spread, so the work per pixel stays about that of radius 3 while the
// sector statistics hardly change.
func styAKFTables(r float64, stride int) []styAKFTable {
	// Polynomial sectors in the unit disc: sector k, with axis at angle
	// kπ/4, has weight [(p + ζ) − η q²]₊² where (p, q) are the coordinates
	// along and across its axis. The parabola meets the circle at γ = 3π/8
	// from the axis, so neighbouring sectors overlap smoothly, and ζ lets
	// every sector see the centre.
	const zeta = 0.15
	gamma := 3 * math.Pi / 8
	eta := (zeta + math.Cos(gamma)) / (math.Sin(gamma) * math.Sin(gamma))
	bayer := [4][4]int{{0, 8, 2, 10}, {12, 4, 14, 6}, {3, 11, 1, 9}, {15, 7, 13, 5}}
	keep := int(math.Round(16 * math.Min(1, math.Max(0.25, 6.25/(r*r)))))
	var axes [8][2]float64
	for k := range axes {
		a := float64(k) * math.Pi / 4
		axes[k] = [2]float64{math.Cos(a), math.Sin(a)}
	}
	tables := make([]styAKFTable, styAKFAngles*styAKFAnisos)
	type entry struct {
		off int32
		w   float32
	}
	var lists [8][]entry
	for ai := 0; ai < styAKFAngles; ai++ {
		phi := (float64(ai) + 0.5) * math.Pi / styAKFAngles
		cs, sn := math.Cos(phi), math.Sin(phi)
		for ni := 0; ni < styAKFAnisos; ni++ {
			A := (float64(ni) + 0.5) / styAKFAnisos
			a := r * (1 + A) // along the tangent
			b := r / (1 + A) // across it
			bx := int(math.Ceil(math.Sqrt(a*a*cs*cs + b*b*sn*sn)))
			by := int(math.Ceil(math.Sqrt(a*a*sn*sn + b*b*cs*cs)))
			for k := range lists {
				lists[k] = lists[k][:0]
			}
			for dy := -by; dy <= by; dy++ {
				for dx := -bx; dx <= bx; dx++ {
					if bayer[dy&3][dx&3] >= keep {
						continue
					}
					// Rotate by −φ, then scale the ellipse onto the unit disc.
					u := (cs*float64(dx) + sn*float64(dy)) / a
					v := (-sn*float64(dx) + cs*float64(dy)) / b
					d2 := u*u + v*v
					if d2 > 1 {
						continue
					}
					var ws [8]float64
					sum := 0.0
					for k, ax := range axes {
						p := u*ax[0] + v*ax[1]
						q := -u*ax[1] + v*ax[0]
						z := p + zeta - eta*q*q
						if z > 0 {
							ws[k] = z * z
							sum += ws[k]
						}
					}
					g := math.Exp(-2 * d2)
					off := int32(4 * (dy*stride + dx))
					for k := range ws {
						if wk := ws[k] / sum * g; wk > 1e-3 {
							lists[k] = append(lists[k], entry{off, float32(wk)})
						}
					}
				}
			}
			t := &tables[ai*styAKFAnisos+ni]
			total := 0
			for _, l := range lists {
				total += len(l) + 1
			}
			t.off = make([]int32, 0, total)
			t.wt = make([]float32, 0, total)
			for k, l := range lists {
				t.start[k] = int32(len(t.off))
				sum := 0.0
				for _, e := range l {
					t.off = append(t.off, e.off)
					t.wt = append(t.wt, e.w)
					sum += float64(e.w)
				}
				if len(l)%2 == 1 {
					t.off = append(t.off, 0)
					t.wt = append(t.wt, 0)
				}
				t.inv[k] = float32(1 / sum)
			}
			t.start[8] = int32(len(t.off))
		}
	}
	return tables
}

// styAKF filters im with the anisotropic Kuwahara filter of radius r along
// the structure fl and returns a new picture.
func styAKF(im *styRGB, fl *styFlow, r float64) *styRGB {
	w, h := im.w, im.h
	pad := int(math.Ceil(2*r)) + 1
	pw, ph := w+2*pad, h+2*pad
	// An interleaved, edge-replicated copy keeps every sample in bounds and
	// a sample's channels, with their sum of squares, in one cache line.
	buf := make([]float32, pw*ph*4)
	styParallel(ph, func(y0, y1 int) {
		for py := y0; py < y1; py++ {
			sy := min(max(py-pad, 0), h-1) * w
			row := buf[py*pw*4 : (py+1)*pw*4]
			for px := 0; px < pw; px++ {
				i := sy + min(max(px-pad, 0), w-1)
				c := row[4*px : 4*px+4 : 4*px+4]
				cr, cg, cb := im.r[i], im.g[i], im.b[i]
				c[0], c[1], c[2], c[3] = cr, cg, cb, cr*cr+cg*cg+cb*cb
			}
		}
	})
	tables := styAKFTables(r, pw)
	out := newStyRGB(w, h)
	// Offsets are relative to the centre pixel; the window starts pad rows
	// and columns before it.
	centre := 4 * (pad*pw + pad)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := 0; x < w; x++ {
				i := y*w + x
				// The tangent's angle in [0, π) picks the table.
				tx, ty := fl.tx[i], fl.ty[i]
				if ty < 0 || (ty == 0 && tx < 0) {
					tx, ty = -tx, -ty
				}
				phi := math.Atan2(float64(ty), float64(tx))
				ai := int(phi / math.Pi * styAKFAngles)
				if ai >= styAKFAngles {
					ai = styAKFAngles - 1
				}
				ni := int(fl.aniso[i] * styAKFAnisos)
				if ni >= styAKFAnisos {
					ni = styAKFAnisos - 1
				}
				if ni < 0 {
					ni = 0
				}
				t := &tables[ai*styAKFAnisos+ni]
				win := buf[4*(y*pw+x):]
				var sr, sg, sb, sw float32
				for k := 0; k < 8; k++ {
					// Two sets of sums halve the additions' dependency chains.
					var mr, mg, mb, m2, nr, ng, nb, n2 float32
					offs := t.off[t.start[k]:t.start[k+1]]
					wts := t.wt[t.start[k]:t.start[k+1]]
					wts = wts[:len(offs)]
					for j := 0; j+1 < len(offs); j += 2 {
						o1 := centre + int(offs[j])
						o2 := centre + int(offs[j+1])
						c := win[o1 : o1+4 : o1+4]
						d := win[o2 : o2+4 : o2+4]
						w1, w2 := wts[j], wts[j+1]
						mr += w1 * c[0]
						mg += w1 * c[1]
						mb += w1 * c[2]
						m2 += w1 * c[3]
						nr += w2 * d[0]
						ng += w2 * d[1]
						nb += w2 * d[2]
						n2 += w2 * d[3]
					}
					inv := t.inv[k]
					mr = (mr + nr) * inv
					mg = (mg + ng) * inv
					mb = (mb + nb) * inv
					v := (m2+n2)*inv - (mr*mr + mg*mg + mb*mb)
					if v < 0 {
						v = 0
					}
					// σ measured on the 0–255 scale, as in the paper; q = 8.
					s2 := v * (255 * 255)
					s4 := s2 * s2
					alpha := 1 / (1 + s4*s4)
					sr += alpha * mr
					sg += alpha * mg
					sb += alpha * mb
					sw += alpha
				}
				out.r[i], out.g[i], out.b[i] = sr/sw, sg/sw, sb/sw
			}
		}
	})
	return out
}
