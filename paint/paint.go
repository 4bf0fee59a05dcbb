package paint

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"sort"
)

// Size limits of a painting.
const (
	MinSide   = 64
	MaxPixels = 50_000_000
)

// Paint renders the scene at w×h pixels from seed; the same arguments
// always give the same pixels.
func Paint(s Scene, w, h int, seed uint64) (*image.RGBA, error) {
	if w < MinSide || h < MinSide {
		return nil, fmt.Errorf("paint: size %d×%d: each side must be at least %d pixels", w, h, MinSide)
	}
	if int64(w)*int64(h) > MaxPixels {
		return nil, fmt.Errorf("paint: size %d×%d is over %d megapixels; paint a smaller picture", w, h, MaxPixels/1_000_000)
	}
	p := &painter{c: newCanvas(w, h), n: newNoise(seed), r: rand.New(rand.NewPCG(seed, 42)), s: s, w: float64(w), h: float64(h)}
	p.paper()
	p.sky()
	p.distant()
	p.mountains()
	if s.Water {
		p.water()
	}
	p.banks()
	if s.Boat {
		p.boat()
	}
	if s.Geese {
		p.geese()
	}
	return p.c.img, nil
}

type painter struct {
	c    *canvas
	n    *noise
	r    *rand.Rand
	s    Scene
	w, h float64
}

// unit is the painting's scale: strokes are sized against the height.
func (p *painter) unit() float64 { return p.h / 1024 }

// paper lays the rice-paper ground: a warm base that wavers with noise and
// fibre speckles; night darkens it to a dusky silk.
func (p *painter) paper() {
	img := p.c.img
	base := [3]float64{244, 236, 220}
	if p.s.Night {
		base = [3]float64{196, 188, 170}
	}
	if p.s.Season == "秋" {
		base = [3]float64{242, 230, 206}
	}
	if p.s.Season == "冬" && !p.s.Night {
		base = [3]float64{222, 220, 214} // a snow sky: grey, so snowy peaks stand out white
	}
	// Both noise terms vary slowly down the page, so they are sampled
	// every 8 rows (the broad mottling also every 8 columns) and
	// interpolated: an eighth of the noise evaluations.
	const step = 8
	W, H := img.Rect.Dx(), img.Rect.Dy()
	gw, gh := W/step+2, H/step+2
	broad := make([]float32, gw*gh)
	for j := range gh {
		for i := range gw {
			broad[j*gw+i] = float32(6 * p.n.at(float64(i*step)*0.01, float64(j*step)*0.01, 0.5))
		}
	}
	fibre := make([]float32, W*gh)
	for j := range gh {
		for x := range W {
			fibre[j*W+x] = float32(3 * p.n.at(float64(x)*0.3, float64(j*step)*0.02, 1.5))
		}
	}
	for y := 0; y < H; y++ {
		j, fy := y/step, float32(y%step)/step
		for x := 0; x < W; x++ {
			i, fx := x/step, float32(x%step)/step
			b0 := broad[j*gw+i] + (broad[j*gw+i+1]-broad[j*gw+i])*fx
			b1 := broad[(j+1)*gw+i] + (broad[(j+1)*gw+i+1]-broad[(j+1)*gw+i])*fx
			f := fibre[j*W+x] + (fibre[(j+1)*W+x]-fibre[j*W+x])*fy
			v := float64(b0 + (b1-b0)*fy + f)
			if p.r.IntN(60) == 0 {
				v -= 8
			}
			i4 := img.PixOffset(x, y)
			for k := 0; k < 3; k++ {
				img.Pix[i4+k] = clamp8(base[k] + v)
			}
			img.Pix[i4+3] = 255
		}
	}
}

// sky adds the moon, a pale disc ringed by a faint wash.
func (p *painter) sky() {
	if !p.s.Moon {
		return
	}
	u := p.unit()
	cx, cy, r := p.w*(0.15+0.7*p.r.Float64()), p.h*0.16, 46*u
	for k := 4; k >= 0; k-- {
		rr := r * (1 + 0.35*float64(k))
		var poly []pt
		for i := 0; i < 64; i++ {
			a := float64(i) / 64 * 2 * math.Pi
			poly = append(poly, pt{cx + rr*math.Cos(a), cy + rr*math.Sin(a)})
		}
		col := color.NRGBA{255, 252, 236, uint8(60 - 10*k)}
		if k == 0 {
			col = color.NRGBA{252, 248, 232, 235}
			if !p.s.Night {
				col = color.NRGBA{236, 226, 204, 200}
			}
		}
		p.c.fill(poly, col)
	}
}

// ridge returns a mountain outline from x0 to x1 whose height follows
// noise: y = base − height·hump(x)·noise.
func (p *painter) ridge(x0, x1, base, height, z float64) []pt {
	var line []pt
	steps := int((x1-x0)/(6*p.unit())) + 2
	for i := 0; i <= steps; i++ {
		t := float64(i) / float64(steps)
		x := x0 + t*(x1-x0)
		hump := math.Sin(math.Pi * t)
		y := base - height*hump*(0.35+0.9*p.n.fbm(x*0.004/p.unit(), z, 2.2))
		line = append(line, pt{x, y})
	}
	return line
}

// distant paints far ridges as pale washes, paler the farther.
func (p *painter) distant() {
	for layer := 0; layer < 3; layer++ {
		base := p.h * (0.5 + 0.06*float64(layer))
		line := p.ridge(-p.w*0.05, p.w*1.05, base, p.h*(0.22-0.04*float64(layer)), 10+float64(layer))
		// Each ridge fades downward in bands, as mist settles in valleys.
		v, a := uint8(150-20*layer), 0.10+0.05*float64(layer)
		for band := 0; band < 8; band++ {
			depth := p.h * 0.015 * float64(band+1)
			poly := append([]pt{}, line...)
			for i := len(line) - 1; i >= 0; i-- {
				poly = append(poly, pt{line[i].X, base + depth})
			}
			p.c.fill(poly, p.tint(v, a/4))
		}
	}
}

// tint is an ink of grey v and opacity a, warmed in autumn and cooled at
// night.
func (p *painter) tint(v uint8, a float64) color.NRGBA {
	c := ink(v, a)
	switch {
	case p.s.Season == "秋":
		c.R, c.G, c.B = clamp8(float64(v)+40), clamp8(float64(v)+18), clamp8(float64(v)-10)
	case p.s.Season == "春" || p.s.Season == "夏":
		c.R, c.G, c.B = clamp8(float64(v)-6), clamp8(float64(v)+14), clamp8(float64(v)+4)
	case p.s.Night:
		c.R, c.G, c.B = clamp8(float64(v)-10), clamp8(float64(v)-6), clamp8(float64(v)+8)
	}
	return c
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }

// mountain is one mountain: nested contour layers, each lower than the one
// before, the outer one filled with paper to hide what is behind. Its
// profile is a main peak and a few shoulders, roughened by noise.
type mountain struct {
	x, base, wid, hgt float64
	z                 float64
	bumps             [][3]float64 // centre (−1..1), half-width, height (0..1)
}

// mountains places the middle ground: peaks where low-frequency noise
// rises, grouped in clusters with open water or mist between them; on a
// long scroll the clusters repeat along its length.
func (p *painter) mountains() {
	var ms []mountain
	x := p.w * 0.05 * p.r.Float64()
	for x < p.w {
		wid := p.h * (0.45 + 0.45*p.r.Float64())
		hgt := p.h * (0.30 + 0.28*p.r.Float64())
		base := p.h * (0.70 + 0.10*p.r.Float64())
		if p.s.Water {
			base = p.h * (0.60 + 0.08*p.r.Float64())
		}
		if p.n.fbm(x*0.002/p.unit(), 0.5, 9) > 0.38 || len(ms) == 0 {
			m := mountain{x: x, base: base, wid: wid, hgt: hgt, z: float64(len(ms)) * 3.7}
			m.bumps = append(m.bumps, [3]float64{(p.r.Float64() - 0.5) * 0.4, 0.3 + 0.15*p.r.Float64(), 1})
			for k := 1 + p.r.IntN(3); k > 0; k-- {
				m.bumps = append(m.bumps, [3]float64{(p.r.Float64()*2 - 1) * 0.7, 0.12 + 0.15*p.r.Float64(), 0.35 + 0.4*p.r.Float64()})
			}
			ms = append(ms, m)
			// A lower companion peak in front, half the time.
			if p.r.IntN(2) == 0 {
				c := m
				c.x += (p.r.Float64() - 0.5) * wid * 0.8
				c.wid *= 0.55 + 0.2*p.r.Float64()
				c.hgt *= 0.4 + 0.2*p.r.Float64()
				c.base += p.h * 0.04
				c.z += 1.3
				c.bumps = [][3]float64{{(p.r.Float64() - 0.5) * 0.5, 0.35, 1}, {(p.r.Float64()*2 - 1) * 0.6, 0.2, 0.6}}
				ms = append(ms, c)
			}
		}
		x += wid * (0.6 + 0.6*p.r.Float64())
	}
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].base < ms[j].base })
	for _, m := range ms {
		p.mountain(m)
	}
}

// profile is the mountain's height (0..1) at t (−1..1 across its width).
func (p *painter) profile(m mountain, t float64) float64 {
	h := 0.0
	for _, b := range m.bumps {
		d := (t - b[0]) / b[1]
		h = math.Max(h, b[2]*math.Exp(-d*d))
	}
	edge := 1 - math.Pow(math.Abs(t), 6)
	rough := 0.78 + 0.3*p.n.fbm(t*3+m.z, m.z, 2.1) + 0.12*p.n.fbm(t*14, m.z, 4.4)
	return math.Max(0, h*edge*rough)
}

func (p *painter) mountain(m mountain) {
	u := p.unit()
	const layers, steps = 9, 64
	contours := make([][]pt, layers)
	for j := 0; j < layers; j++ {
		s := 1 - float64(j)/layers
		line := make([]pt, 0, steps+1)
		for k := 0; k <= steps; k++ {
			t := -1 + 2*float64(k)/steps
			x := m.x + t*m.wid/2*(0.75+0.25*s)
			y := m.base - m.hgt*s*p.profile(m, t*(0.9+0.1*s))*(0.9+0.2*p.n.fbm(t*5, float64(j)*0.4, m.z+1))
			line = append(line, pt{x, y})
		}
		contours[j] = line
	}
	foot := m.base + 6*u
	outer := append(append([]pt{}, contours[0]...), pt{m.x + m.wid/2, foot}, pt{m.x - m.wid/2, foot})
	body := p.paperColour()
	if p.s.Season == "冬" {
		body = color.NRGBA{250, 249, 246, 255} // snow: the mountain is bare white paper
	}
	p.c.fill(outer, body)
	// Ink washes hang from each contour, so ridges and heights darken and
	// the foot stays pale.
	for j := 0; j < layers-1; j++ {
		drop := m.hgt * (0.18 + 0.1*p.r.Float64())
		band := append([]pt{}, contours[j]...)
		for k := len(contours[j]) - 1; k >= 0; k-- {
			q := contours[j][k]
			band = append(band, pt{q.X, math.Min(foot, q.Y+drop)})
		}
		a := 0.05
		if p.s.Season == "冬" {
			a = 0.012
		}
		p.c.fill(band, p.tint(100, a))
	}
	// The outline: a tapered stroke along the outer contour.
	outline := p.tint(40, 0.85)
	p.c.stroke(p.n, contours[0], 2.4*u, outline, 0.45, nil)
	// 皴 (hemp-fibre texture): strokes falling from a contour down the
	// slope, denser near the ridges and on the shaded left flank.
	count := int(380 * m.wid / p.h)
	for i := 0; i < count; i++ {
		j := p.r.IntN(layers - 1)
		k := 1 + p.r.IntN(steps-1)
		if k > steps/2 && p.r.IntN(3) == 0 {
			k = steps - k // shade the left flank
		}
		start := contours[j][k]
		slope := contours[j][k+1].Y - contours[j][k-1].Y
		dir := 1.0
		if slope > 0 {
			dir = -1 // downhill runs toward smaller x
		}
		l := (14 + 26*p.r.Float64()) * u
		line := []pt{start}
		for s := 1; s <= 4; s++ {
			f := float64(s) / 4
			line = append(line, pt{start.X + dir*f*l*0.35 + (p.r.Float64()-0.5)*2*u, start.Y + f*l})
		}
		if line[len(line)-1].Y > foot-m.hgt*0.1 {
			continue // the foot is mist
		}
		alpha := 0.2 + 0.35*p.r.Float64()
		if p.s.Season == "冬" {
			alpha *= 0.3 // snow on the slopes
		}
		p.c.stroke(p.n, line, (0.8+1.4*p.r.Float64())*u, p.tint(55, alpha), 0.5, nil)
	}
	// Moss dots (苔点) along the ridge.
	for k := 2; k < steps-1; k += 1 + p.r.IntN(4) {
		if p.n.fbm(float64(k)*0.3, m.z, 6) < 0.45 {
			continue
		}
		q := contours[0][k]
		p.c.blob(p.n, pt{q.X, q.Y + 2*u}, (4+3*p.r.Float64())*u, (3+2*p.r.Float64())*u, p.r.Float64()*3, p.tint(30, 0.75))
	}
	if p.s.Trees {
		p.ridgeTrees(contours[0], m)
	}
	if p.s.Pavilion && p.r.IntN(2) == 0 {
		k := steps/2 + p.r.IntN(steps/3) - steps/6
		at := contours[2][k]
		if at.Y < foot-m.hgt*0.2 {
			p.pavilion(pt{at.X, at.Y + 10*u})
		}
	}
	p.mist(m.x-m.wid*0.85, m.x+m.wid*0.85, foot-m.hgt*0.22, foot+4*u)
}

// mist veils a band in paper colour, clear at the top and opaque at the
// bottom; each layer is lens-shaped, so the veil thins out at both ends:
// the foot of a mountain dissolving into cloud.
func (p *painter) mist(x0, x1, y0, y1 float64) {
	c := p.paperColour()
	if p.s.Season == "冬" {
		c = color.NRGBA{236, 235, 231, 255}
	}
	const bands = 12
	for b := 0; b < bands; b++ {
		t := float64(b+1) / bands
		top := y0 + (y1-y0)*(1-t)
		c.A = uint8(255 * 0.22 * t)
		// Each layer reaches below the foot by half as far as above it, so
		// the veil fades downward too and leaves no edge.
		var poly []pt
		for k := 0; k <= 32; k++ {
			f := float64(k) / 32
			x := x0 + (x1-x0)*f
			lens := math.Pow(math.Sin(math.Pi*f), 0.5)
			y := y1 - (y1-top)*lens + 5*p.unit()*p.n.fbm(x*0.01/p.unit(), float64(b), 12)*lens
			poly = append(poly, pt{x, y})
		}
		for k := 32; k >= 0; k-- {
			f := float64(k) / 32
			lens := math.Pow(math.Sin(math.Pi*f), 0.5)
			poly = append(poly, pt{x0 + (x1-x0)*f, y1 + (y1-top)*0.5*lens})
		}
		p.c.fill(poly, c)
	}
}

func (p *painter) paperColour() color.NRGBA {
	c := color.NRGBA{244, 236, 220, 255}
	if p.s.Night {
		c = color.NRGBA{196, 188, 170, 255}
	} else if p.s.Season == "秋" {
		c = color.NRGBA{242, 230, 206, 255}
	} else if p.s.Season == "冬" {
		c = color.NRGBA{222, 220, 214, 255}
	}
	return c
}

// ridgeTrees stand along a mountain's rim: small, as they are far off.
func (p *painter) ridgeTrees(rim []pt, m mountain) {
	u := p.unit()
	for k := 3; k < len(rim)-3; k += 2 {
		if p.n.fbm(rim[k].X*0.01/u, m.z, 5) < 0.52 {
			continue
		}
		p.tree(rim[k], (22+18*p.r.Float64())*u, p.treeKind())
	}
}

// Kinds of tree.
const (
	leafy = iota
	pine
	willow
	bare
	plum
)

// treeKind picks a kind the scene calls for.
func (p *painter) treeKind() int {
	var kinds []int
	if p.s.Pine {
		kinds = append(kinds, pine, pine)
	}
	if p.s.Willow {
		kinds = append(kinds, willow)
	}
	if p.s.Plum {
		kinds = append(kinds, plum)
	}
	if len(kinds) == 0 {
		kinds = []int{leafy, leafy, pine}
	}
	k := kinds[p.r.IntN(len(kinds))]
	if p.s.Season == "冬" && k != pine && k != plum {
		k = bare
	}
	return k
}

// tree paints one tree standing at base, hgt tall.
func (p *painter) tree(base pt, hgt float64, kind int) {
	u := p.unit()
	lean := (p.r.Float64() - 0.5) * hgt * 0.25
	top := pt{base.X + lean, base.Y - hgt}
	mid := pt{base.X + lean*0.3 + (p.r.Float64()-0.5)*hgt*0.08, base.Y - hgt*0.5}
	trunk := p.tint(40, 0.85)
	p.c.stroke(p.n, []pt{base, mid, top}, math.Max(0.7, hgt/40)*u*1.2, trunk, 0.3, func(t float64) float64 { return 1 - 0.6*t })
	switch kind {
	case pine: // layered flat needle clusters
		for l := 0; l < 4; l++ {
			f := 0.35 + 0.2*float64(l)
			at := pt{base.X + (top.X-base.X)*f + (p.r.Float64()-0.5)*hgt*0.2, base.Y - hgt*f}
			w := hgt * (0.55 - 0.1*float64(l))
			p.c.blob(p.n, at, w, w*0.28, (p.r.Float64()-0.5)*0.3, p.tint(35, 0.7))
		}
	case willow: // drooping strands
		for l := 0; l < 9; l++ {
			at := pt{top.X + (p.r.Float64()-0.5)*hgt*0.5, top.Y + p.r.Float64()*hgt*0.2}
			var strand []pt
			for s := 0; s <= 5; s++ {
				f := float64(s) / 5
				strand = append(strand, pt{at.X + math.Sin(f*2+float64(l))*hgt*0.08, at.Y + f*hgt*0.55})
			}
			col := p.tint(50, 0.7)
			if p.s.Season == "春" || p.s.Season == "夏" {
				col = color.NRGBA{90, 125, 70, 190}
			}
			p.c.stroke(p.n, strand, 1.1*u, col, 0.3, nil)
		}
	case bare, plum: // branches forking from the top
		for l := 0; l < 5; l++ {
			from := pt{base.X + (top.X-base.X)*(0.5+0.1*float64(l)), base.Y - hgt*(0.5+0.1*float64(l))}
			a := -math.Pi/2 + (p.r.Float64()-0.5)*2.2
			to := pt{from.X + math.Cos(a)*hgt*0.35, from.Y + math.Sin(a)*hgt*0.35}
			p.c.stroke(p.n, []pt{from, to}, 0.8*u, trunk, 0.3, func(t float64) float64 { return 1 - 0.8*t })
			if kind == plum {
				for d := 0; d < 4; d++ {
					f := p.r.Float64()
					at := pt{from.X + (to.X-from.X)*f, from.Y + (to.Y-from.Y)*f}
					p.c.blob(p.n, at, 5*u, 5*u, 0, color.NRGBA{196, 60, 70, 200})
				}
			}
		}
	default: // leafy: a crown of ink dabs, ochre in autumn
		leaf := p.tint(50, 0.45)
		if p.s.Season == "秋" {
			leaf = color.NRGBA{165, 80, 35, 150}
		}
		for l := 0; l < 18; l++ {
			at := pt{top.X + (p.r.Float64()-0.5)*hgt*0.7, top.Y + p.r.Float64()*hgt*0.6}
			p.c.blob(p.n, at, (0.2+0.15*p.r.Float64())*hgt, (0.1+0.08*p.r.Float64())*hgt, (p.r.Float64()-0.5)*0.8, leaf)
		}
	}
}

// banks paints the near ground: low sloping banks (坡岸) in the foreground
// with rocks and a few large trees, reaching in from the sides.
func (p *painter) banks() {
	u := p.unit()
	n := 1 + int(p.w/p.h/1.5)
	for i := 0; i < n; i++ {
		// Alternate sides; on a scroll, spread along its length.
		x0 := p.w * (float64(i) + 0.1*p.r.Float64()) / float64(n)
		wid := p.w / float64(n) * (0.35 + 0.25*p.r.Float64())
		if i%2 == 1 {
			x0 = p.w*float64(i+1)/float64(n) - wid
		}
		top := p.h * (0.86 + 0.05*p.r.Float64())
		hgt := p.h * (0.06 + 0.05*p.r.Float64())
		var line []pt
		for k := 0; k <= 40; k++ {
			t := float64(k) / 40
			hump := math.Pow(math.Sin(math.Pi*t), 0.6)
			line = append(line, pt{x0 + t*wid, top + hgt*(1-hump*(0.7+0.5*p.n.fbm(t*4, float64(i), 15)))})
		}
		poly := append(append([]pt{}, line...), pt{x0 + wid, p.h + 4*u}, pt{x0, p.h + 4*u})
		p.c.fill(poly, p.paperColour())
		p.c.fill(poly, p.tint(110, 0.05))
		p.c.stroke(p.n, line, 2.2*u, p.tint(45, 0.8), 0.5, nil)
		// Horizontal texture and moss dots on the bank.
		for k := 0; k < int(wid/(12*u)); k++ {
			q := line[p.r.IntN(len(line))]
			y := q.Y + (4+p.r.Float64()*30)*u
			if y > p.h {
				continue
			}
			l := (10 + 20*p.r.Float64()) * u
			p.c.stroke(p.n, []pt{{q.X, y}, {q.X + l*0.5, y + 1.5*u}, {q.X + l, y}}, 0.9*u, p.tint(60, 0.4), 0.4, nil)
		}
		// Rocks: two or three lumps with a stroke or two of texture.
		for k := 0; k < 2+p.r.IntN(2); k++ {
			q := line[5+p.r.IntN(30)]
			p.rock(pt{q.X, q.Y + 6*u}, (18+22*p.r.Float64())*u)
		}
		if p.s.Trees {
			for k := 0; k < 2+p.r.IntN(3); k++ {
				q := line[8+p.r.IntN(24)]
				p.tree(pt{q.X, q.Y + 2*u}, (90+90*p.r.Float64())*u, p.treeKind())
			}
		}
	}
}

// rock is a lump with a dark outline and a couple of 皴 strokes.
func (p *painter) rock(at pt, size float64) {
	u := p.unit()
	var poly []pt
	for k := 0; k <= 20; k++ {
		a := math.Pi + math.Pi*float64(k)/20
		r := size * (0.7 + 0.4*p.n.fbm(at.X*0.01+float64(k)*0.3, at.Y*0.01, 16))
		poly = append(poly, pt{at.X + math.Cos(a)*r, at.Y + math.Sin(a)*r*0.7})
	}
	p.c.fill(poly, p.paperColour())
	p.c.fill(poly, p.tint(90, 0.12))
	p.c.stroke(p.n, poly, 1.8*u, p.tint(35, 0.85), 0.4, nil)
	for k := 0; k < 3; k++ {
		f := 0.3 + 0.4*p.r.Float64()
		from := pt{at.X + (f-0.5)*size, at.Y - size*0.5*(1-math.Abs(f-0.5))}
		p.c.stroke(p.n, []pt{from, {from.X - size*0.1, from.Y + size*0.3}}, 1.1*u, p.tint(50, 0.6), 0.4, nil)
	}
}

// pavilion is a small hut: posts and a roof with upturned eaves.
func (p *painter) pavilion(at pt) {
	u := p.unit()
	w, h := 30*u, 22*u
	col := p.tint(40, 0.85)
	p.c.stroke(p.n, []pt{{at.X - w/3, at.Y}, {at.X - w/3, at.Y - h}}, 1.2*u, col, 0.1, func(float64) float64 { return 1 })
	p.c.stroke(p.n, []pt{{at.X + w/3, at.Y}, {at.X + w/3, at.Y - h}}, 1.2*u, col, 0.1, func(float64) float64 { return 1 })
	roof := []pt{{at.X - w*0.7, at.Y - h - 2*u}, {at.X - w*0.45, at.Y - h}, {at.X + w*0.45, at.Y - h}, {at.X + w*0.7, at.Y - h - 2*u}, {at.X, at.Y - h - 14*u}}
	p.c.fill(roof, p.tint(50, 0.8))
	if p.s.Night { // lamplight
		p.c.blob(p.n, pt{at.X, at.Y - h/2}, 10*u, 10*u, 0, color.NRGBA{240, 180, 80, 170})
	}
}

// water is clusters of faint horizontal strokes below the mountains.
func (p *painter) water() {
	u := p.unit()
	for i := 0; i < int(60*p.w/p.h); i++ {
		y := p.h * (0.74 + 0.24*p.r.Float64())
		x := p.w * p.r.Float64()
		l := (40 + 120*p.r.Float64()) * u
		var line []pt
		for k := 0; k <= 8; k++ {
			t := float64(k) / 8
			line = append(line, pt{x + t*l, y + math.Sin(t*math.Pi*2+x)*1.5*u})
		}
		p.c.stroke(p.n, line, 0.9*u, p.tint(70, 0.3+0.3*p.r.Float64()), 0.4, nil)
	}
}

// boat is a hull with a fisherman's hat, on the water.
func (p *painter) boat() {
	u := p.unit()
	at := pt{p.w * (0.2 + 0.6*p.r.Float64()), p.h * (0.82 + 0.08*p.r.Float64())}
	l := 70 * u
	var hull []pt
	for k := 0; k <= 16; k++ {
		t := float64(k) / 16
		hull = append(hull, pt{at.X - l/2 + t*l, at.Y - math.Pow(math.Abs(2*t-1), 3)*8*u})
	}
	for k := 16; k >= 0; k-- {
		t := float64(k) / 16
		hull = append(hull, pt{at.X - l/2 + t*l, at.Y + math.Pow(math.Sin(math.Pi*t), 0.5)*7*u})
	}
	p.c.fill(hull, p.tint(35, 0.85))
	p.c.fill([]pt{{at.X - 9*u, at.Y - 10*u}, {at.X + 9*u, at.Y - 10*u}, {at.X, at.Y - 20*u}}, p.tint(30, 0.9))
	p.c.stroke(p.n, []pt{{at.X + 12*u, at.Y - 2*u}, {at.X + 40*u, at.Y - 40*u}}, 0.9*u, p.tint(30, 0.8), 0.1, func(float64) float64 { return 1 })
}

// geese are a loose line of small ticks in the sky.
func (p *painter) geese() {
	u := p.unit()
	x, y := p.w*(0.2+0.5*p.r.Float64()), p.h*(0.18+0.1*p.r.Float64())
	for i := 0; i < 5; i++ {
		at := pt{x + float64(i)*22*u, y + float64(i%3)*6*u}
		p.c.stroke(p.n, []pt{{at.X - 6*u, at.Y - 3*u}, at, {at.X + 6*u, at.Y - 3*u}}, 0.9*u, p.tint(30, 0.8), 0.2, nil)
	}
}
