// Package resample changes the sample rate of sound, for the audio
// watermark (which works at 16 kHz) and the label tests.
//
// A band-limited resampler: each output sample is the input convolved with
// a Kaiser-windowed sinc at the output's position. The taps of every
// output phase are computed once; between rates whose ratio does not
// reduce to at most 4096 phases, the position is rounded to the
// nearest of them (an error under 1/8192 of an input sample).
package resample

import (
	"math"
	"sync"
)

const (
	zeros  = 16   // zero crossings of the sinc on each side
	beta   = 8.6  // Kaiser window β: stop band about 85 dB down
	pass   = 0.94 // cut-off as a fraction of the lower Nyquist frequency
	phases = 4096
)

type kernel struct {
	l, m  int         // output/input rate ratio l/m in lowest terms
	half  int         // taps each side of the centre
	phase [][]float32 // per output phase (at most phases): 2·half taps, summing to 1
	fc    float64     // cut-off in cycles per input sample ×2 (1 = input Nyquist)
}

var kernels sync.Map // [2]int → *kernel

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// bessel0 is the modified Bessel function I₀.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < 1e-12*sum {
			break
		}
	}
	return sum
}

func kernelOf(from, to int) *kernel {
	key := [2]int{from, to}
	if k, ok := kernels.Load(key); ok {
		return k.(*kernel)
	}
	g := gcd(from, to)
	k := &kernel{l: to / g, m: from / g}
	k.fc = pass * math.Min(1, float64(to)/float64(from))
	k.half = int(math.Ceil(zeros / k.fc))
	k.phase = make([][]float32, min(k.l, phases))
	for p := range k.phase {
		k.phase[p] = k.taps(float64(p) / float64(len(k.phase)))
	}
	kernels.Store(key, k)
	return k
}

// taps computes the 2·half taps for an output at fractional input
// position φ past input sample n: tap j weighs input n−half+1+j.
func (k *kernel) taps(phi float64) []float32 {
	out := make([]float32, 2*k.half)
	var sum float64
	w := make([]float64, 2*k.half)
	norm := bessel0(beta)
	for j := range w {
		tau := float64(j-k.half+1) - phi
		r := tau / float64(k.half)
		if r <= -1 || r >= 1 {
			continue
		}
		x := k.fc * tau
		s := 1.0
		if x != 0 {
			s = math.Sin(math.Pi*x) / (math.Pi * x)
		}
		w[j] = s * bessel0(beta*math.Sqrt(1-r*r)) / norm
		sum += w[j]
	}
	for j := range w {
		out[j] = float32(w[j] / sum)
	}
	return out
}

// Resample converts one channel from rate from to rate to. The output has
// len(x)·to/from samples (rounded down); sample j sits at input time
// j·from/to, so the time base is kept.
func Resample(x []float32, from, to int) []float32 {
	if from == to {
		return append([]float32(nil), x...)
	}
	k := kernelOf(from, to)
	n := int(int64(len(x)) * int64(to) / int64(from))
	out := make([]float32, n)
	h := k.half
	for j := range out {
		num := int64(j) * int64(k.m) // input position × l
		base := int(num / int64(k.l))
		p := int(num % int64(k.l))
		if k.l > phases {
			p = int((int64(p)*phases + int64(k.l)/2) / int64(k.l))
			if p == phases { // rounds up to the next input sample
				p, base = 0, base+1
			}
		}
		taps := k.phase[p]
		lo := base - h + 1
		var s float32
		if lo >= 0 && lo+2*h <= len(x) {
			seg := x[lo : lo+2*h]
			for i, v := range seg {
				s += v * taps[i]
			}
		} else {
			for i, t := range taps {
				if q := lo + i; q >= 0 && q < len(x) {
					s += x[q] * t
				}
			}
		}
		out[j] = s
	}
	return out
}

// To resamples x to exactly n samples (padding with zeros or
// cutting), for putting a signal made at another rate back on the grid of
// the original.
func To(x []float32, from, to, n int) []float32 {
	y := Resample(x, from, to)
	if len(y) >= n {
		return y[:n]
	}
	return append(y, make([]float32, n-len(y))...)
}
