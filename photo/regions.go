package photo

import (
	"math"
	"sort"
)

// Region labelling: every pixel classed as sky, water, vegetation, bare
// ground or built form by colour-and-texture rules, the horizon, the
// reflection search and the majority smoothing (see Read in cues.go).

// classify labels every pixel and smooths the labels.
func (s *cueScene) classify() {
	w, h, n := s.w, s.h, s.w*s.h
	s.class = make([]Region, n)
	s.autumn = make([]bool, n)
	s.waterline, s.horizon = -1, -1
	if s.backdrop() {
		return // a studio or cut-out picture: all bare
	}

	// Sky: flood from the top rows through sky-like pixels, across small
	// colour steps only, so a horizon stops it.
	queue := make([]int, 0, n)
	top := max(1, h/50)
	for y := 0; y < top; y++ {
		for x := 0; x < w; x++ {
			if i := y*w + x; s.skyLike(i) && s.class[i] != RegionSky {
				s.class[i] = RegionSky
				queue = append(queue, i)
			}
		}
	}
	s.flood(queue, func(from, to int) bool {
		return s.skyLike(to) && cueDeltaE(s.lab[from], s.lab[to]) < cueSkyStep
	})
	s.dropRoughSky()
	s.findHorizon()
	if s.dimSky() {
		for i, c := range s.class {
			if c == RegionSky {
				s.class[i] = RegionBare
			}
		}
		s.horizon = -1
	}
	// Clouds and glow above the horizon that touch the sky join it.
	if s.horizon > 0 {
		queue = queue[:0]
		for i, c := range s.class {
			if c == RegionSky {
				queue = append(queue, i)
			}
		}
		s.flood(queue, func(_, to int) bool {
			cloud := s.sat[to] < 0.2 && s.val[to] >= 0.6 && s.tex[to] < 2*cueSkyTexture // a cloud's edge
			return to/w < s.horizon && (cloud || s.skyLike(to))
		})
	}
	lower := func(i int) bool {
		if s.horizon >= 0 {
			return i/w >= s.horizon
		}
		return i/w >= h*2/5
	}

	// Green vegetation: green pixels in green patches (at least 5 of the
	// 3×3 window), not the coloured fringes of edges.
	greenish := make([]bool, n)
	for i := range greenish {
		hh := s.hue[i]
		chroma := math.Hypot(s.lab[i][1], s.lab[i][2]) // HSV saturation is noise in the dark
		greenish[i] = s.class[i] != RegionSky && hh >= 60 && hh <= 170 && s.sat[i] >= 0.15 && chroma >= 10
	}
	var sky, green int
	for i := range s.class {
		if s.class[i] == RegionSky {
			sky++
			continue
		}
		if greenish[i] && cueNeighbours(greenish, w, h, i) >= 5 {
			s.class[i] = RegionVegetation
			green++
		}
	}
	fn := float64(n)
	s.outdoor = float64(sky) >= cueMinRegion*fn || float64(green) >= cueMinRegion*fn

	// Autumn foliage, snow and water only in an outdoor scene: indoors the
	// same colours are wood, fur, walls and crockery.
	var snowCand []int
	for i := range s.class {
		if s.class[i] != RegionBare {
			continue
		}
		switch {
		case s.outdoor && cueWarmHue(s.hue[i]) && s.sat[i] >= 0.35 && s.val[i] >= 0.15 && s.tex[i] >= cueLeafTexture &&
			(s.brightness >= 0.3 || s.val[i] < 0.55): // in a dark picture, bright orange is lamplight
			s.class[i], s.autumn[i] = RegionVegetation, true
		case lower(i) && s.val[i] >= 0.75 && s.sat[i] <= 0.12 && s.tex[i] < cueSnowTexture:
			snowCand = append(snowCand, i)
		}
	}
	if s.outdoor || float64(len(snowCand)) >= 0.35*fn {
		for _, i := range snowCand {
			s.class[i] = RegionSnow
		}
	}
	if s.outdoor {
		s.water(lower)
	}
	s.smooth()
}

// findHorizon sets s.horizon below the last row that is mostly sky, or to
// -1 when no row is.
func (s *cueScene) findHorizon() {
	w := s.w
	s.horizon = -1
	for y := s.h - 1; y >= 0; y-- {
		c := 0
		for x := 0; x < w; x++ {
			if s.class[y*w+x] == RegionSky {
				c++
			}
		}
		if float64(c) >= 0.3*float64(w) {
			s.horizon = y + 1
			return
		}
	}
}

// dimSky reports a sky that is mostly not blue — grey, white, orange —
// and not clearly brighter than the land below it: more likely a wall or
// a curtain than an overcast or sunset sky, which light the land. Snow may
// be as bright as a grey sky.
func (s *cueScene) dimSky() bool {
	w := s.w
	var sky, blue, skyL, land, landL, snow float64
	for i, c := range s.class {
		switch {
		case c == RegionSky:
			sky++
			skyL += s.luma[i]
			if s.lab[i][2] < -5 {
				blue++
			}
		case s.horizon >= 0 && i/w >= s.horizon:
			land++
			landL += s.luma[i]
			if s.sat[i] <= 0.12 && s.val[i] >= 0.75 {
				snow++
			}
		}
	}
	if sky == 0 || blue >= 0.5*sky || land < 0.05*float64(len(s.class)) || snow >= 0.3*land {
		return false
	}
	return skyL/sky < 1.3*landL/land
}

// backdrop reports a studio or cut-out picture: most of the border is one
// flat colour (a wall, paper or a transparent background made white), so
// the picture shows a thing, not a landscape.
func (s *cueScene) backdrop() bool {
	w, h := s.w, s.h
	if w < 8 || h < 8 {
		return false
	}
	var border []int
	for x := 0; x < w; x++ {
		border = append(border, x, (h-1)*w+x)
	}
	for y := 1; y < h-1; y++ {
		border = append(border, y*w, y*w+w-1)
	}
	// The median colour of the flat border pixels.
	var flat []int
	for _, i := range border {
		if s.tex[i] < 0.6 {
			flat = append(flat, i)
		}
	}
	if float64(len(flat)) < 0.6*float64(len(border)) {
		return false
	}
	var ref [3]float64
	for c := range ref {
		v := make([]float64, len(flat))
		for k, i := range flat {
			v[k] = s.lab[i][c]
		}
		sort.Float64s(v)
		ref[c] = v[len(v)/2]
	}
	same := 0
	for _, i := range flat {
		if cueDeltaE(s.lab[i], ref) < 3 {
			same++
		}
	}
	// A blue border is sky filling the frame, not a backdrop.
	return ref[2] > -8 && float64(same) >= 0.6*float64(len(border))
}

// dropRoughSky unlabels sky regions whose median texture is above
// cueSkyMedian: open sky is smoother than anything else in a photograph,
// while wood, fur, walls and blurred rooms of sky-like colour are not
// smooth throughout.
func (s *cueScene) dropRoughSky() {
	w, h := s.w, s.h
	seen := make([]bool, len(s.class))
	var comp, stack []int
	var tex []float64
	for start, c := range s.class {
		if c != RegionSky || seen[start] {
			continue
		}
		comp, stack = comp[:0], append(stack[:0], start)
		seen[start] = true
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			comp = append(comp, i)
			x, y := i%w, i/w
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= w || ny >= h {
					continue
				}
				if j := ny*w + nx; s.class[j] == RegionSky && !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		tex = tex[:0]
		for _, i := range comp {
			tex = append(tex, s.tex[i])
		}
		sort.Float64s(tex)
		if tex[len(tex)/2] > cueSkyMedian {
			for _, i := range comp {
				s.class[i] = RegionBare
			}
		}
	}
}

// cueNeighbours counts the set cells of the 3×3 window around i.
func cueNeighbours(set []bool, w, h, i int) int {
	x, y, c := i%w, i/w, 0
	for ny := max(0, y-1); ny <= min(h-1, y+1); ny++ {
		for nx := max(0, x-1); nx <= min(w-1, x+1); nx++ {
			if set[ny*w+nx] {
				c++
			}
		}
	}
	return c
}

// flood grows the sky from queue to 4-neighbours that join reports true.
func (s *cueScene) flood(queue []int, join func(from, to int) bool) {
	w, h := s.w, s.h
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		x, y := i%w, i/w
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			nx, ny := x+d[0], y+d[1]
			if nx < 0 || ny < 0 || nx >= w || ny >= h {
				continue
			}
			j := ny*w + nx
			if s.class[j] != RegionSky && join(i, j) {
				s.class[j] = RegionSky
				queue = append(queue, j)
			}
		}
	}
}

// water labels wide regions below the horizon that are smooth and blue,
// grey or dark, or that mirror the picture above a waterline.
func (s *cueScene) water(lower func(int) bool) {
	w, h, n := s.w, s.h, s.w*s.h
	cand := s.mirrored()
	for i := range cand {
		if cand[i] || s.class[i] != RegionBare || !lower(i) || s.tex[i] >= cueWaterTexture {
			continue
		}
		hh, sat, v := s.hue[i], s.sat[i], s.val[i]
		switch {
		case hh >= 160 && hh <= 260 && sat >= 0.1 && v >= 0.05:
			cand[i] = true
		case sat < 0.2 && v >= 0.08 && v <= 0.85:
			cand[i] = true
		}
	}
	// Keep connected regions that are large and wide, as water surfaces are.
	seen := make([]bool, n)
	var comp, stack []int
	for start := range cand {
		if !cand[start] || seen[start] {
			continue
		}
		comp, stack = comp[:0], append(stack[:0], start)
		seen[start] = true
		x0, x1 := w, -1
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			comp = append(comp, i)
			x, y := i%w, i/w
			x0, x1 = min(x0, x), max(x1, x)
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= w || ny >= h {
					continue
				}
				if j := ny*w + nx; cand[j] && !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		if float64(len(comp)) >= 0.01*float64(n) && float64(x1-x0+1) >= 0.15*float64(w) {
			for _, i := range comp {
				s.class[i] = RegionWater
			}
		}
	}
}

// Reflection search: an axis is a waterline when, in blocks of
// cueMirrorBlock pixels, the rows below it follow the rows above in
// mirror order (mean correlation at least cueMirrorCorr) clearly better
// than in the same order (by cueMirrorGain).
const (
	cueMirrorBlock = 8
	cueMirrorCorr  = 0.6
	cueMirrorGain  = 0.4
)

// mirrored finds a waterline — a row about which the picture below mirrors
// the picture above, as a calm lake mirrors hills and sky — and marks the
// columns of blocks below it whose profile follows their mirror image.
// Reflections are darker, bluer and softer than what they mirror, so the
// profiles are compared by correlation, which ignores gain and offset.
func (s *cueScene) mirrored() []bool {
	w, h := s.w, s.h
	mask := make([]bool, w*h)
	if h < 24 {
		return mask
	}
	bw := max(1, min(cueMirrorBlock, w/4))
	nb := (w + bw - 1) / bw
	// Row-block means of L*a*b*, channel by channel.
	var blk [3][]float64
	for c := range blk {
		blk[c] = make([]float64, h*nb)
	}
	for y := 0; y < h; y++ {
		for b := 0; b < nb; b++ {
			x0, x1 := b*bw, min(w, (b+1)*bw)
			for x := x0; x < x1; x++ {
				for c := range blk {
					blk[c][y*nb+b] += s.lab[y*w+x][c] / float64(x1-x0)
				}
			}
		}
	}
	// corr is the correlation, over k rows, of block b's profile at rows
	// ya(i) and yb(i), averaged over the channels that vary; ok is false
	// where none does.
	corr := func(b, k int, ya, yb func(int) int) (float64, bool) {
		var sum float64
		var n int
		for c := range blk {
			var sx, sy, sxx, syy, sxy float64
			for i := 0; i < k; i++ {
				x, y := blk[c][ya(i)*nb+b], blk[c][yb(i)*nb+b]
				sx += x
				sy += y
				sxx += x * x
				syy += y * y
				sxy += x * y
			}
			fk := float64(k)
			vx, vy := sxx/fk-(sx/fk)*(sx/fk), syy/fk-(sy/fk)*(sy/fk)
			if vx < 1 || vy < 1 { // flat: no evidence either way
				continue
			}
			sum += (sxy/fk - sx/fk*sy/fk) / math.Sqrt(vx*vy)
			n++
		}
		if n == 0 {
			return 0, false
		}
		return sum / float64(n), true
	}
	axis, axisScore, axisK := -1, math.Inf(-1), 0
	var blockCorr, bc []float64
	for a := h * 3 / 10; a <= h*9/10; a++ {
		k := min(a, h-a, h/3)
		if k < h/8 {
			continue
		}
		var mir, tra float64
		valid := 0
		bc = bc[:0]
		for b := 0; b < nb; b++ {
			m, ok := corr(b, k, func(i int) int { return a - 1 - i }, func(i int) int { return a + i })
			t, _ := corr(b, k, func(i int) int { return a - k + i }, func(i int) int { return a + i })
			bc = append(bc, m)
			if ok {
				mir += m
				tra += t
				valid++
			}
		}
		if valid < max(1, nb/4) {
			continue
		}
		mir /= float64(valid)
		tra /= float64(valid)
		if mir >= cueMirrorCorr && mir-tra >= cueMirrorGain && mir > axisScore {
			axis, axisScore, axisK = a, mir, k
			blockCorr = append(blockCorr[:0], bc...)
		}
	}
	if axis < 0 {
		return mask
	}
	s.waterline = axis
	for b, m := range blockCorr {
		if m < cueMirrorCorr {
			continue
		}
		for y := axis; y < axis+axisK; y++ {
			for x := b * bw; x < min(w, (b+1)*bw); x++ {
				mask[y*w+x] = true
			}
		}
	}
	return mask
}

// smooth applies a 3×3 majority filter twice; ties keep the label.
func (s *cueScene) smooth() {
	w, h := s.w, s.h
	next := make([]Region, len(s.class))
	for range 2 {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var cnt [5]int
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						nx, ny := x+dx, y+dy
						if nx >= 0 && ny >= 0 && nx < w && ny < h {
							cnt[s.class[ny*w+nx]]++
						}
					}
				}
				cur := s.class[y*w+x]
				best := cur
				for c := range cnt {
					if cnt[c] > cnt[best] {
						best = Region(c)
					}
				}
				next[y*w+x] = best
			}
		}
		s.class, next = next, s.class
	}
}
