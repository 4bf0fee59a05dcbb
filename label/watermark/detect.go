package watermark

import (
	"image"
	"math"
	"sort"
)

// Detector limits.
const (
	minDetect   = 32        // shortest side Detect looks at
	maxDetectPx = 200 << 20 // pixels Detect reads at most
	minScale    = 0.3       // smallest tile scale searched (pixels per canonical cell)
	maxScale    = 2.5       // largest
	acfWindow   = 512       // side of the window the period is estimated on
	peakCount   = 2         // offsets tried per scale
	refineSpan  = 0.002     // relative scale error searched around an estimate
	// minCorr is the code-word correlation a read needs besides its
	// keyed check: well above the 0.60 that noise reached on unmarked
	// pictures, well below the 0.73 of the weakest marked read.
	minCorr    = 0.62
	scaleCands = 4 // periods taken from the autocorrelation
)

// Detect looks for a watermark made by Watermark in img, which
// may have been re-encoded, scaled, cropped, brightened or darkened, or
// made noisy since. It never fails: an image too small to hold a tile
// (under 32 pixels a side), or too large to read (over 200 megapixels),
// gives a Detection with Found false.
func Detect(img image.Image) Detection {
	return detect(img).best
}

// detect runs the detector and returns its state.
func detect(img image.Image) *detector {
	if img == nil {
		return &detector{}
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < minDetect || h < minDetect || int64(w)*int64(h) > maxDetectPx {
		return &detector{}
	}
	d := &detector{r: residual(canonical(lumaPlane(img)))}
	d.run()
	return d
}

// canonical scales a luminance plane down to a short side of canon,
// where a picture that was only resized since it was marked shows the
// tile at one pixel per cell.
func canonical(luma plane) plane {
	w, h := luma.w, luma.h
	short := min(w, h)
	if short <= canon {
		return luma
	}
	k := float64(canon) / float64(short)
	return shrink(luma, max(canon, int(math.Round(float64(w)*k))), max(canon, int(math.Round(float64(h)*k))))
}

// residual whitens the luminance: the difference from the local mean,
// divided by the local deviation of that difference and clipped, which
// makes flat and busy regions count alike.
func residual(luma plane) plane {
	mean := box(luma, 2)
	r := newWMPlane(luma.w, luma.h)
	sq := newWMPlane(luma.w, luma.h)
	for i, v := range luma.p {
		d := v - mean.p[i]
		r.p[i] = d
		sq.p[i] = d * d
	}
	dev := box(sq, 4)
	for i, v := range r.p {
		x := float64(v) / math.Sqrt(float64(dev.p[i])+1)
		r.p[i] = float32(math.Max(-3, math.Min(3, x)))
	}
	return r
}

// detector holds the whitened picture and the best read so far.
type detector struct {
	r        plane
	best     Detection
	attempts int // decodes tried: each passes a random check with probability 2⁻³²
	tried    []float64
	guess    Payload // payload of the most confident decode, checked or not
	corr     float64 // its code-word correlation
	ix       []int32 // fold buffers
	fx       []float32
	rows     []float32
}

func (d *detector) run() {
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
func (d *detector) try(s float64, refine bool) bool {
	for _, t := range d.tried {
		if math.Abs(t/s-1) < 0.0005 {
			return false
		}
	}
	d.tried = append(d.tried, s)
	var f [tileCells]float64
	eval := func(s float64) float64 {
		d.fold(s, 0, 0, &f)
		corr := correlate(&f)
		z, _ := peakZ(&corr, 1)
		if len(z) == 0 {
			return math.Inf(-1)
		}
		return z[0]
	}
	if refine {
		extent := float64(max(d.r.w, d.r.h)) / s
		step := 0.5 / extent
		bestS, bestZ := s, eval(s)
		for k := 1; float64(k)*2*step <= refineSpan; k++ {
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
	corr := correlate(&f)
	_, peaks := peakZ(&corr, peakCount)
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
		dx, dy := pk%tileSize, pk/tileSize
		at := func(x, y int) float64 { return corr[(y+tileSize)%tileSize*tileSize+(x+tileSize)%tileSize] }
		ox := parabola(at(dx-1, dy), at(dx, dy), at(dx+1, dy))
		oy := parabola(at(dx, dy-1), at(dx, dy), at(dx, dy+1))
		var g [tileCells]float64
		d.fold(s, ox, oy, &g)
		if d.decode(&g, dx, dy) {
			return true
		}
	}
	return false
}

// parabola is the vertex offset (−½..½) of the parabola through three
// equally spaced values.
func parabola(a, b, c float64) float64 {
	den := a - 2*b + c
	if den >= 0 {
		return 0
	}
	return math.Max(-0.5, math.Min(0.5, 0.5*(a-c)/den))
}

// decode reads the code bits from a folded tile whose sync pattern starts
// at (dx, dy) and keeps the best result.
func (d *detector) decode(f *[tileCells]float64, dx, dy int) bool {
	v := slotValues(f, dx, dy)
	var soft [codedBits]float64
	for slot, role := range tileLayout.role {
		if role >= 0 {
			soft[role] += v[slot] * tileLayout.pn[slot]
		}
	}
	d.attempts++
	p, ok, corr, flips := viterbi(&soft)
	conf := confidence(corr)
	if ok && corr >= minCorr {
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

// slotValues reads every slot's DCT coefficient from a folded tile
// whose sync pattern starts at (dx, dy).
func slotValues(f *[tileCells]float64, dx, dy int) *[slots]float64 {
	var a [tileCells]float64
	for y := 0; y < tileSize; y++ {
		src := (y + dy) % tileSize * tileSize
		for x := 0; x < tileSize; x++ {
			a[y*tileSize+x] = f[src+(x+dx)%tileSize]
		}
	}
	v := new([slots]float64)
	for b := 0; b < blocks; b++ {
		bx, by := b%8*8, b/8*8
		for k := 0; k < coefs; k++ {
			basis := &tileLayout.basis[k]
			var c float64
			for y := 0; y < 8; y++ {
				row := a[(by+y)*tileSize+bx : (by+y)*tileSize+bx+8]
				for x, px := range row {
					c += px * basis[y*8+x]
				}
			}
			v[b*coefs+k] = c
		}
	}
	return v
}

// confidence maps the correlation between the soft code values and the
// decoded code word to 0..1. The decoder always finds a code word that
// fits noise a little: on 222 unmarked pictures the correlation was
// at most 0.60 (confidence under 0.25); marked pictures read after the
// attacks of the tests gave 0.73 and more (confidence over 0.55).
func confidence(corr float64) float64 {
	return math.Max(0, math.Min(1, (corr-0.5)/0.4))
}

// fold sums the whitened picture, resampled to canonical cells at scale s
// and offset (ox, oy) cells, modulo the tile. Bilinear resampling is
// separable, so each received row is first folded horizontally and the
// folded rows are then interpolated and folded vertically.
func (d *detector) fold(s, ox, oy float64, f *[tileCells]float64) {
	*f = [tileCells]float64{}
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
		i, t := sampleAt(x, s, ox, r.w)
		ix[x], fx[x] = int32(i), t
	}
	if cap(d.rows) < r.h*tileSize {
		d.rows = make([]float32, r.h*tileSize)
	}
	rows := d.rows[:r.h*tileSize]
	for y := 0; y < r.h; y++ {
		src := r.p[y*r.w : (y+1)*r.w]
		var acc [tileSize]float32
		for x0 := 0; x0 < cw; x0 += tileSize {
			n := min(tileSize, cw-x0)
			is, ts := ix[x0:x0+n], fx[x0:x0+n]
			for k := range n {
				i := is[k]
				a := src[i]
				acc[k] += a + ts[k]*(src[i+1]-a)
			}
		}
		copy(rows[y*tileSize:(y+1)*tileSize], acc[:])
	}
	for y := 0; y < ch; y++ {
		iy, fy := sampleAt(y, s, oy, r.h)
		r0 := rows[iy*tileSize : (iy+1)*tileSize]
		r1 := rows[(iy+1)*tileSize : (iy+2)*tileSize]
		dst := f[y%tileSize*tileSize : (y%tileSize+1)*tileSize]
		for x := range dst {
			a := r0[x]
			dst[x] += float64(a + fy*(r1[x]-a))
		}
	}
}

// sampleAt maps canonical cell c to the received pixel before it and the
// bilinear fraction, clamped to the picture (n ≥ 2).
func sampleAt(c int, s, off float64, n int) (int, float32) {
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

// correlate cross-correlates a folded tile with the sync pattern at
// every cyclic offset: corr[dy*64+dx] = Σ f(t+d)·sync(t).
func correlate(f *[tileCells]float64) [tileCells]float64 {
	var c [tileCells]complex128
	for i, v := range f {
		c[i] = complex(v, 0)
	}
	fft2(c[:], tileSize, false)
	for i := range c {
		c[i] *= tileLayout.syncF[i]
	}
	fft2(c[:], tileSize, true)
	var out [tileCells]float64
	for i, v := range c {
		out[i] = real(v) / tileCells
	}
	return out
}

// peakZ finds the n highest peaks of a correlation (at least 2 cells
// apart) and their heights in standard deviations above the mean.
func peakZ(corr *[tileCells]float64, n int) (z []float64, at []int) {
	var sum, sq float64
	for _, v := range corr {
		sum += v
		sq += v * v
	}
	mean := sum / tileCells
	sd := math.Sqrt(math.Max(sq/tileCells-mean*mean, 1e-300))
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
		bx, by := bi%tileSize, bi/tileSize
		for y := -2; y <= 2; y++ {
			for x := -2; x <= 2; x++ {
				used[(by+y+tileSize)%tileSize*tileSize+(bx+x+tileSize)%tileSize] = true
			}
		}
	}
	return z, at
}

// periodScales estimates the tile period from the autocorrelation of the
// whitened picture along rows and columns: the repeated tile adds peaks at
// every multiple of the period. It returns up to scaleCands scales,
// best first.
func (d *detector) periodScales() []float64 {
	r := d.r
	ww, wh := min(r.w, acfWindow), min(r.h, acfWindow)
	x0, y0 := (r.w-ww)/2, (r.h-wh)/2
	lx, ly := ww*3/4, wh*3/4
	cx := acf(ww, wh, lx, func(line, i int) float32 { return r.p[(y0+line)*r.w+x0+i] })
	cy := acf(wh, ww, ly, func(line, i int) float32 { return r.p[(y0+i)*r.w+x0+line] })
	pMin := tileSize * minScale
	pMax := math.Min(tileSize*maxScale, float64(max(lx, ly)))
	type cand struct{ p, score float64 }
	var grid []cand
	for p := pMin; p <= pMax; p += 0.1 {
		g := math.Max(2, 3*p/tileSize)
		score := 0.0
		for n := 1.0; n <= 3; n++ {
			score += peakAt(cx, n*p, g) + peakAt(cy, n*p, g)
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
		if len(out) == scaleCands {
			break
		}
		// A multiple or simple fraction of a stronger period is its
		// harmonic, not a period of its own.
		harmonic := false
		for _, a := range out {
			if simpleRatio(c.p / (a * tileSize)) {
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
			p += 0.1 * parabola(grid[i-1].score, grid[i].score, grid[i+1].score)
		}
		out = append(out, p/tileSize)
	}
	return out
}

// simpleRatio reports whether r is within 1% of p/q for small p, q.
func simpleRatio(r float64) bool {
	for q := 1.0; q <= 4; q++ {
		p := math.Round(r * q)
		if p >= 1 && p <= 6 && math.Abs(r*q/p-1) < 0.01 {
			return true
		}
	}
	return false
}

// peakAt is the interpolated autocorrelation at lag l above the mean of
// its surroundings at ±g and ±2g; zero when out of range.
func peakAt(c []float64, l, g float64) float64 {
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

// acf is the normalised autocorrelation, for lags 0..maxLag, of lines
// of n samples, summed over count lines read through get.
func acf(n, count, maxLag int, get func(line, i int) float32) []float64 {
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
		fft(buf, false)
		for k, v := range buf {
			power[k] += real(v)*real(v) + imag(v)*imag(v)
		}
	}
	for k := range buf {
		buf[k] = complex((power[k]+power[(size-k)%size])/2, 0)
	}
	fft(buf, true)
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
