package photo

import "math"

// Line work after Winnemöller, Kyprianidis and Olsen, "XDoG: An eXtended
// difference-of-Gaussians compendium including advanced image stylization"
// (Computers & Graphics 36(6), 2012).
//
// The XDoG sharpens an image with a difference of Gaussians,
// S = (1+p)·G_σ − p·G_kσ = G_σ + p·(G_σ − G_kσ), and thresholds it softly,
// T(u) = 1 for u ≥ ε and 1 + tanh(φ·(u − ε)) below. For pure line work the
// base tone G_σ is replaced by white (S = 1 + p·(G_σ − G_kσ)), so flat areas
// of any grey stay white and only the dark side of an edge, where the DoG
// dips, is inked. Optionally S is smoothed along the edge tangent (the
// flow-based XDoG of the same paper), which joins broken strokes.

// styXDoGParams are the XDoG's parameters; the σs are in pixels.
type styXDoGParams struct {
	sigma float64 // inner Gaussian
	k     float64 // ratio of the outer Gaussian
	p     float32 // edge emphasis
	eps   float32 // threshold
	phi   float32 // softness of the threshold (larger is harder)
	flow  float64 // σ of the smoothing along the tangent, 0 for none
}

// styXDoG returns a plane in [0,1]: 1 is untouched paper, 0 a full stroke.
// fl may be nil when p.flow is 0.
func styXDoG(l []float32, w, h int, p styXDoGParams, fl *styFlow) []float32 {
	g1 := make([]float32, w*h)
	g2 := make([]float32, w*h)
	styBlur(g1, l, w, h, p.sigma)
	styBlur(g2, l, w, h, p.sigma*p.k)
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			g1[i] = 1 + p.p*(g1[i]-g2[i])
		}
	})
	s := g1
	if p.flow > 0 && fl != nil {
		styLIC(g2, s, fl, p.flow)
		s = g2
	}
	styParallel(h, func(y0, y1 int) {
		for i := y0 * w; i < y1*w; i++ {
			u := s[i]
			if u >= p.eps {
				s[i] = 1
			} else {
				s[i] = 1 + float32(math.Tanh(float64(p.phi*(u-p.eps))))
			}
		}
	})
	return s
}

// styLIC smooths src along the flow's tangent (a line integral
// convolution with a Gaussian of sigma pixels) into dst, which must not be
// src. Over the few pixels it spans, the integral curve is taken as the
// straight tangent line through the pixel, sampled in steps of a pixel
// (longer for a large sigma, at most six each way); unlike a traced curve
// the samples do not depend on each other, which keeps the loop fast.
func styLIC(dst, src []float32, fl *styFlow, sigma float64) {
	w, h := fl.w, fl.h
	stride := math.Max(1, sigma/3)
	steps := int(math.Ceil(2 * sigma / stride))
	wts := make([]float32, steps+1)
	sum := float32(0)
	for i := range wts {
		d := float64(i) * stride
		wts[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		if i == 0 {
			sum += wts[i]
		} else {
			sum += 2 * wts[i]
		}
	}
	for i := range wts {
		wts[i] /= sum
	}
	st := float32(stride)
	maxX, maxY := float32(w)-0.5, float32(h)-0.5
	styParallel(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			cy := float32(y) + 0.5
			for x := 0; x < w; x++ {
				i := y*w + x
				cx := float32(x) + 0.5
				vx, vy := fl.tx[i]*st, fl.ty[i]*st
				acc := wts[0] * src[i]
				for s := 1; s <= steps; s++ {
					fs := float32(s)
					ax := min(max(cx+fs*vx, 0), maxX)
					ay := min(max(cy+fs*vy, 0), maxY)
					bx := min(max(cx-fs*vx, 0), maxX)
					by := min(max(cy-fs*vy, 0), maxY)
					acc += wts[s] * (src[int(ay)*w+int(ax)] + src[int(by)*w+int(bx)])
				}
				dst[i] = acc
			}
		}
	})
}
