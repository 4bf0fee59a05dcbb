package photo

import (
	"math"
	"runtime"
	"sync"
)

// The filters the styles are built from: a parallel loop over rows, and
// Gaussian blurs (exact kernels for small σ, three box passes for large σ,
// and a blur at reduced scale with upsampling for very large σ).

// styParallel runs fn over [0,n) split into contiguous ranges, which up
// to GOMAXPROCS goroutines take in turn. Callers compute each index's
// output on its own, so the results never depend on the split.
func styParallel(n int, fn func(lo, hi int)) {
	p := runtime.GOMAXPROCS(0)
	if p > n/8 {
		p = n / 8
	}
	if p <= 1 {
		fn(0, n)
		return
	}
	// A few more ranges than workers evens out uneven rows.
	parts := p * 4
	if parts > n {
		parts = n
	}
	var wg sync.WaitGroup
	next := make(chan int, parts)
	for i := 0; i < parts; i++ {
		next <- i
	}
	close(next)
	for range p {
		wg.Go(func() {
			for i := range next {
				fn(i*n/parts, (i+1)*n/parts)
			}
		})
	}
	wg.Wait()
}

// styKernel is the right half (centre first) of a normalised Gaussian.
func styKernel(sigma float64) []float32 {
	if sigma < 0.2 {
		return []float32{1}
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, r+1)
	sum := 0.0
	for i := range k {
		k[i] = math.Exp(-float64(i*i) / (2 * sigma * sigma))
		if i == 0 {
			sum += k[i]
		} else {
			sum += 2 * k[i]
		}
	}
	out := make([]float32, r+1)
	for i := range k {
		out[i] = float32(k[i] / sum)
	}
	return out
}

// styBlur is a separable Gaussian blur of a w×h plane with edges clamped.
// dst may be src. From a sigma of 2.5 on it is the cascade of three box
// filters (Wells 1986; box sizes after Kovesi, "Fast almost-Gaussian
// filtering", 2010), whose cost does not grow with sigma; below, a
// sampled Gaussian kernel.
func styBlur(dst, src []float32, w, h int, sigma float64) {
	if sigma >= 2.5 {
		styBoxBlur(dst, src, w, h, sigma)
		return
	}
	styGaussBlur(dst, src, w, h, sigma)
}

// styGaussBlur is a separable blur by a sampled Gaussian kernel, edges
// clamped; dst may be src.
func styGaussBlur(dst, src []float32, w, h int, sigma float64) {
	k := styKernel(sigma)
	if len(k) == 1 {
		copy(dst, src)
		return
	}
	r := len(k) - 1
	tmp := make([]float32, w*h)
	// Horizontal pass.
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			in := src[y*w : (y+1)*w]
			out := tmp[y*w : (y+1)*w]
			for x := 0; x < w; x++ {
				if x >= r && x+r < w {
					acc := k[0] * in[x]
					for i := 1; i <= r; i++ {
						acc += k[i] * (in[x-i] + in[x+i])
					}
					out[x] = acc
					continue
				}
				acc := k[0] * in[x]
				for i := 1; i <= r; i++ {
					acc += k[i] * (in[max(x-i, 0)] + in[min(x+i, w-1)])
				}
				out[x] = acc
			}
		}
	})
	// Vertical pass, a row at a time for sequential memory access.
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			out := dst[y*w : (y+1)*w]
			c := tmp[y*w : (y+1)*w]
			for x := range out {
				out[x] = k[0] * c[x]
			}
			for i := 1; i <= r; i++ {
				up := tmp[max(y-i, 0)*w:][:w]
				dn := tmp[min(y+i, h-1)*w:][:w]
				ki := k[i]
				for x := range out {
					out[x] += ki * (up[x] + dn[x])
				}
			}
		}
	})
}

// styBoxRadii are the radii of three box filters whose cascade has a
// variance as close to sigma² as odd widths allow.
func styBoxRadii(sigma float64) [3]int {
	const n = 3
	wl := int(math.Floor(math.Sqrt(12*sigma*sigma/n + 1)))
	if wl%2 == 0 {
		wl--
	}
	fl := float64(wl)
	m := int(math.Round((12*sigma*sigma - n*fl*fl - 4*n*fl - 3*n) / (-4*fl - 4)))
	var r [3]int
	for i := range r {
		if i < m {
			r[i] = (wl - 1) / 2
		} else {
			r[i] = (wl + 1) / 2
		}
	}
	return r
}

// styBoxBlur approximates a Gaussian blur by three box filters in each
// direction, as running sums with edges clamped. dst may be src.
func styBoxBlur(dst, src []float32, w, h int, sigma float64) {
	radii := styBoxRadii(sigma)
	tmp := make([]float32, w*h)
	// Rows: three passes through two scratch rows per range of rows.
	styParallel(h, func(y0, y1 int) {
		a := make([]float32, w)
		b := make([]float32, w)
		for y := y0; y < y1; y++ {
			styBoxLine(a, src[y*w:(y+1)*w], radii[0])
			styBoxLine(b, a, radii[1])
			styBoxLine(tmp[y*w:(y+1)*w], b, radii[2])
		}
	})
	// Columns, a band of columns at a time and a row at a time within it,
	// so memory is read in rows: tmp → dst → tmp → dst.
	styParallel(w, func(x0, x1 int) {
		sums := make([]float32, x1-x0)
		for pass, r := range radii {
			in, out := tmp, dst
			if pass == 1 {
				in, out = dst, tmp
			}
			inv := 1 / float32(2*r+1)
			for x := range sums {
				sums[x] = float32(r+1) * in[x0+x]
			}
			for i := 1; i <= r; i++ {
				row := in[min(i, h-1)*w+x0 : min(i, h-1)*w+x1]
				for x := range sums {
					sums[x] += row[x]
				}
			}
			for y := 0; y < h; y++ {
				o := out[y*w+x0 : y*w+x1]
				add := in[min(y+r+1, h-1)*w+x0 : min(y+r+1, h-1)*w+x1]
				sub := in[max(y-r, 0)*w+x0 : max(y-r, 0)*w+x1]
				o = o[:len(sums)]
				add = add[:len(sums)]
				sub = sub[:len(sums)]
				for x, s := range sums {
					o[x] = s * inv
					sums[x] = s + add[x] - sub[x]
				}
			}
		}
	})
}

// styBoxLine is one box filter of radius r along a line, edges clamped.
func styBoxLine(out, in []float32, r int) {
	n := len(in)
	out = out[:n]
	inv := 1 / float32(2*r+1)
	sum := float32(r+1) * in[0]
	for i := 1; i <= r; i++ {
		sum += in[min(i, n-1)]
	}
	for x := range out {
		out[x] = sum * inv
		sum += in[min(x+r+1, n-1)] - in[max(x-r, 0)]
	}
}

// styBlurAny blurs like styBlur but, from a sigma of 3 on, works on a plane
// reduced by box averaging and scales the result back up bilinearly: an
// approximation that is fine for smooth fields (tensors, tones).
func styBlurAny(dst, src []float32, w, h int, sigma float64) {
	f := int(sigma / 1.5)
	if f < 2 || w < 2*f || h < 2*f {
		styBlur(dst, src, w, h, sigma)
		return
	}
	sw, sh := (w+f-1)/f, (h+f-1)/f
	small := make([]float32, sw*sh)
	styParallel(sh, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := 0; x < sw; x++ {
				var acc float32
				n := 0
				for sy := y * f; sy < min((y+1)*f, h); sy++ {
					for sx := x * f; sx < min((x+1)*f, w); sx++ {
						acc += src[sy*w+sx]
						n++
					}
				}
				small[y*sw+x] = acc / float32(n)
			}
		}
	})
	// Box averaging already blurred by about f/√12 per axis.
	rest := math.Sqrt(math.Max(0, sigma*sigma-float64(f*f)/12)) / float64(f)
	styBlur(small, small, sw, sh, rest)
	styUpsample(dst, small, w, h, sw, sh, f)
}

// styUpsample scales a plane reduced by f (sw×sh) back to w×h bilinearly,
// with the block centres as sample points.
func styUpsample(dst, small []float32, w, h, sw, sh, f int) {
	inv := 1 / float32(f)
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			py := min(max((float32(y)+0.5)*inv-0.5, 0), float32(sh-1))
			iy := int(py)
			jy := min(iy+1, sh-1)
			fy := py - float32(iy)
			a, b := small[iy*sw:(iy+1)*sw], small[jy*sw:(jy+1)*sw]
			out := dst[y*w : (y+1)*w]
			for x := range out {
				px := min(max((float32(x)+0.5)*inv-0.5, 0), float32(sw-1))
				ix := int(px)
				jx := min(ix+1, sw-1)
				fx := px - float32(ix)
				top := a[ix] + (a[jx]-a[ix])*fx
				bot := b[ix] + (b[jx]-b[ix])*fx
				out[x] = top + (bot-top)*fy
			}
		}
	})
}
