package watermark

import (
	"image"
	"math"
	"math/bits"
	"sync"
)

// Signal-processing helpers of the watermark: a radix-2 FFT, box filters,
// area resampling and luminance planes.

// plane is a w×h plane of float32 samples, row by row.
type plane struct {
	w, h int
	p    []float32
}

func newWMPlane(w, h int) plane { return plane{w, h, make([]float32, w*h)} }

// fftPlan holds the bit-reversal permutation and twiddle factors of one
// transform size.
type fftPlan struct {
	rev []int32
	tw  []complex128 // exp(−2πik/n), k < n/2
}

var plans sync.Map // int → *fftPlan

func planOf(n int) *fftPlan {
	if p, ok := plans.Load(n); ok {
		return p.(*fftPlan)
	}
	p := &fftPlan{rev: make([]int32, n), tw: make([]complex128, n/2)}
	shift := 64 - uint(bits.TrailingZeros(uint(n)))
	for i := range p.rev {
		p.rev[i] = int32(bits.Reverse64(uint64(i)) >> shift)
	}
	for k := range p.tw {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		p.tw[k] = complex(c, s)
	}
	plans.Store(n, p)
	return p
}

// fft transforms x in place (len(x) a power of two); the inverse is
// unnormalised.
func fft(x []complex128, inverse bool) {
	n := len(x)
	if n < 2 {
		return
	}
	p := planOf(n)
	for i, j := range p.rev {
		if int(j) > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half, stride := size>>1, n/size
		for start := 0; start < n; start += size {
			a, b := x[start:start+half], x[start+half:start+size]
			for k := range a {
				w := p.tw[k*stride]
				if inverse {
					w = complex(real(w), -imag(w))
				}
				t := b[k] * w
				a[k], b[k] = a[k]+t, a[k]-t
			}
		}
	}
}

// fft2 transforms an n×n array in place, rows then columns.
func fft2(x []complex128, n int, inverse bool) {
	for r := 0; r < n; r++ {
		fft(x[r*n:(r+1)*n], inverse)
	}
	col := make([]complex128, n)
	for c := 0; c < n; c++ {
		for r := 0; r < n; r++ {
			col[r] = x[r*n+c]
		}
		fft(col, inverse)
		for r := 0; r < n; r++ {
			x[r*n+c] = col[r]
		}
	}
}

// box averages src over a (2r+1)×(2r+1) window clipped to the plane.
func box(src plane, r int) plane {
	w, h := src.w, src.h
	tmp := newWMPlane(w, h)
	for y := 0; y < h; y++ {
		box1(src.p[y*w:(y+1)*w], tmp.p[y*w:(y+1)*w], 1, w, r)
	}
	dst := newWMPlane(w, h)
	for x := 0; x < w; x++ {
		box1(tmp.p[x:], dst.p[x:], w, h, r)
	}
	return dst
}

// box1 writes the clipped running mean of n samples spaced stride apart.
func box1(src, dst []float32, stride, n, r int) {
	var sum float64
	hi := min(r, n-1)
	for i := 0; i <= hi; i++ {
		sum += float64(src[i*stride])
	}
	for i := 0; i < n; i++ {
		lo, hi := max(i-r, 0), min(i+r, n-1)
		dst[i*stride] = float32(sum / float64(hi-lo+1))
		if j := i + r + 1; j < n {
			sum += float64(src[j*stride])
		}
		if j := i - r; j >= 0 {
			sum -= float64(src[j*stride])
		}
	}
}

// areaWeights gives, for each of m output samples covering n input
// samples, the first input index and the weights of area resampling.
func areaWeights(n, m int) (first []int, weights [][]float32) {
	first = make([]int, m)
	weights = make([][]float32, m)
	scale := float64(n) / float64(m)
	for i := 0; i < m; i++ {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		a := int(lo)
		b := min(int(math.Ceil(hi)), n)
		first[i] = a
		ws := make([]float32, 0, b-a)
		for j := a; j < b; j++ {
			ov := math.Min(hi, float64(j+1)) - math.Max(lo, float64(j))
			ws = append(ws, float32(ov/scale))
		}
		weights[i] = ws
	}
	return first, weights
}

// shrink resamples src to w×h (no larger than src) by area averaging.
func shrink(src plane, w, h int) plane {
	fx, wx := areaWeights(src.w, w)
	fy, wy := areaWeights(src.h, h)
	tmp := newWMPlane(w, src.h)
	for y := 0; y < src.h; y++ {
		row := src.p[y*src.w : (y+1)*src.w]
		out := tmp.p[y*w : (y+1)*w]
		for x := 0; x < w; x++ {
			var s float32
			for k, wt := range wx[x] {
				s += wt * row[fx[x]+k]
			}
			out[x] = s
		}
	}
	dst := newWMPlane(w, h)
	for y := 0; y < h; y++ {
		out := dst.p[y*w : (y+1)*w]
		for k, wt := range wy[y] {
			row := tmp.p[(fy[y]+k)*w : (fy[y]+k+1)*w]
			for x := range out {
				out[x] += wt * row[x]
			}
		}
	}
	return dst
}

// lumaPlane reads the luminance (JPEG's Y, 0..255) of img.
func lumaPlane(img image.Image) plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	pl := newWMPlane(w, h)
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			off := m.YOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				pl.p[y*w+x] = float32(m.Y[off+x])
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				pl.p[y*w+x] = float32(m.Pix[off+x])
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				s := m.Pix[off+4*x : off+4*x+3 : off+4*x+3]
				pl.p[y*w+x] = lumaOf(s[0], s[1], s[2])
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			off := m.PixOffset(b.Min.X, b.Min.Y+y)
			for x := 0; x < w; x++ {
				s := m.Pix[off+4*x : off+4*x+4 : off+4*x+4]
				a := float32(s[3]) / 255
				pl.p[y*w+x] = a * lumaOf(s[0], s[1], s[2])
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				pl.p[y*w+x] = (0.299*float32(r) + 0.587*float32(g) + 0.114*float32(bl)) / 257
			}
		}
	}
	return pl
}

// lumaOf is the JPEG luminance of an RGB triple.
func lumaOf(r, g, b uint8) float32 {
	return 0.299*float32(r) + 0.587*float32(g) + 0.114*float32(b)
}
