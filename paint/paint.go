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
	for y := 0; y < img.Rect.Dy(); y++ {
		for x := 0; x < img.Rect.Dx(); x++ {
			v := 6*p.n.at(float64(x)*0.01, float64(y)*0.01, 0.5) + 3*p.n.at(float64(x)*0.3, float64(y)*0.02, 1.5)
			if p.r.IntN(60) == 0 {
				v -= 8
			}
			i := img.PixOffset(x, y)
			for k := 0; k < 3; k++ {
				img.Pix[i+k] = uint8(math.Max(0, math.Min(255, base[k]+v)))
			}
			img.Pix[i+3] = 255
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

// mountain is one near mountain: nested contour layers, each smaller than
// the one before, the outer one filled with paper to hide what is behind.
type mountain struct {
	x, base, wid, hgt float64
	z                 float64
}

func (p *painter) mountains() {
	u := p.unit()
	var ms []mountain
	// Peaks where low-frequency noise rises, at least a mountain apart.
	x := p.w * 0.05 * p.r.Float64()
	for x < p.w {
		wid := p.h * (0.55 + 0.5*p.r.Float64())
		hgt := p.h * (0.36 + 0.3*p.r.Float64())
		base := p.h * (0.72 + 0.12*p.r.Float64())
		if p.s.Water {
			base = p.h * (0.62 + 0.1*p.r.Float64())
		}
		if p.n.fbm(x*0.002/u, 0.5, 9) > 0.35 || len(ms) == 0 {
			ms = append(ms, mountain{x: x, base: base, wid: wid, hgt: hgt, z: float64(len(ms)) * 3.7})
		}
		x += wid * (0.55 + 0.5*p.r.Float64())
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].base < ms[j].base })
	for _, m := range ms {
		p.mountain(m)
	}
}

func (p *painter) mountain(m mountain) {
	u := p.unit()
	const layers = 10
	contours := make([][]pt, layers)
	for j := 0; j < layers; j++ {
		s := 1 - float64(j)/layers
		var line []pt
		for k := 0; k <= 50; k++ {
			a := -math.Pi/2 + math.Pi*float64(k)/50
			x := m.x + a/math.Pi*m.wid*s
			y := m.base - math.Cos(a)*m.hgt*s*(0.45+0.8*p.n.fbm(a*1.3+10, 0.15*float64(j), m.z))
			line = append(line, pt{x, y})
		}
		contours[j] = line
	}
	outer := append(append([]pt{}, contours[0]...), pt{m.x + m.wid/2, m.base + 4*u}, pt{m.x - m.wid/2, m.base + 4*u})
	p.c.fill(outer, p.paperColour())
	// Washes on the lower flanks.
	for j := 0; j < 6; j++ {
		w := append(append([]pt{}, contours[j]...), pt{m.x + m.wid/2, m.base}, pt{m.x - m.wid/2, m.base})
		a := 0.06
		if p.s.Season == "冬" && j > 2 {
			a = 0.015
		}
		p.c.fill(w, p.tint(110, a))
	}
	// The outline: a tapered stroke along the outer contour.
	p.c.stroke(p.n, contours[0], 2.6*u, p.tint(40, 0.85), 0.4, nil)
	// 皴: short strokes between the layers, denser on the flanks.
	count := int(420 * m.wid / p.h)
	for i := 0; i < count; i++ {
		j := p.r.IntN(layers - 1)
		t := p.r.Float64()
		if p.r.IntN(3) > 0 { // bias to the outer thirds
			t = t/3 + float64(p.r.IntN(2))*2/3
		}
		k := int(t * 50)
		a, b := contours[j][k], contours[j+1][k]
		f := p.r.Float64()
		start := pt{a.X + (b.X-a.X)*f, a.Y + (b.Y-a.Y)*f}
		line := []pt{start}
		for s := 1; s < 5; s++ {
			idx := min(50, k+s)
			d := pt{contours[j][idx].X - contours[j][k].X, contours[j][idx].Y - contours[j][k].Y}
			line = append(line, pt{start.X + d.X*0.6 + (p.r.Float64()-0.5)*3*u, start.Y + d.Y*0.6 + float64(s)*1.5*u})
		}
		alpha := 0.25 + 0.35*p.r.Float64()
		if p.s.Season == "冬" && j > 4 {
			alpha *= 0.25 // snow on the heights
		}
		p.c.stroke(p.n, line, (1+1.5*p.r.Float64())*u, p.tint(60, alpha), 0.5, nil)
	}
	if p.s.Trees {
		p.trees(contours[0], m)
	}
	if p.s.Pavilion && p.r.IntN(2) == 0 {
		p.pavilion(pt{m.x + (p.r.Float64()-0.5)*m.wid*0.5, m.base - 6*u})
	}
}

func (p *painter) paperColour() color.NRGBA {
	c := color.NRGBA{244, 236, 220, 255}
	if p.s.Night {
		c = color.NRGBA{196, 188, 170, 255}
	} else if p.s.Season == "秋" {
		c = color.NRGBA{242, 230, 206, 255}
	}
	return c
}

// trees stand along the rim: a trunk stroke and a crown of leaf dabs
// (bare branches in winter).
func (p *painter) trees(rim []pt, m mountain) {
	u := p.unit()
	for k := 3; k < len(rim)-3; k += 2 {
		if p.n.fbm(rim[k].X*0.01/u, m.z, 5) < 0.5 {
			continue
		}
		base := rim[k]
		hgt := (34 + 40*p.r.Float64()) * u
		top := pt{base.X + (p.r.Float64()-0.5)*4*u, base.Y - hgt}
		p.c.stroke(p.n, []pt{base, {(base.X + top.X) / 2, base.Y - hgt/2}, top}, 1.6*u, p.tint(45, 0.8), 0.3, func(t float64) float64 { return 1 - 0.6*t })
		if p.s.Season == "冬" {
			continue
		}
		leaf := p.tint(50, 0.35)
		if p.s.Season == "秋" {
			leaf = color.NRGBA{150, 80, 40, 110}
		}
		for l := 0; l < 14; l++ {
			at := pt{top.X + (p.r.Float64()-0.5)*hgt*0.7, top.Y + p.r.Float64()*hgt*0.6}
			p.c.blob(p.n, at, (10+8*p.r.Float64())*u, (4+4*p.r.Float64())*u, (p.r.Float64()-0.5)*0.8, leaf)
		}
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
