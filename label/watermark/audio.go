package watermark

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"sync"

	"miaobi/label/internal/resample"
)

// The audio watermark: the same 64 payload bits, 32-bit keyed check and
// rate-1/3 convolutional code as the picture watermark (306 code bits),
// carried by a direct-sequence spread-spectrum signal in 500–5000 Hz whose
// spectrum follows the sound's own. It follows published spread-spectrum
// and informed-embedding schemes (Cox et al. 1997; Malvar and Florêncio
// 2003; Kirovski and Malvar 2003); no code was taken from them.
//
//   - Canonical signal. Embedder and detector work on the mono mix
//     resampled to 16 kHz, so the sample rate of the file does not matter.
//   - Pattern. A keyed noise sequence, flat in 500–5000 Hz, repeats every
//     4.096 s (65536 samples). The period is cut into 1024 segments of
//     4 ms: 256 keyed segments carry the sequence as it is (the
//     synchronisation pattern); the other 768 carry it times ±1, two or
//     three scattered segments per code bit.
//   - Shaping. The pattern is filtered, frame by frame (32 ms frames, half
//     overlapping), to the short-time spectrum of each channel, smoothed
//     over ±125 Hz, at audioAlpha (−24.4 dB) below it: loud where the sound
//     is loud, silent where it is silent, and shaped like it in frequency.
//     On the test sounds the change is 26–32 dB below the sound (SNR).
//   - Whitening. The sound itself is the largest noise the detector meets,
//     and it is far from flat: harmonics stand out of the envelope, while
//     the pattern fills the valleys between them at the same level as the
//     peaks. The detector weighs every bin of each short-time spectrum by
//     the envelope over the bin's own power averaged over ±2 frames (at
//     most 1/audioKappa² = 100 times the envelope's): a matched filter for a
//     pattern at a fixed share of the envelope, in which peaks count
//     little and valleys much. On the synthetic music of the tests this
//     raised the share of code bits one period reads right from 0.78
//     (plain division by the envelope) to 0.96; averaging the power over
//     frames keeps noise-like sounds, whose valleys are chance, from being
//     weighed wrongly.
//   - Informed embedding. The embedder runs the detector's front end on
//     the sound and on a trial marking, and then gives each code bit of
//     each period the gain that makes it read with a common margin despite
//     the sound (less where the sound already leans the right way, more
//     where it leans the wrong way; 0.25 to 2 times), within the energy of
//     uniform gains.
//   - Detection. The whitened signal is folded modulo the period; the
//     pattern's offset is where the fold correlates best with the
//     synchronisation segments (FFT cross-correlation, refined to a
//     fraction of a sample, either polarity). The code bits are read at the
//     best audioCandidates offsets as soft correlations for the Viterbi
//     decoder. The whole sound is read first, then, if nothing was found
//     and it is over 20 s, up to audioMaxWindows windows of 10 s.
//   - False positives. A read counts only when its 32-bit keyed check holds
//     and the soft values correlate with the decoded code word at
//     audioMinCorr or more. Decoding noise gives a payload whose check holds
//     with probability 2⁻³²; at most audioMaxAttempts (64) decodes are tried
//     per sound, so an unmarked sound is reported marked with probability
//     at most 64·2⁻³² ≈ 1.5·10⁻⁸, before the correlation threshold (which
//     no unmarked test sound reached) lowers it further.
//
// Limits: content with little energy in 500–5000 Hz carries little of the
// pattern (a chord of pure tones below 500 Hz: SNR 40 dB, read whole but
// weakly); noise-like sounds read less well than music or speech (pink
// noise needs about 30 s); time stretching and pitch shifting are not
// searched; resampling to 8 kHz keeps only the pattern below 4 kHz (which
// still read in the tests).

// Parameters of the audio watermark.
const (
	audioRate     = 16000      // canonical sample rate
	audioN        = 512        // STFT frame (32 ms)
	audioHop      = audioN / 2 // STFT hop
	audioLoBin    = 16         // lowest bin used: 500 Hz
	audioHiBin    = 160        // highest: 5000 Hz
	audioSmooth   = 4          // envelope smoothing, bins each side
	audioPeriod   = 1 << 16    // samples per period of the pattern (4.096 s)
	audioSeg      = 64         // samples per segment (4 ms)
	audioSegs     = audioPeriod / audioSeg
	audioSyncSegs = 256
	// audioAlpha is the pattern's strength relative to the smoothed spectrum.
	audioAlpha = 0.06
	// audioTime is the frames each side over which the whitening averages a
	// bin's power.
	audioTime = 2
	// audioKappa bounds the whitening's weights: a bin's weight is the
	// inverse of its own power, but at most 1/audioKappa² times the
	// envelope's.
	audioKappa = 0.1
	// Gains of informed embedding, relative to uniform.
	audioGainMin = 0.25
	audioGainMax = 2.0
	// Detection.
	audioCandidates  = 4              // offsets decoded per read (each polarity counted)
	audioWindow      = 10 * audioRate // window length when reading piecewise
	audioMaxWindows  = 15             // windows read at most
	audioMaxAttempts = (1 + audioMaxWindows) * audioCandidates
	// audioMinCorr is the code-word correlation a read needs besides its
	// keyed check: above the 0.59 noise reached in about 700 decodes of
	// unmarked sounds, below the 0.72 of the weakest read after the
	// attacks the tests require (0.63 after noise at 10 dB SNR).
	audioMinCorr = 0.62
	// audioMinRate is the lowest sample rate EmbedAudio marks.
	audioMinRate = 11025
)

// The pattern's band in bins of a period's spectrum: 500–5000 Hz.
const (
	audioBandLo = audioPeriod * 500 / audioRate
	audioBandHi = audioPeriod * 5000 / audioRate
)

// audioKey keys the audio pattern; the keyed check is the pictures'.
const audioKey = "miaobi/label/audio-watermark/v1"

type audioLayout struct {
	pn    []float32        // the keyed sequence, one period, unit RMS
	role  [audioSegs]int16 // -1: sync; otherwise the code bit carried
	syncF []complex128     // conjugate FFT of the sync segments of pn
	win   [audioN]float64  // square-root Hann window
	rho   float64          // expected |STFT| of a unit-RMS pattern in band
}

var (
	audioLayoutOnce sync.Once
	audioLayoutVal  *audioLayout
)

func audioLayoutOf() *audioLayout {
	audioLayoutOnce.Do(func() { audioLayoutVal = newAWLayout() })
	return audioLayoutVal
}

func newAWLayout() *audioLayout {
	l := &audioLayout{pn: make([]float32, audioPeriod)}
	sum := sha256.Sum256([]byte(audioKey + "/layout"))
	rng := keyedRand(binary.BigEndian.Uint64(sum[:8]))
	// A flat band-limited sequence: unit magnitudes, keyed phases.
	spec := make([]complex128, audioPeriod)
	lo, hi := audioBandLo, audioBandHi
	for k := lo; k <= hi; k++ {
		ph := 2 * math.Pi * float64(rng.next()>>11) / (1 << 53)
		s, c := math.Sincos(ph)
		spec[k] = complex(c, s)
		spec[audioPeriod-k] = complex(c, -s)
	}
	fft(spec, true)
	var e float64
	for _, v := range spec {
		e += real(v) * real(v)
	}
	g := math.Sqrt(audioPeriod / e)
	for i, v := range spec {
		l.pn[i] = float32(real(v) * g)
	}
	perm := make([]int, audioSegs)
	for i := range perm {
		perm[i] = i
	}
	for i := audioSegs - 1; i > 0; i-- {
		j := int(rng.next() % uint64(i+1))
		perm[i], perm[j] = perm[j], perm[i]
	}
	for k, seg := range perm {
		if k < audioSyncSegs {
			l.role[seg] = -1
		} else {
			l.role[seg] = int16((k - audioSyncSegs) % codedBits)
		}
	}
	sync := make([]complex128, audioPeriod)
	for seg, r := range l.role {
		if r < 0 {
			for t := seg * audioSeg; t < (seg+1)*audioSeg; t++ {
				sync[t] = complex(float64(l.pn[t]), 0)
			}
		}
	}
	fft(sync, false)
	for i, v := range sync {
		sync[i] = complex(real(v), -imag(v))
	}
	l.syncF = sync
	for i := range l.win {
		l.win[i] = math.Sqrt(0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/audioN))
	}
	// A unit-variance signal flat over the band has E|X_k|² = Σw²/β in
	// band, β the band's share of the bins (Σw² = N/2 for this window).
	beta := float64(hi-lo+1) / float64(audioPeriod/2)
	l.rho = math.Sqrt(audioN / 2 / beta)
	return l
}

// audioSigns gives each segment's sign for payload p: +1 for sync segments,
// ±1 by the code bit for the others.
func audioSigns(p Payload) *[audioSegs]float32 {
	l := audioLayoutOf()
	coded := encode(p)
	s := new([audioSegs]float32)
	for seg, r := range l.role {
		s[seg] = 1
		if r >= 0 && coded[r] == 1 {
			s[seg] = -1
		}
	}
	return s
}

// audioEnvelope fills p[k] with |spec(k)|² and e2 with the smoothed power
// over the band (see audioSmoothPower).
func audioEnvelope(spec func(k int) complex128, p, e2 []float64) {
	for k := audioLoBin - audioSmooth; k <= audioHiBin+audioSmooth; k++ {
		v := spec(k)
		p[k] = real(v)*real(v) + imag(v)*imag(v)
	}
	audioSmoothPower(p, e2)
}

// audioSmoothPower fills e2[k], over the band, with the mean of p over bins
// k±audioSmooth.
func audioSmoothPower(p, e2 []float64) {
	var run float64
	for k := audioLoBin - audioSmooth; k < audioLoBin+audioSmooth; k++ {
		run += p[k]
	}
	for k := audioLoBin; k <= audioHiBin; k++ {
		run += p[k+audioSmooth]
		e2[k] = run / (2*audioSmooth + 1)
		run -= p[k-audioSmooth]
	}
}

// audioTiny is the power below which a bin counts as silent.
const audioTiny = 1e-14

// audioWhiten is the detector's front end: each bin of each short-time
// spectrum of y in the band is weighed by the smoothed envelope over the
// bin's power averaged over ±audioTime frames (a power under audioKappa² times
// the envelope counts as that); the rest of the spectrum is dropped.
func audioWhiten(y []float32) []float32 {
	l := audioLayoutOf()
	const lo, hi = audioLoBin - audioSmooth, audioHiBin + audioSmooth
	const width = hi - lo + 1
	// Spectra are kept for the frames the power average needs, in a ring.
	const ring = 2*audioTime + 4
	nf := (len(y)+audioHop-1)/audioHop + 1 // frames start at −hop, 0, hop, …
	frameAt := func(f int) int { return (f - 1) * audioHop }
	spec := make([]complex64, ring*width)
	slot := func(f int) []complex64 { return spec[f%ring*width : (f%ring+1)*width] }
	buf := make([]complex128, audioN)
	filled := 0
	// fill computes the spectra up to frame upto, two real frames per
	// transform: X = (B_k + B*_{N−k})/2, Y = (B_k − B*_{N−k})/2i.
	fill := func(upto int) {
		for ; filled <= upto && filled < nf; filled += 2 {
			f := filled
			for i := range buf {
				var a, b float64
				if t := frameAt(f) + i; t >= 0 && t < len(y) {
					a = float64(y[t]) * l.win[i]
				}
				if t := frameAt(f+1) + i; f+1 < nf && t >= 0 && t < len(y) {
					b = float64(y[t]) * l.win[i]
				}
				buf[i] = complex(a, b)
			}
			fft(buf, false)
			sa, sb := slot(f), slot(f+1)
			for k := lo; k <= hi; k++ {
				m := buf[audioN-k]
				mc := complex(real(m), -imag(m))
				sa[k-lo] = complex64((buf[k] + mc) / 2)
				sb[k-lo] = complex64((buf[k] - mc) * complex(0, -0.5))
			}
		}
	}
	out := make([]float32, len(y))
	p := make([]float64, audioN/2+1)
	e2 := make([]float64, audioN/2+1)
	z := make([]complex128, audioN)
	weigh := func(f int, imagPart bool) {
		for k := lo; k <= hi; k++ {
			var s float64
			n := 0
			for g := max(0, f-audioTime); g <= min(nf-1, f+audioTime); g++ {
				v := slot(g)[k-lo]
				s += float64(real(v))*float64(real(v)) + float64(imag(v))*float64(imag(v))
				n++
			}
			p[k] = s / float64(n)
		}
		audioSmoothPower(p, e2)
		cur := slot(f)
		for k := audioLoBin; k <= audioHiBin; k++ {
			if e2[k] < audioTiny {
				continue
			}
			v := complex128(cur[k-lo]) * complex(math.Sqrt(e2[k])/math.Max(p[k], audioKappa*audioKappa*e2[k]), 0)
			c := complex(real(v), -imag(v))
			if imagPart { // z holds Za + i·Zb, whose inverse is za + i·zb
				v, c = v*1i, c*1i
			}
			z[k] += v
			z[audioN-k] += c
		}
	}
	for f := 0; f < nf; f += 2 {
		fill(f + 1 + audioTime)
		clear(z)
		weigh(f, false)
		if f+1 < nf {
			weigh(f+1, true)
		}
		fft(z, true)
		for i := range z {
			w := l.win[i] / audioN
			if t := frameAt(f) + i; t >= 0 && t < len(y) {
				out[t] += float32(real(z[i]) * w)
			}
			if t := frameAt(f+1) + i; f+1 < nf && t >= 0 && t < len(y) {
				out[t] += float32(imag(z[i]) * w)
			}
		}
	}
	return out
}

// audioShape filters the pattern c to the short-time spectrum of the channel
// x (same length) at strength alpha.
func audioShape(c, x []float32, alpha float64) []float32 {
	l := audioLayoutOf()
	out := make([]float32, len(x))
	buf := make([]complex128, audioN)
	w := make([]complex128, audioN)
	p := make([]float64, audioN/2+1)
	e2 := make([]float64, audioN/2+1)
	k0 := alpha / l.rho
	for start := -audioHop; start < len(x); start += audioHop {
		for i := range buf {
			var a, b float64
			if t := start + i; t >= 0 && t < len(x) {
				a, b = float64(x[t])*l.win[i], float64(c[t])*l.win[i]
			}
			buf[i] = complex(a, b)
		}
		fft(buf, false)
		// Two real transforms in one: X = (B_k + B*_{N−k})/2, C = (B_k − B*_{N−k})/2i.
		xk := func(k int) complex128 {
			m := buf[(audioN-k)%audioN]
			return (buf[k] + complex(real(m), -imag(m))) / 2
		}
		audioEnvelope(xk, p, e2)
		clear(w)
		for k := audioLoBin; k <= audioHiBin; k++ {
			if e2[k] < audioTiny {
				continue
			}
			m := buf[audioN-k]
			ck := (buf[k] - complex(real(m), -imag(m))) * complex(0, -0.5)
			v := ck * complex(k0*math.Sqrt(e2[k]), 0)
			w[k], w[audioN-k] = v, complex(real(v), -imag(v))
		}
		fft(w, true)
		for i := range w {
			if t := start + i; t >= 0 && t < len(x) {
				out[t] += float32(real(w[i]) * l.win[i] / audioN)
			}
		}
	}
	return out
}

// audioReads correlates a whitened signal, aligned with the pattern at
// sample 0, with the pattern in every 4 ms segment.
func audioReads(z []float32) []float64 {
	l := audioLayoutOf()
	r := make([]float64, (len(z)+audioSeg-1)/audioSeg)
	for j := range r {
		var s float64
		base := j * audioSeg % audioPeriod
		for i, v := range z[j*audioSeg : min(len(z), (j+1)*audioSeg)] {
			s += float64(v) * float64(l.pn[base+i])
		}
		r[j] = s
	}
	return r
}

// audioChips is the pattern for payload signs with per-segment gains (nil:
// all 1), n samples long.
func audioChips(n int, sign *[audioSegs]float32, gain []float64) []float32 {
	l := audioLayoutOf()
	c := make([]float32, n)
	for t := range c {
		j := t / audioSeg
		g := sign[j%audioSegs]
		if gain != nil {
			g *= float32(gain[j])
		}
		c[t] = l.pn[t%audioPeriod] * g
	}
	return c
}

// EmbedAudio embeds p inaudibly into a in place: a pattern about 24 dB
// below the sound in 500–5000 Hz, shaped to its spectrum, added to every
// channel (clipped at full scale). a must have a sample rate of at least
// 11025 Hz; the same a and p always give the same samples. Three seconds
// or more are needed to read it back; ten are comfortable.
func EmbedAudio(a *Audio, p Payload) error {
	if err := a.Check(); err != nil {
		return fmt.Errorf("label: watermark: %w", err)
	}
	if a.Rate < audioMinRate {
		return fmt.Errorf("label: watermark: sample rate %d Hz: at least %d Hz is needed", a.Rate, audioMinRate)
	}
	frames := a.Frames()
	if frames == 0 {
		return fmt.Errorf("label: watermark: no samples")
	}
	chans := make([][]float32, a.Channels)
	for c := range chans {
		chans[c] = resample.Resample(a.Channel(c), a.Rate, audioRate)
	}
	n := len(chans[0])
	mix := make([]float32, n)
	for _, x := range chans {
		for i, v := range x {
			mix[i] += v / float32(len(chans))
		}
	}
	sign := audioSigns(p)
	host := audioReads(audioWhiten(mix))
	unit := audioChips(n, sign, nil)
	trial := append([]float32(nil), mix...)
	for _, x := range chans {
		for i, v := range audioShape(unit, x, audioAlpha) {
			trial[i] += v / float32(len(chans))
		}
	}
	marked := audioReads(audioWhiten(trial))
	gain := audioGains(host, marked, sign)
	chips := audioChips(n, sign, gain)
	for c, x := range chans {
		w := resample.To(audioShape(chips, x, audioAlpha), audioRate, a.Rate, frames)
		for i, v := range w {
			k := i*a.Channels + c
			old := a.Samples[k]
			y := old + v
			// Clip at full scale, but leave float samples that were
			// already beyond it alone.
			if y > 1 && old <= 1 {
				y = 1
			} else if y < -1 && old >= -1 {
				y = -1
			}
			a.Samples[k] = y
		}
	}
	return nil
}

// audioGains gives every segment its gain (informed embedding): per period,
// each code bit's segments share the gain that makes the bit read with a
// common margin given what the sound alone reads, within the energy of
// uniform gains; sync segments keep gain 1.
func audioGains(host, marked []float64, sign *[audioSegs]float32) []float64 {
	l := audioLayoutOf()
	gain := make([]float64, len(host))
	for start := 0; start < len(host); start += audioSegs {
		end := min(len(host), start+audioSegs)
		var lean, resp [codedBits]float64
		var count [codedBits]int
		nSync := 0
		for j := start; j < end; j++ {
			r := l.role[j-start]
			if r < 0 {
				gain[j] = 1
				nSync++
				continue
			}
			s := float64(sign[j-start])
			lean[r] += s * host[j]
			resp[r] += s * (marked[j] - host[j])
			count[r]++
		}
		var sorted []float64
		for r, c := range count {
			if c > 0 {
				sorted = append(sorted, resp[r])
			}
		}
		if len(sorted) == 0 {
			continue
		}
		sort.Float64s(sorted)
		med := sorted[len(sorted)/2]
		budget := float64(end - start - nSync) // energy of uniform gains
		gains := func(target float64) ([codedBits]float64, float64) {
			var g [codedBits]float64
			var e float64
			for r, c := range count {
				if c == 0 {
					continue
				}
				k := audioGainMin
				if resp[r] > 0.1*med {
					if need := (target - lean[r]) / resp[r]; need <= audioGainMax {
						k = max(audioGainMin, need)
					}
				}
				g[r] = k
				e += k * k * float64(c)
			}
			return g, e
		}
		best, _ := gains(0)
		if med > 0 {
			for m := 0.05; m <= 10; m += 0.05 {
				g, e := gains(m * med)
				if e > budget {
					break
				}
				best = g
			}
		}
		var e float64
		for r, c := range count {
			e += best[r] * best[r] * float64(c)
		}
		scale := 1.0
		if e > 0 {
			scale = math.Sqrt(budget / e)
		}
		for j := start; j < end; j++ {
			if r := l.role[j-start]; r >= 0 {
				gain[j] = best[r] * scale
			}
		}
	}
	return gain
}

// DetectAudio looks for a watermark made by EmbedAudio in a,
// which may have been cut, re-encoded (MP3), resampled, made noisy or
// louder or quieter since. It never fails: a sound too short or at too
// low a rate gives a Detection with Found false.
func DetectAudio(a *Audio) Detection {
	return detectAudio(a).best
}

// audioDetector holds a detection's state.
type audioDetector struct {
	best     Detection
	corr     float64
	soft     [codedBits]float64 // soft values of the best read
	attempts int
}

func detectAudio(a *Audio) *audioDetector {
	d := &audioDetector{corr: -1}
	if a == nil || a.Check() != nil || a.Rate < 2*audioHiBin*audioRate/audioN || a.Frames() == 0 {
		return d
	}
	x := resample.Resample(a.Mono(), a.Rate, audioRate)
	if len(x) < audioRate { // under a second
		return d
	}
	z := audioWhiten(x)
	if d.read(z) || len(z) <= 2*audioWindow {
		return d
	}
	// Piecewise, for sounds that were edited: 10 s windows, overlapping by
	// half, at most audioMaxWindows of them spread over the sound.
	n := (len(z)-audioWindow)/(audioWindow/2) + 1
	n = min(n, audioMaxWindows)
	for i := 0; i < n; i++ {
		start := int(int64(i) * int64(len(z)-audioWindow) / int64(max(1, n-1)))
		if d.read(z[start : start+audioWindow]) {
			break
		}
	}
	return d
}

// read folds a whitened stretch modulo the period, finds the pattern's
// offset and decodes at the best candidates.
func (d *audioDetector) read(z []float32) bool {
	l := audioLayoutOf()
	f := make([]complex128, audioPeriod)
	for t, v := range z {
		f[t%audioPeriod] += complex(float64(v), 0)
	}
	fft(f, false)
	r := make([]complex128, audioPeriod)
	for k := range r {
		r[k] = f[k] * l.syncF[k]
	}
	fft(r, true)
	// The strongest peaks of |r|, at least a segment apart: the best
	// 4·audioCandidates local maxima, then the best of those apart.
	type peak struct {
		at int
		v  float64
	}
	top := make([]peak, 0, 4*audioCandidates+1)
	for i := range r {
		v := math.Abs(real(r[i]))
		if v < math.Abs(real(r[(i+audioPeriod-1)%audioPeriod])) || v < math.Abs(real(r[(i+1)%audioPeriod])) {
			continue
		}
		if len(top) == cap(top)-1 && v <= top[len(top)-1].v {
			continue
		}
		j := len(top)
		top = append(top, peak{i, v})
		for ; j > 0 && top[j-1].v < v; j-- {
			top[j] = top[j-1]
		}
		top[j] = peak{i, v}
		if len(top) == cap(top) {
			top = top[:len(top)-1]
		}
	}
	var chosen []int
	for _, p := range top {
		if len(chosen) == audioCandidates {
			break
		}
		near := false
		for _, c := range chosen {
			if dd := (p.at - c + audioPeriod) % audioPeriod; dd < audioSeg || dd > audioPeriod-audioSeg {
				near = true
			}
		}
		if !near {
			chosen = append(chosen, p.at)
		}
	}
	g := make([]complex128, audioPeriod)
	for _, at := range chosen {
		y0, y1, y2 := real(r[(at+audioPeriod-1)%audioPeriod]), real(r[at]), real(r[(at+1)%audioPeriod])
		shift := float64(at) + parabola(y0, y1, y2)
		polarity := 1.0
		if y1 < 0 {
			polarity = -1
		}
		// g(t) = f(t + shift): a phase ramp on the spectrum, of which only
		// the pattern's band matters.
		clear(g)
		for k := audioBandLo; k <= audioBandHi; k++ {
			s, c := math.Sincos(2 * math.Pi * float64(k) * shift / audioPeriod)
			v := f[k] * complex(c*polarity, s*polarity)
			g[k], g[audioPeriod-k] = v, complex(real(v), -imag(v))
		}
		fft(g, true)
		var soft [codedBits]float64
		for seg, role := range l.role {
			if role < 0 {
				continue
			}
			var s float64
			for t := seg * audioSeg; t < (seg+1)*audioSeg; t++ {
				s += real(g[t]) * float64(l.pn[t])
			}
			soft[role] += s
		}
		if d.decode(&soft) {
			return true
		}
	}
	return false
}

func (d *audioDetector) decode(soft *[codedBits]float64) bool {
	d.attempts++
	p, ok, corr, flips := viterbi(soft)
	conf := confidence(corr)
	if ok && corr >= audioMinCorr {
		d.best = Detection{Found: true, Payload: p, Confidence: conf, BitErrors: flips}
		d.corr, d.soft = corr, *soft
		return true
	}
	if corr > d.corr {
		d.best.Confidence = conf
		d.corr, d.soft = corr, *soft
	}
	return false
}
