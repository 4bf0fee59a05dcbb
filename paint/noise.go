package paint

import (
	"math"
	"math/rand/v2"
)

// noise is seeded gradient noise (Perlin's improved noise, 2002) with
// fractal octaves, the source of every shape and placement decision.
type noise struct {
	perm [512]uint8
}

func newNoise(seed uint64) *noise {
	n := &noise{}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	p := r.Perm(256)
	for i := 0; i < 512; i++ {
		n.perm[i] = uint8(p[i&255])
	}
	return n
}

func fade(t float64) float64 { return t * t * t * (t*(t*6-15) + 10) }

func lerp(t, a, b float64) float64 { return a + t*(b-a) }

func grad(h uint8, x, y, z float64) float64 {
	switch h & 15 {
	case 0, 12:
		return x + y
	case 1, 14:
		return -x + y
	case 2:
		return x - y
	case 3:
		return -x - y
	case 4:
		return x + z
	case 5:
		return -x + z
	case 6:
		return x - z
	case 7:
		return -x - z
	case 8:
		return y + z
	case 9, 13:
		return -y + z
	case 10:
		return y - z
	}
	return -y - z
}

// at returns noise in [-1, 1] at (x, y, z).
func (n *noise) at(x, y, z float64) float64 {
	fx, fy, fz := math.Floor(x), math.Floor(y), math.Floor(z)
	X, Y, Z := int(fx)&255, int(fy)&255, int(fz)&255
	x, y, z = x-fx, y-fy, z-fz
	u, v, w := fade(x), fade(y), fade(z)
	p := &n.perm
	A := int(p[X]) + Y
	AA, AB := int(p[A])+Z, int(p[A+1])+Z
	B := int(p[X+1]) + Y
	BA, BB := int(p[B])+Z, int(p[B+1])+Z
	return lerp(w,
		lerp(v, lerp(u, grad(p[AA], x, y, z), grad(p[BA], x-1, y, z)),
			lerp(u, grad(p[AB], x, y-1, z), grad(p[BB], x-1, y-1, z))),
		lerp(v, lerp(u, grad(p[AA+1], x, y, z-1), grad(p[BA+1], x-1, y, z-1)),
			lerp(u, grad(p[AB+1], x, y-1, z-1), grad(p[BB+1], x-1, y-1, z-1))))
}

// fbm is four octaves of noise, each half as strong, mapped to [0, 1].
func (n *noise) fbm(x, y, z float64) float64 {
	var sum, amp, norm float64 = 0, 1, 0
	for o := 0; o < 4; o++ {
		sum += amp * n.at(x, y, z)
		norm += amp
		amp *= 0.5
		x, y, z = x*2, y*2, z*2
	}
	return math.Max(0, math.Min(1, 0.5+0.5*sum/norm*1.4))
}
