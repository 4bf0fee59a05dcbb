package label

import (
	"image"
	"math"
	"sort"
)

// Detector limits.
const (
	wmMinDetect   = 32        // shortest side DetectWatermark looks at
	wmMaxDetectPx = 200 << 20 // pixels DetectWatermark reads at most
	wmMinScale    = 0.3       // smallest tile scale searched (pixels per canonical cell)
	wmMaxScale    = 2.5       // largest
	wmACFWindow   = 512       // side of the window the period is estimated on
	wmPeaks       = 2         // offsets tried per scale
	wmRefine      = 0.002     // relative scale error searched around an estimate
	// wmMinCorr is the code-word correlation a read needs besides its
	// keyed check: well above the 0.60 that noise reached on unmarked
	// pictures, well below the 0.73 of the weakest marked read.
	wmMinCorr    = 0.62
	wmScaleCands = 4 // periods taken from the autocorrelation
)

// DetectWatermark looks for a watermark made by Watermark in img, which
// may have been re-encoded, scaled, cropped, brightened or darkened, or
// made noisy since. It never fails: an image too small to hold a tile
// (under 32 pixels a side), or too large to read (over 200 megapixels),
// gives a Detection with Found false.
func DetectWatermark(img image.Image) Detection {
	return wmDetect(img).best
}

// wmDetect runs the detector and returns its state.
func wmDetect(img image.Image) *wmDetector {
	if img == nil {
		return &wmDetector{}
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < wmMinDetect || h < wmMinDetect || int64(w)*int64(h) > wmMaxDetectPx {
		return &wmDetector{}
	}
	d := &wmDetector{r: wmResidual(wmCanonical(wmLuma(img)))}
	d.run()
	return d
}

// wmCanonical scales a luminance plane down to a short side of wmCanon,
// where a picture that was only resized since it was marked shows the
// tile at one pixel per cell.
func wmCanonical(luma wmPlane) wmPlane {
	w, h := luma.w, luma.h
	short := min(w, h)
	if short <= wmCanon {
		return luma
	}
	k := float64(wmCanon) / float64(short)
	return wmShrink(luma, max(wmCanon, int(math.Round(float64(w)*k))), max(wmCanon, int(math.Round(float64(h)*k))))
}

// wmResidual whitens the luminance: the difference from the local mean,
// divided by the local deviation of that difference and clipped, which
// makes flat and busy regions count alike.
func wmResidual(luma wmPlane) wmPlane {
	mean := wmBox(luma, 2)
	r := newWMPlane(luma.w, luma.h)
	sq := newWMPlane(luma.w, luma.h)
	for i, v := range luma.p {
		d := v - mean.p[i]
		r.p[i] = d
		sq.p[i] = d * d
	}
	dev := wmBox(sq, 4)
	for i, v := range r.p {
		x := float64(v) / math.Sqrt(float64(dev.p[i])+1)
		r.p[i] = float32(math.Max(-3, math.Min(3, x)))
	}
	return r
}

// wmDetector holds the whitened picture and the best read so far.
type wmDetector struct {
	r        wmPlane
	best     Detection
	attempts int // decodes tried: each passes a random check with probability 2⁻³²
	tried    []float64
	guess    Payload // payload of the most confident decode, checked or not
	corr     float64 // its code-word correlation
	ix       []int32 // fold buffers
	fx       []float32
	rows     []float32
}

func (d *wmDetector) run() {
	if d.try(1, false) {
		return
	}
	for _, s := range d.periodScales() {
		if d.try(s, true) {
			return
		}
	}
	for _, s := range []float64{0.5, 0.75, 2.0 / 3} {
		if d.try(s, false) {
			return
		}
	}
}

// try searches the neighbourhood of scale s (pixels per canonical cell),
// narrowly when refine is set, and decodes at the best offsets; it reports
// whether a watermark was found.
func (d *wmDetector) try(s float64, refine bool) bool {
	for _, t := range d.tried {
		if math.Abs(t/s-1) < 0.0005 {
			return false
		}
	}
	d.tried = append(d.tried, s)
	var f [wmTT]float64
	eval := func(s float64) float64 {
		d.fold(s, 0, 0, &f)
		corr := wmCorrelate(&f)
		z, _ := wmPeakZ(&corr, 1)
		if len(z) == 0 {
			return math.Inf(-1)
		}
		return z[0]
	}
	if refine {
		extent := float64(max(d.r.w, d.r.h)) / s
		step := 0.5 / extent
		bestS, bestZ := s, eval(s)
		for k := 1; float64(k)*2*step <= wmRefine; k++ {
			for _, sg := range []float64{-1, 1} {
				c := s * (1 + sg*float64(k)*2*step)
				if z := eval(c); z > bestZ {
					bestS, bestZ = c, z
				}
			}
		}
		c0 := bestS
		for _, sg := range []float64{-1, 1} {
			c := c0 * (1 + sg*step)
			if z := eval(c); z > bestZ {
				bestS, bestZ = c, z
			}
		}
		s = bestS
	}
	d.fold(s, 0, 0, &f)
	corr := wmCorrelate(&f)
	_, peaks := wmPeakZ(&corr, wmPeaks)
	if len(peaks) == 0 {
		return false
	}
	// Watermark starts the tile at the picture's origin, so an uncropped
	// picture has offset zero: worth a read even when noise outranks it.
	if peaks[0] != 0 && (len(peaks) < 2 || peaks[1] != 0) {
		peaks = append(peaks, 0)
	}
	for _, pk := range peaks {
		// Sub-cell offset from a parabola through the peak's neighbours.
		dx, dy := pk%wmTile, pk/wmTile
		at := func(x, y int) float64 { return corr[(y+wmTile)%wmTile*wmTile+(x+wmTile)%wmTile] }
		ox := wmParabola(at(dx-1, dy), at(dx, dy), at(dx+1, dy))
		oy := wmParabola(at(dx, dy-1), at(dx, dy), at(dx, dy+1))
		var g [wmTT]float64
		d.fold(s, ox, oy, &g)
		if d.decode(&g, dx, dy) {
			return true
		}
	}
	return false
}

// wmParabola is the vertex offset (−½..½) of the parabola through three
// equally spaced values.
func wmParabola(a, b, c float64) float64 {
	den := a - 2*b + c
	if den >= 0 {
		return 0
	}
	return math.Max(-0.5, math.Min(0.5, 0.5*(a-c)/den))
}

// decode reads the code bits from a folded tile whose sync pattern starts
// at (dx, dy) and keeps the best result.
func (d *wmDetector) decode(f *[wmTT]float64, dx, dy int) bool {
	v := wmSlotValues(f, dx, dy)
	var soft [wmCodedBits]float64
	for slot, role := range wmL.role {
		if role >= 0 {
			soft[role] += v[slot] * wmL.pn[slot]
		}
	}
	d.attempts++
	p, ok, corr, flips := wmViterbi(&soft)
	conf := wmConfidence(corr)
	if ok && corr >= wmMinCorr {
		d.best = Detection{Found: true, Payload: p, Confidence: conf, BitErrors: flips}
		d.guess, d.corr = p, corr
		return true
	}
	if corr > d.corr {
		d.best.Confidence = conf
		d.guess, d.corr = p, corr
	}
	return false
}

// wmSlotValues reads every slot's DCT coefficient from a folded tile
// whose sync pattern starts at (dx, dy).
func wmSlotValues(f *[wmTT]float64, dx, dy int) *[wmSlots]float64 {
	var a [wmTT]float64
	for y := 0; y < wmTile; y++ {
		src := (y + dy) % wmTile * wmTile
		for x := 0; x < wmTile; x++ {
			a[y*wmTile+x] = f[src+(x+dx)%wmTile]
		}
	}
	v := new([wmSlots]float64)
	for b := 0; b < wmBlocks; b++ {
		bx, by := b%8*8, b/8*8
		for k := 0; k < wmCoefs; k++ {
			basis := &wmL.basis[k]
			var c float64
			for y := 0; y < 8; y++ {
				row := a[(by+y)*wmTile+bx : (by+y)*wmTile+bx+8]
				for x, px := range row {
					c += px * basis[y*8+x]
				}
			}
			v[b*wmCoefs+k] = c
		}
	}
	return v
}

// wmConfidence maps the correlation between the soft code values and the
// decoded code word to 0..1. The decoder always finds a code word that
// fits noise a little: on 222 unmarked pictures the correlation was
// at most 0.60 (confidence under 0.25); marked pictures read after the
// attacks of the tests gave 0.73 and more (confidence over 0.55).
func wmConfidence(corr float64) float64 {
	return math.Max(0, math.Min(1, (corr-0.5)/0.4))
}

// fold sums the whitened picture, resampled to canonical cells at scale s
// and offset (ox, oy) cells, modulo the tile. Bilinear resampling is
// separable, so each received row is first folded horizontally and the
// folded rows are then interpolated and folded vertically.
func (d *wmDetector) fold(s, ox, oy float64, f *[wmTT]float64) {
	*f = [wmTT]float64{}
	r := d.r
	cw, ch := int(float64(r.w)/s), int(float64(r.h)/s)
	if cw < 1 || ch < 1 {
		return
	}
	if cap(d.ix) < cw {
		d.ix, d.fx = make([]int32, cw), make([]float32, cw)
	}
	ix, fx := d.ix[:cw], d.fx[:cw]
	for x := range ix {
		i, t := wmSample(x, s, ox, r.w)
		ix[x], fx[x] = int32(i), t
	}
	if cap(d.rows) < r.h*wmTile {
		d.rows = make([]float32, r.h*wmTile)
	}
	rows := d.rows[:r.h*wmTile]
	for y := 0; y < r.h; y++ {
		src := r.p[y*r.w : (y+1)*r.w]
		var acc [wmTile]float32
		for x0 := 0; x0 < cw; x0 += wmTile {
			n := min(wmTile, cw-x0)
			is, ts := ix[x0:x0+n], fx[x0:x0+n]
			for k := range n {
				i := is[k]
				a := src[i]
				acc[k] += a + ts[k]*(src[i+1]-a)
			}
		}
		copy(rows[y*wmTile:(y+1)*wmTile], acc[:])
	}
	for y := 0; y < ch; y++ {
		iy, fy := wmSample(y, s, oy, r.h)
		r0 := rows[iy*wmTile : (iy+1)*wmTile]
		r1 := rows[(iy+1)*wmTile : (iy+2)*wmTile]
		dst := f[y%wmTile*wmTile : (y%wmTile+1)*wmTile]
		for x := range dst {
			a := r0[x]
			dst[x] += float64(a + fy*(r1[x]-a))
		}
	}
}

// wmSample maps canonical cell c to the received pixel before it and the
// bilinear fraction, clamped to the picture (n ≥ 2).
func wmSample(c int, s, off float64, n int) (int, float32) {
	u := (float64(c)+off+0.5)*s - 0.5
	if u <= 0 {
		return 0, 0
	}
	if u >= float64(n-1) {
		return n - 2, 1
	}
	i := int(u)
	return i, float32(u - float64(i))
}

// wmCorrelate cross-correlates a folded tile with the sync pattern at
// every cyclic offset: corr[dy*64+dx] = Σ f(t+d)·sync(t).
func wmCorrelate(f *[wmTT]float64) [wmTT]float64 {
	var c [wmTT]complex128
	for i, v := range f {
		c[i] = complex(v, 0)
	}
	wmFFT2(c[:], wmTile, false)
	for i := range c {
		c[i] *= wmL.syncF[i]
	}
	wmFFT2(c[:], wmTile, true)
	var out [wmTT]float64
	for i, v := range c {
		out[i] = real(v) / wmTT
	}
	return out
}

// wmPeakZ finds the n highest peaks of a correlation (at least 2 cells
// apart) and their heights in standard deviations above the mean.
func wmPeakZ(corr *[wmTT]float64, n int) (z []float64, at []int) {
	var sum, sq float64
	for _, v := range corr {
		sum += v
		sq += v * v
	}
	mean := sum / wmTT
	sd := math.Sqrt(math.Max(sq/wmTT-mean*mean, 1e-300))
	used := make(map[int]bool)
	for len(at) < n {
		best, bi := math.Inf(-1), -1
		for i, v := range corr {
			if v > best && !used[i] {
				best, bi = v, i
			}
		}
		if bi < 0 {
			break
		}
		at = append(at, bi)
		z = append(z, (best-mean)/sd)
		bx, by := bi%wmTile, bi/wmTile
		for y := -2; y <= 2; y++ {
			for x := -2; x <= 2; x++ {
				used[(by+y+wmTile)%wmTile*wmTile+(bx+x+wmTile)%wmTile] = true
			}
		}
	}
	return z, at
}

// periodScales estimates the tile period from the autocorrelation of the
// whitened picture along rows and columns: the repeated tile adds peaks at
// every multiple of the period. It returns up to wmScaleCands scales,
// best first.
func (d *wmDetector) periodScales() []float64 {
	r := d.r
	ww, wh := min(r.w, wmACFWindow), min(r.h, wmACFWindow)
	x0, y0 := (r.w-ww)/2, (r.h-wh)/2
	lx, ly := ww*3/4, wh*3/4
	cx := wmACF(ww, wh, lx, func(line, i int) float32 { return r.p[(y0+line)*r.w+x0+i] })
	cy := wmACF(wh, ww, ly, func(line, i int) float32 { return r.p[(y0+i)*r.w+x0+line] })
	pMin := wmTile * wmMinScale
	pMax := math.Min(wmTile*wmMaxScale, float64(max(lx, ly)))
	type cand struct{ p, score float64 }
	var grid []cand
	for p := pMin; p <= pMax; p += 0.1 {
		g := math.Max(2, 3*p/wmTile)
		score := 0.0
		for n := 1.0; n <= 3; n++ {
			score += wmPeakAt(cx, n*p, g) + wmPeakAt(cy, n*p, g)
		}
		grid = append(grid, cand{p, score})
	}
	var peaks []cand
	for i, c := range grid {
		ok := c.score > 0
		rad := int(math.Max(10, 0.3*c.p)) // ±3% of the period, in 0.1 steps
		for j := max(0, i-rad); j <= min(len(grid)-1, i+rad) && ok; j++ {
			if grid[j].score > c.score || grid[j].score == c.score && j < i {
				ok = false
			}
		}
		if ok {
			peaks = append(peaks, c)
		}
	}
	sort.Slice(peaks, func(i, j int) bool { return peaks[i].score > peaks[j].score })
	var out []float64
	for _, c := range peaks {
		if len(out) == wmScaleCands {
			break
		}
		// A multiple or simple fraction of a stronger period is its
		// harmonic, not a period of its own.
		harmonic := false
		for _, a := range out {
			if wmSimpleRatio(c.p / (a * wmTile)) {
				harmonic = true
				break
			}
		}
		if harmonic {
			continue
		}
		// Refine between grid points with a parabola through the neighbours.
		p := c.p
		if i := int(math.Round((c.p - pMin) / 0.1)); i > 0 && i+1 < len(grid) {
			p += 0.1 * wmParabola(grid[i-1].score, grid[i].score, grid[i+1].score)
		}
		out = append(out, p/wmTile)
	}
	return out
}

// wmSimpleRatio reports whether r is within 1% of p/q for small p, q.
func wmSimpleRatio(r float64) bool {
	for q := 1.0; q <= 4; q++ {
		p := math.Round(r * q)
		if p >= 1 && p <= 6 && math.Abs(r*q/p-1) < 0.01 {
			return true
		}
	}
	return false
}

// wmPeakAt is the interpolated autocorrelation at lag l above the mean of
// its surroundings at ±g and ±2g; zero when out of range.
func wmPeakAt(c []float64, l, g float64) float64 {
	if l+2*g >= float64(len(c)-1) {
		return 0
	}
	at := func(l float64) float64 {
		i := int(l)
		f := l - float64(i)
		return c[i] + f*(c[i+1]-c[i])
	}
	return at(l) - (at(l-g)+at(l+g)+at(l-2*g)+at(l+2*g))/4
}

// wmACF is the normalised autocorrelation, for lags 0..maxLag, of lines
// of n samples, summed over count lines read through get.
func wmACF(n, count, maxLag int, get func(line, i int) float32) []float64 {
	size := 1
	for size < n+maxLag {
		size <<= 1
	}
	power := make([]float64, size)
	buf := make([]complex128, size)
	for line := 0; line < count; line += 2 {
		for i := range buf {
			buf[i] = 0
		}
		for i := 0; i < n; i++ {
			re := float64(get(line, i))
			var im float64
			if line+1 < count {
				im = float64(get(line+1, i))
			}
			buf[i] = complex(re, im)
		}
		wmFFT(buf, false)
		for k, v := range buf {
			power[k] += real(v)*real(v) + imag(v)*imag(v)
		}
	}
	for k := range buf {
		buf[k] = complex((power[k]+power[(size-k)%size])/2, 0)
	}
	wmFFT(buf, true)
	out := make([]float64, maxLag+1)
	a0 := real(buf[0])
	if a0 <= 0 {
		return out
	}
	for l := range out {
		out[l] = real(buf[l]) / a0 * float64(n) / float64(n-l)
	}
	return out
}
