package sound

// The instruments, synthesised in Go, each note into a mono buffer at
// Rate:
//
//   - Plucked strings by the extended Karplus–Strong algorithm (Jaffe and
//     Smith, "Extensions of the Karplus-Strong Plucked-String Algorithm",
//     1983): a delay line one period long, excited by a burst of filtered
//     noise with a pick-position comb, fed back through a two-point
//     average and a loss that sets the decay time; the delay is read with
//     linear interpolation so the pitch can bend (a guzheng's pressed
//     note, a guqin's 吟猱 vibrato). Resonant band-pass filters add the
//     body. Guzheng: bright, medium decay; guqin: dark, long, low body.
//   - Bamboo flute (dizi) by additive synthesis: six harmonics, breath
//     noise, a scoop into the note and a delayed vibrato.
//   - Bell (磬, temple bell): inharmonic partials (the hum note, the
//     prime, a minor third, a fifth, …), each with its own decay, and a
//     strike.
//   - Drone: two detuned harmonic tones that swell and fade.

import (
	"math"
	"math/rand/v2"
)

// Instrument names the voices a Score can use.
type Instrument uint8

const (
	Guzheng Instrument = iota
	Guqin
	Flute
	Bell
	Drone
)

var instrumentNames = [...]string{"guzheng", "guqin", "flute", "bell", "drone"}

func (i Instrument) String() string {
	if int(i) < len(instrumentNames) {
		return instrumentNames[i]
	}
	return "instrument?"
}

// pluckVoice is the shape of a plucked string.
type pluckVoice struct {
	bright float64    // excitation low-pass coefficient: 1 is raw noise
	decay  float64    // T60 of the fundamental, seconds, at 220 Hz
	pick   float64    // pick position as a fraction of the string
	body   [3]float64 // resonance frequencies, Hz
	bodyQ  float64
	bodyMx float64 // body mix
}

var (
	guzhengVoice = pluckVoice{bright: 0.75, decay: 4.0, pick: 0.12, body: [3]float64{180, 420, 1100}, bodyQ: 8, bodyMx: 0.25}
	guqinVoice   = pluckVoice{bright: 0.35, decay: 4.5, pick: 0.18, body: [3]float64{95, 210, 480}, bodyQ: 6, bodyMx: 0.35}
)

// pluck renders a plucked note of f0 Hz held for dur seconds (it rings on
// for up to ring seconds more), velocity 0–1, with bend(t) semitones of
// pitch change at t seconds.
func (v pluckVoice) pluck(f0, dur, ring, vel float64, bend func(float64) float64, rng *rand.Rand) []float32 {
	n := int((dur + ring) * Rate)
	out := make([]float32, n)
	if f0 <= 0 || n <= 0 {
		return out
	}
	minF := f0 * math.Pow(2, -3.0/12) // bends go at most 3 semitones down
	size := int(Rate/minF) + 4
	line := make([]float64, size)
	period := Rate / f0
	// The excitation: one period of noise, low-passed by brightness and
	// velocity, with the pick-position comb.
	exc := make([]float64, int(period)+1)
	a := v.bright * (0.5 + 0.5*vel)
	var lp float64
	for i := range exc {
		lp += a * ((rng.Float64()*2 - 1) - lp)
		exc[i] = lp
	}
	pk := int(v.pick * period)
	for i := len(exc) - 1; i >= pk && pk > 0; i-- {
		exc[i] -= exc[i-pk]
	}
	var mean float64
	for _, e := range exc {
		mean += e
	}
	mean /= float64(len(exc))
	// Loss per trip round the loop for the decay time, longer for low
	// notes as on a real string.
	t60 := v.decay * math.Pow(220/f0, 0.5)
	g := math.Pow(10, -3/(f0*t60))
	w := 0
	var prev float64
	damp := 1.0
	dampK := math.Pow(10, -3/(max(ring, 0.05)*Rate))
	release := int(dur * Rate)
	d := period - 0.5 // the two-point average delays half a sample
	for i := range n {
		if bend != nil && i%32 == 0 { // the bend at control rate
			d = Rate/(f0*math.Exp2(bend(float64(i)/Rate)/12)) - 0.5
		}
		r := float64(w) - d
		for r < 0 {
			r += float64(size)
		}
		i0 := int(r)
		fr := r - float64(i0)
		i1 := i0 + 1
		if i1 >= size {
			i1 -= size
		}
		x := line[i0]*(1-fr) + line[i1]*fr
		y := 0.5 * (x + prev) * g
		prev = x
		if i < len(exc) {
			y += (exc[i] - mean) * vel
		}
		if i > release { // after the note: damp the string over ring seconds
			damp *= dampK
		}
		line[w] = y
		if w++; w == size {
			w = 0
		}
		out[i] = float32(y * damp)
	}
	// The body: resonant band-passes of the string's output.
	if v.bodyMx > 0 {
		body := make([]float64, n)
		for _, f := range v.body {
			bp := filt{biquad: bandpass(f, v.bodyQ)}
			for i, x := range out {
				body[i] += bp.run(float64(x))
			}
		}
		for i := range out {
			out[i] = float32((1-v.bodyMx)*float64(out[i]) + v.bodyMx*body[i])
		}
	}
	fadeOut(out, 0.02)
	return out
}

// bandpass is an RBJ band-pass biquad (constant 0 dB peak gain).
func bandpass(f, q float64) biquad {
	w := 2 * math.Pi * f / Rate
	alpha := math.Sin(w) / (2 * q)
	a0 := 1 + alpha
	return biquad{b0: alpha / a0, b1: 0, b2: -alpha / a0, a1: -2 * math.Cos(w) / a0, a2: (1 - alpha) / a0}
}

// fadeOut ramps the last seconds of a buffer to zero.
func fadeOut(b []float32, seconds float64) {
	k := min(len(b), int(seconds*Rate))
	for i := range k {
		b[len(b)-1-i] *= float32(i) / float32(k)
	}
}

// flute renders a dizi note: f0 Hz for dur seconds, velocity 0–1.
func flute(f0, dur, vel float64, rng *rand.Rand) []float32 {
	release := 0.12
	n := int((dur + release) * Rate)
	out := make([]float32, n)
	harm := [...]float64{1, 0.42, 0.22, 0.11, 0.06, 0.03}
	var osc [len(harm)]phasor
	for h := range osc {
		osc[h].re = 1
	}
	var noiseLP, noiseBP float64
	attack := 0.08
	for i := range n {
		t := float64(i) / Rate
		env := math.Min(1, t/attack)
		if t > dur {
			env *= math.Max(0, 1-(t-dur)/release)
		}
		if i%32 == 0 { // pitch at control rate
			// A scoop from a third of a semitone below, then vibrato after 0.25 s.
			semis := -0.33 * math.Exp(-t/0.04)
			if t > 0.25 {
				semis += 0.25 * math.Min(1, (t-0.25)/0.3) * math.Sin(2*math.Pi*5.5*(t-0.25))
			}
			f := f0 * math.Exp2(semis/12)
			for h := range osc {
				w := 2 * math.Pi * f * float64(h+1) / Rate
				osc[h].c, osc[h].s = math.Cos(w), math.Sin(w)
				osc[h].normalise()
			}
		}
		var y float64
		for h, amp := range harm {
			y += amp * osc[h].next()
		}
		// Breath: noise, band-limited around the second harmonic.
		nz := rng.Float64()*2 - 1
		noiseLP += 0.3 * (nz - noiseLP)
		noiseBP += 0.5 * (noiseLP - noiseBP)
		y += 0.12 * (noiseLP - noiseBP) * (0.6 + 0.4*math.Exp(-t/0.1))
		out[i] = float32(0.35 * vel * env * y)
	}
	return out
}

// bell renders a struck bell of fundamental (prime) f0 Hz, ringing for
// seconds, velocity 0–1.
func bell(f0, seconds, vel float64, rng *rand.Rand) []float32 {
	n := int(seconds * Rate)
	out := make([]float32, n)
	partials := [...]struct{ ratio, amp, decay float64 }{
		{0.5, 0.6, 1.0}, {1, 1, 0.7}, {1.19, 0.5, 0.45}, {1.5, 0.35, 0.35},
		{2.0, 0.45, 0.3}, {2.74, 0.25, 0.2}, {3.76, 0.18, 0.12}, {5.4, 0.1, 0.07},
	}
	for _, p := range partials {
		f := f0 * p.ratio * (1 + 0.002*(rng.Float64()-0.5))
		t60 := seconds * p.decay
		k := math.Pow(10, -3/(t60*Rate))
		amp := p.amp
		osc := newPhasor(f)
		ph := rng.Float64() * 2 * math.Pi
		osc.re, osc.im = math.Cos(ph), math.Sin(ph)
		for i := range out {
			if i%1024 == 0 {
				if amp < 1e-5*p.amp { // 100 dB down: the partial is gone
					break
				}
				osc.normalise()
			}
			out[i] += float32(0.25 * vel * amp * osc.next())
			amp *= k
		}
	}
	// The strike: a short burst of noise.
	var lp float64
	for i := range min(n, Rate/50) {
		lp += 0.4 * ((rng.Float64()*2 - 1) - lp)
		out[i] += float32(0.3 * vel * lp * (1 - float64(i)/(Rate/50)))
	}
	fadeOut(out, 0.1)
	return out
}

// drone renders a soft sustained tone on f0 Hz and its fifth for seconds,
// swelling in over the first and fading out over the last 3 seconds.
func drone(f0, seconds, vel float64) []float32 {
	n := int(seconds * Rate)
	out := make([]float32, n)
	fade := math.Min(3, seconds/3)
	for _, v := range []struct{ f, amp float64 }{{f0, 1}, {f0 * 1.0017, 0.5}, {f0 * 1.5, 0.35}} {
		osc := newPhasor(v.f)
		var env float64
		for i := range out {
			if i%1024 == 0 {
				osc.normalise()
			}
			if i%64 == 0 { // the envelope at control rate
				t := float64(i) / Rate
				env = math.Min(1, math.Min(t, seconds-t)/fade)
				// A slow breathing swell keeps it alive.
				env *= 0.8 + 0.2*math.Sin(2*math.Pi*0.11*t)
			}
			out[i] += float32(0.12 * vel * v.amp * env * osc.next())
		}
	}
	return out
}

// phasor is a sine oscillator by rotation, cheaper than math.Sin a sample;
// it is renormalised every 1024 samples against drift.
type phasor struct{ c, s, re, im float64 }

func newPhasor(f float64) *phasor {
	w := 2 * math.Pi * f / Rate
	return &phasor{c: math.Cos(w), s: math.Sin(w), re: 1}
}

// next returns the sine of the current phase and advances it.
func (p *phasor) next() float64 {
	v := p.im
	p.re, p.im = p.re*p.c-p.im*p.s, p.re*p.s+p.im*p.c
	return v
}

// normalise keeps the phasor on the unit circle.
func (p *phasor) normalise() {
	k := 1 / math.Hypot(p.re, p.im)
	p.re *= k
	p.im *= k
}
