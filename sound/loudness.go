package sound

// Loudness as ITU-R BS.1770-4 measures it (and EBU R128 uses it): each
// channel K-weighted by two biquads (a high shelf of about +4 dB above
// 1.5 kHz, then the RLB high-pass at 38 Hz), mean squares over 400 ms
// blocks that overlap by 75 %, an absolute gate at −70 LUFS and a relative
// gate 10 LU below the loudness of the blocks that pass it. The filters are
// designed from their analogue prototypes for any sample rate; at 48 kHz
// they give the coefficients printed in the recommendation.
//
// True peak is the largest magnitude of the signal oversampled four times
// (BS.1770-4 Annex 2), here by a 128-tap Kaiser-windowed sinc interpolator
// (32 taps a phase: the 48 taps of the Annex read white noise 1 dB low
// against FFmpeg; 128 agree within 0.05 dB). Only the neighbourhoods of
// samples within 6 dB of the largest (or of the limiter's ceiling) are
// oversampled: between smaller ones no music rises that far (inter-sample
// peaks of full-band noise top the samples by about 5 dB).
//
// Normalize brings a sound to a target integrated loudness and keeps its
// true peak under a ceiling with a look-ahead limiter, measuring again
// after limiting, as a mastering engineer would.

import (
	"errors"
	"math"

	"miaobi/sound/pcm"
)

// Targets of Miaobi's sound (EBU R128's streaming practice).
const (
	TargetLUFS = -16.0 // integrated loudness
	CeilingTP  = -1.0  // true peak, dBTP
)

// Loudness is what Measure finds.
type Loudness struct {
	Integrated float64 // LUFS; −Inf for silence
	TruePeak   float64 // dBTP; −Inf for silence
}

type biquad struct{ b0, b1, b2, a1, a2 float64 }

// kWeighting returns the two K-weighting stages for a sample rate.
func kWeighting(rate float64) [2]biquad {
	// Stage 1: the high shelf modelling the head.
	const (
		f0 = 1681.974450955533
		g  = 3.999843853973347
		q  = 0.7071752369554196
	)
	k := math.Tan(math.Pi * f0 / rate)
	vh := math.Pow(10, g/20)
	vb := math.Pow(vh, 0.4996667741545416)
	a0 := 1 + k/q + k*k
	shelf := biquad{
		b0: (vh + vb*k/q + k*k) / a0,
		b1: 2 * (k*k - vh) / a0,
		b2: (vh - vb*k/q + k*k) / a0,
		a1: 2 * (k*k - 1) / a0,
		a2: (1 - k/q + k*k) / a0,
	}
	// Stage 2: the RLB high-pass.
	const (
		f1 = 38.13547087602444
		q1 = 0.5003270373238773
	)
	k = math.Tan(math.Pi * f1 / rate)
	a0 = 1 + k/q1 + k*k
	hp := biquad{b0: 1, b1: -2, b2: 1, a1: 2 * (k*k - 1) / a0, a2: (1 - k/q1 + k*k) / a0}
	return [2]biquad{shelf, hp}
}

// Measure computes the integrated loudness (BS.1770-4, gated) and the
// true peak of a sound. Channels are weighted 1 (mono, stereo, and the
// first three of more); channels 4 and 5 of a 5-channel sound, taken as
// surrounds, 1.41. A sound shorter than one 400 ms block has no gated
// loudness: Integrated is −Inf.
func Measure(a *pcm.Audio) (Loudness, error) {
	li, err := integrated(a)
	if err != nil {
		return Loudness{}, err
	}
	return Loudness{Integrated: li, TruePeak: truePeak(a)}, nil
}

// integrated is the gated loudness of a, in LUFS.
func integrated(a *pcm.Audio) (float64, error) {
	if err := a.Check(); err != nil {
		return 0, err
	}
	n, c := a.Frames(), a.Channels
	rate := float64(a.Rate)
	step := int(math.Round(rate * 0.1)) // 100 ms: a quarter block
	if step < 1 {
		return 0, errors.New("sound: sample rate too low to measure loudness")
	}
	quarters := n / step
	// Mean square of each channel's K-weighted signal per 100 ms quarter.
	sq := make([]float64, quarters)
	weights := make([]float64, c)
	for ch := range c {
		weights[ch] = 1
		if c == 5 && ch >= 3 {
			weights[ch] = 1.41
		}
	}
	f := kWeighting(rate)
	for ch := range c {
		var s1, s2 [2]float64 // the two stages' states (direct form II transposed)
		for i := 0; i < quarters*step; i++ {
			x := float64(a.Samples[i*c+ch])
			y := f[0].b0*x + s1[0]
			s1[0] = f[0].b1*x - f[0].a1*y + s1[1]
			s1[1] = f[0].b2*x - f[0].a2*y
			z := f[1].b0*y + s2[0]
			s2[0] = f[1].b1*y - f[1].a1*z + s2[1]
			s2[1] = f[1].b2*y - f[1].a2*z
			sq[i/step] += weights[ch] * z * z
		}
	}
	var blocks []float64 // the weighted mean square of each 400 ms block
	for j := 0; j+4 <= quarters; j++ {
		blocks = append(blocks, (sq[j]+sq[j+1]+sq[j+2]+sq[j+3])/float64(4*step))
	}
	return gated(blocks), nil
}

// gated is the gated loudness of blocks' mean squares.
func gated(blocks []float64) float64 {
	lufs := func(z float64) float64 { return -0.691 + 10*math.Log10(z) }
	absGate := math.Pow(10, (-70+0.691)/10)
	var sum float64
	var kept int
	for _, z := range blocks {
		if z > absGate {
			sum += z
			kept++
		}
	}
	if kept == 0 {
		return math.Inf(-1)
	}
	relGate := sum / float64(kept) * math.Pow(10, -10.0/10)
	sum, kept = 0, 0
	for _, z := range blocks {
		if z > absGate && z > relGate {
			sum += z
			kept++
		}
	}
	return lufs(sum / float64(kept))
}

// The true-peak interpolator: four phases of a windowed sinc, 12 taps each.
const (
	tpFactor = 4
	tpTaps   = 32
)

var tpPhases = func() [tpFactor][tpTaps]float64 {
	var ph [tpFactor][tpTaps]float64
	const beta = 8.6
	i0 := func(x float64) float64 { // modified Bessel function of the first kind, order 0
		s, t := 1.0, 1.0
		for k := 1; k < 30; k++ {
			t *= x * x / (4 * float64(k*k))
			s += t
		}
		return s
	}
	half := float64(tpTaps) / 2
	for p := range tpFactor {
		frac := float64(p) / tpFactor
		for k := range tpTaps {
			x := float64(k) - (half - 1) - frac // distance from the output position, in input samples
			sinc := 1.0
			if x != 0 {
				sinc = math.Sin(math.Pi*x) / (math.Pi * x)
			}
			r := x / half
			w := 0.0
			if r > -1 && r < 1 {
				w = i0(beta*math.Sqrt(1-r*r)) / i0(beta)
			}
			ph[p][k] = sinc * w
		}
	}
	return ph
}()

// truePeak is the largest magnitude of any channel oversampled four
// times, in dBTP.
func truePeak(a *pcm.Audio) float64 {
	var sp float32
	for _, v := range a.Samples {
		sp = max(sp, v, -v)
	}
	peak := float32(0)
	for _, v := range framePeaks(a, sp/2) {
		peak = max(peak, v)
	}
	if peak == 0 {
		return math.Inf(-1)
	}
	return 20 * math.Log10(float64(peak))
}

// framePeaks is, for each frame, the largest magnitude of any channel at
// the frame or at the three oversampled points after it; where no sample
// from one before to two after reaches thr, only the frame's own.
func framePeaks(a *pcm.Audio, thr float32) []float32 {
	n, c := a.Frames(), a.Channels
	out := make([]float32, n)
	const lead = tpTaps/2 - 1
	x := make([]float64, n+tpTaps) // one channel, zero-padded on both sides
	for ch := range c {
		for i := range n {
			x[lead+i] = float64(a.Samples[i*c+ch])
		}
		t := float64(thr)
		for i := range n {
			v := math.Abs(x[lead+i])
			if max(math.Abs(x[lead+i-1]), v, math.Abs(x[lead+i+1]), math.Abs(x[lead+i+2])) < t {
				out[i] = max(out[i], float32(v))
				continue
			}
			w := (*[tpTaps]float64)(x[i : i+tpTaps])
			h1, h2, h3 := &tpPhases[1], &tpPhases[2], &tpPhases[3]
			var y1, y2, y3 float64 // three independent chains: one load of w feeds all
			for k, wk := range w {
				y1 += h1[k] * wk
				y2 += h2[k] * wk
				y3 += h3[k] * wk
			}
			v = max(v, math.Abs(y1), math.Abs(y2), math.Abs(y3))
			out[i] = max(out[i], float32(v))
		}
	}
	return out
}

// Normalize returns a copy of a at the target integrated loudness (LUFS)
// with its true peak at or below ceiling (dBTP): a gain, then a
// look-ahead limiter where the gain would push peaks over the ceiling,
// measured again and adjusted until both hold (loudness within 0.1 LU
// when the limiter allows). Silence and sounds shorter than 400 ms
// come back unchanged but for the ceiling.
func Normalize(a *pcm.Audio, target, ceiling float64) (*pcm.Audio, Loudness, error) {
	li, err := integrated(a)
	if err != nil {
		return nil, Loudness{}, err
	}
	out := a.Clone()
	if !math.IsInf(li, -1) {
		gain := target - li
		// 0.2 dB under the ceiling: the gain curve moves peaks a little, and
		// limit below then mostly finds nothing to do.
		ceil := float32(math.Pow(10, (ceiling-0.2)/20))
		// The oversampled peaks of a scale with it: measure them once, for
		// gains up to 6 dB above the first guess.
		peaks := framePeaks(a, ceil/2/float32(math.Pow(10, (gain+6)/20)))
		span := max(1, a.Rate/200) // 5 ms
		for range 8 {
			g := float32(math.Pow(10, gain/20))
			curve, _ := limiterGain(peaks, g, ceil, span)
			out = a.Clone()
			c := a.Channels
			for i, v := range curve {
				for ch := range c {
					out.Samples[i*c+ch] *= g * v
				}
			}
			if li, err = integrated(out); err != nil {
				return nil, Loudness{}, err
			}
			miss := target - li
			if math.Abs(miss) <= 0.1 {
				break
			}
			gain += miss
		}
	}
	// What the gain curve left over the ceiling, if anything.
	tp, changed := limit(out, ceiling)
	if changed || math.IsInf(li, -1) {
		if li, err = integrated(out); err != nil {
			return nil, Loudness{}, err
		}
	}
	return out, Loudness{Integrated: li, TruePeak: tp}, nil
}

func scale(a *pcm.Audio, g float64) {
	k := float32(g)
	for i := range a.Samples {
		a.Samples[i] *= k
	}
}

// limit keeps a's true peak at or below ceiling dBTP: each frame's
// needed gain is the least over 5 ms either side of it, smoothed by a
// moving average over the same span (which can only lower it), applied to
// every channel; repeated while the oversampled peak still exceeds the
// ceiling. It returns the true peak after (dBTP) and whether it changed
// anything.
func limit(a *pcm.Audio, ceiling float64) (float64, bool) {
	c := a.Channels
	span := max(1, a.Rate/200) // 5 ms
	changed := false
	var sp float32
	for _, v := range a.Samples {
		sp = max(sp, v, -v)
	}
	for pass := range 5 {
		ceil := float32(math.Pow(10, (ceiling-0.05*float64(pass))/20))
		// Below half the ceiling nothing is limited, but the true peak is
		// still wanted: oversample down to half the sample peak too.
		peaks := framePeaks(a, min(ceil, sp)/2)
		var top float32
		for _, p := range peaks {
			top = max(top, p)
		}
		g, over := limiterGain(peaks, 1, ceil, span)
		if !over || pass == 4 {
			if top == 0 {
				return math.Inf(-1), changed
			}
			return 20 * math.Log10(float64(top)), changed
		}
		changed = true
		for i, v := range g {
			if v < 1 {
				for ch := range c {
					a.Samples[i*c+ch] *= v
				}
			}
		}
	}
	return 0, changed // not reached
}

// limiterGain is the look-ahead limiter's gain for each frame when the
// sound is scaled by g: where a frame's peak times g would pass ceil, the
// gain that brings it to ceil, held as the least over span frames either
// side and smoothed by a moving average over the same span (which can
// only lower it); and whether any frame was over.
func limiterGain(peaks []float32, g, ceil float32, span int) ([]float32, bool) {
	need := make([]float32, len(peaks))
	over := false
	for i, p := range peaks {
		need[i] = 1
		if p*g > ceil {
			need[i] = ceil / (p * g)
			over = true
		}
	}
	return movingAverage(minFilter(need, span), span), over
}

// minFilter is the least of x over [i−r, i+r] at each i (the van
// Herk/Gil-Werman running minimum would be faster; runs of gain below 1
// are short, so the plain one only looks where x < 1).
func minFilter(x []float32, r int) []float32 {
	out := make([]float32, len(x))
	for i := range out {
		out[i] = 1
	}
	for i, v := range x {
		if v >= 1 {
			continue
		}
		for j := max(0, i-r); j <= min(len(x)-1, i+r); j++ {
			out[j] = min(out[j], v)
		}
	}
	return out
}

// movingAverage is the mean of x over [i−r, i+r], edges padded with 1
// (unity gain).
func movingAverage(x []float32, r int) []float32 {
	out := make([]float32, len(x))
	var sum float64
	w := float64(2*r + 1)
	at := func(i int) float64 {
		if i < 0 || i >= len(x) {
			return 1
		}
		return float64(x[i])
	}
	for j := -r; j <= r; j++ {
		sum += at(j)
	}
	for i := range out {
		out[i] = float32(sum / w)
		sum += at(i+r+1) - at(i-r)
	}
	return out
}
