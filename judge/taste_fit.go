package judge

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Fitting a taste: pairs from one person's ratings, a regularised
// Bradley–Terry logistic loss, minimised by L-BFGS.

type tastePair struct{ hi, lo int32 }

// FitTaste learns a taste from one person's ratings.
//
// Every two usable ratings with different effective scores make a
// preference pair; the model minimises the mean logistic loss
// log(1+exp(-(u(hi)-u(lo)))) over pairs plus λ/2·‖w−w₀‖² (λ = 0.02, and
// 0.002 on the three engine scores, which are dense and few), where w₀ puts
// a small weight (0.3) on the standardised engine Score, so that a person
// with few ratings keeps roughly the engine's order. All pairs count the
// same, whatever the gap between their scores. It is deterministic: pairs
// are taken in order, and when there are more than 10000 they are
// subsampled with a fixed seed; L-BFGS runs from w₀ (at most 100
// iterations). 500 ratings fit in about 25 ms. Favourites count as 10; see Rating for
// scores out of range. With fewer than TasteMinRatings usable ratings, or
// none that differ, it returns a taste that keeps the engine's order.
func FitTaste(ratings []Rating) *Taste {
	var cands []Candidate
	var ys []int
	for _, r := range ratings {
		if y, ok := r.label(); ok {
			cands = append(cands, r.Candidate)
			ys = append(ys, y)
		}
	}
	t := untrained(len(cands))
	if len(cands) < TasteMinRatings {
		return t
	}

	var pairs []tastePair
	total := 0
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			if ys[i] != ys[j] {
				total++
			}
		}
	}
	if total == 0 {
		return t
	}
	keep := 1.0
	var rng *rand.Rand
	if total > tasteMaxPairs {
		keep = float64(tasteMaxPairs) / float64(total)
		rng = rand.New(rand.NewPCG(0x6d69616f, 0x74617374))
	}
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			if ys[i] == ys[j] || rng != nil && rng.Float64() >= keep {
				continue
			}
			if ys[i] > ys[j] {
				pairs = append(pairs, tastePair{int32(i), int32(j)})
			} else {
				pairs = append(pairs, tastePair{int32(j), int32(i)})
			}
		}
	}
	if len(pairs) == 0 {
		return t
	}

	// Standardise the engine entries over the rated candidates.
	raws := make([][tasteEngine]float64, len(cands))
	rests := make([]sparse, len(cands))
	for i, c := range cands {
		raws[i], rests[i] = rawFeatures(c)
	}
	for f := range tasteEngine {
		n, sum, sq := 0.0, 0.0, 0.0
		for _, e := range raws {
			if !math.IsNaN(e[f]) && !math.IsInf(e[f], 0) {
				n++
				sum += e[f]
			}
		}
		if n == 0 {
			continue
		}
		mean := sum / n
		for _, e := range raws {
			if !math.IsNaN(e[f]) && !math.IsInf(e[f], 0) {
				sq += (e[f] - mean) * (e[f] - mean)
			}
		}
		t.Mean[f] = mean
		if sd := math.Sqrt(sq / n); sd > 1e-9 && !math.IsInf(sd, 0) {
			t.Std[f] = sd
		}
	}
	rows := make([]sparse, len(cands))
	for i := range cands {
		z := t.standardise(raws[i])
		r := sparse{idx: make([]int32, 0, tasteEngine+len(rests[i].idx)), val: make([]float64, 0, tasteEngine+len(rests[i].idx))}
		for f, v := range z {
			r.idx = append(r.idx, int32(f))
			r.val = append(r.val, v)
		}
		r.idx = append(r.idx, rests[i].idx...)
		r.val = append(r.val, rests[i].val...)
		rows[i] = r
	}

	w0 := prior()
	s := make([]float64, len(rows))
	gs := make([]float64, len(rows))
	invP := 1 / float64(len(pairs))
	obj := func(w, g []float64) float64 {
		for i, r := range rows {
			s[i] = dot(w, r)
			gs[i] = 0
		}
		// Σ log(1+exp(-d)) and its derivative -σ(-d), computed stably: for
		// d > 0 as log(1+e), e = exp(-d); else as -d + log(1+e), e = exp(d).
		// The factors 1+e lie in (1, 2], so up to 1000 of them are
		// multiplied before one logarithm is taken (logarithms dominated
		// the fit's time otherwise).
		loss, prod, k := 0.0, 1.0, 0
		for _, p := range pairs {
			d := s[p.hi] - s[p.lo]
			var q float64
			if d > 0 {
				e := math.Exp(-d)
				prod *= 1 + e
				q = e / (1 + e)
			} else {
				e := math.Exp(d)
				loss -= d
				prod *= 1 + e
				q = 1 / (1 + e)
			}
			if k++; k == 1000 {
				loss += math.Log(prod)
				prod, k = 1, 0
			}
			gs[p.hi] -= q
			gs[p.lo] += q
		}
		loss += math.Log(prod)
		loss *= invP
		for k := range g {
			dw := w[k] - w0[k]
			lam := tasteLambda
			if k < tasteEngine {
				lam = tasteLambdaE
			}
			g[k] = lam * dw
			loss += 0.5 * lam * dw * dw
		}
		for i, r := range rows {
			if gs[i] == 0 {
				continue
			}
			c := gs[i] * invP
			for k, f := range r.idx {
				g[f] += c * r.val[k]
			}
		}
		return loss
	}
	w := slices.Clone(w0)
	lbfgs(obj, w, tasteMaxIter)
	for _, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return t
		}
	}
	t.Weights = w
	t.Pairs = len(pairs)
	return t
}

// lbfgs minimises f from w in place (limited-memory BFGS, 7 pairs, with
// backtracking Armijo line search).
func lbfgs(f func(w, g []float64) float64, w []float64, maxIter int) {
	const m = 7
	n := len(w)
	g := make([]float64, n)
	fx := f(w, g)
	var ss, ys [][]float64
	var rhos []float64
	d := make([]float64, n)
	wn := make([]float64, n)
	gn := make([]float64, n)
	alpha := make([]float64, m)
	for range maxIter {
		if normInf(g) < 1e-6 {
			return
		}
		// Two-loop recursion: d = -H g.
		copy(d, g)
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * vdot(ss[k], d)
			axpy(-alpha[k], ys[k], d)
		}
		gamma := 1.0
		if k := len(ss) - 1; k >= 0 {
			gamma = vdot(ss[k], ys[k]) / vdot(ys[k], ys[k])
		} else {
			gamma = 1 / max(math.Sqrt(vdot(g, g)), 1e-12)
		}
		for i := range d {
			d[i] *= gamma
		}
		for k := range ss {
			b := rhos[k] * vdot(ys[k], d)
			axpy(alpha[k]-b, ss[k], d)
		}
		for i := range d {
			d[i] = -d[i]
		}
		slope := vdot(g, d)
		if !(slope < 0) {
			// Not a descent direction: restart from steepest descent.
			ss, ys, rhos = ss[:0], ys[:0], rhos[:0]
			for i := range d {
				d[i] = -g[i]
			}
			slope = vdot(g, d)
			if !(slope < 0) {
				return
			}
		}
		step, fn := 1.0, 0.0
		ok := false
		for range 30 {
			for i := range w {
				wn[i] = w[i] + step*d[i]
			}
			fn = f(wn, gn)
			if fn <= fx+1e-4*step*slope {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			return
		}
		sv := make([]float64, n)
		yv := make([]float64, n)
		for i := range w {
			sv[i] = wn[i] - w[i]
			yv[i] = gn[i] - g[i]
		}
		copy(w, wn)
		copy(g, gn)
		done := fx-fn <= 1e-10*max(1, math.Abs(fx))
		fx = fn
		if sy := vdot(sv, yv); sy > 1e-12 {
			if len(ss) == m {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
			ss = append(ss, sv)
			ys = append(ys, yv)
			rhos = append(rhos, 1/sy)
		}
		if done {
			return
		}
	}
}

func vdot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func normInf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}
