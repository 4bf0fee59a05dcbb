package sound

// Reverb in the manner of Freeverb (Jezar at Dreampoint, 2000, as
// described in J. O. Smith, "Physical Audio Signal Processing", "Freeverb"):
// per channel, eight parallel lowpass-feedback comb filters and four
// Schroeder allpasses in series; the right channel's delays are 23
// samples longer, which decorrelates the two sides. Delay lengths are the
// published ones at 44.1 kHz, scaled to the sample rate.

import (
	"github.com/gopxl/beep/v2"
)

var (
	combTuning    = [8]int{1116, 1188, 1277, 1356, 1422, 1491, 1557, 1617}
	allpassTuning = [4]int{556, 441, 341, 225}
)

const stereoSpread = 23

// Room sets a reverb: Size 0–1 (the comb feedback, 0.7 to 0.98), Damp
// 0–1 (how fast highs die), Wet and Dry gains, and Width 0–1 (stereo).
type Room struct {
	Size, Damp, Wet, Dry, Width float64
}

// Hall is a medium, warm space for plucked strings and flute.
var Hall = Room{Size: 0.78, Damp: 0.45, Wet: 0.28, Dry: 0.85, Width: 1}

type comb struct {
	buf            []float64
	i              int
	store          float64
	feedback, damp float64
}

func (c *comb) process(x float64) float64 {
	y := c.buf[c.i]
	c.store = y*(1-c.damp) + c.store*c.damp
	c.buf[c.i] = x + c.store*c.feedback
	c.i = (c.i + 1) % len(c.buf)
	return y
}

type allpass struct {
	buf []float64
	i   int
}

func (a *allpass) process(x float64) float64 {
	b := a.buf[a.i]
	a.buf[a.i] = x + b*0.5
	a.i = (a.i + 1) % len(a.buf)
	return b - x
}

// reverb is a Freeverb for one sample rate.
type reverb struct {
	room   Room
	combs  [2][8]comb
	passes [2][4]allpass
}

func newReverb(r Room, rate int) *reverb {
	scale := float64(rate) / 44100
	rv := &reverb{room: r}
	fb := 0.7 + 0.28*min(max(r.Size, 0), 1)
	damp := 0.4 * min(max(r.Damp, 0), 1)
	for ch := range 2 {
		extra := ch * stereoSpread
		for k, n := range combTuning {
			rv.combs[ch][k] = comb{buf: make([]float64, max(1, int(float64(n+extra)*scale))), feedback: fb, damp: damp}
		}
		for k, n := range allpassTuning {
			rv.passes[ch][k] = allpass{buf: make([]float64, max(1, int(float64(n+extra)*scale)))}
		}
	}
	return rv
}

// frame processes one stereo frame.
func (rv *reverb) frame(l, r float64) (float64, float64) {
	in := (l + r) * 0.015 // Freeverb's fixed input gain
	var out [2]float64
	for ch := range 2 {
		var s float64
		for k := range rv.combs[ch] {
			s += rv.combs[ch][k].process(in)
		}
		for k := range rv.passes[ch] {
			s = rv.passes[ch][k].process(s)
		}
		out[ch] = s
	}
	wet := rv.room.Wet * 3 // Freeverb's wet scale
	w1 := wet * (rv.room.Width/2 + 0.5)
	w2 := wet * (1 - rv.room.Width) / 2
	dry := rv.room.Dry
	return out[0]*w1 + out[1]*w2 + l*dry, out[1]*w1 + out[0]*w2 + r*dry
}

// Reverb returns s through the room (at Rate); the tail is cut when s
// ends, so append silence to s to let it ring.
func Reverb(s beep.Streamer, r Room) beep.Streamer {
	return &reverbStreamer{s: s, rv: newReverb(r, Rate)}
}

type reverbStreamer struct {
	s  beep.Streamer
	rv *reverb
}

func (r *reverbStreamer) Stream(samples [][2]float64) (int, bool) {
	n, ok := r.s.Stream(samples)
	for i := range samples[:n] {
		samples[i][0], samples[i][1] = r.rv.frame(samples[i][0], samples[i][1])
	}
	return n, ok
}

func (r *reverbStreamer) Err() error { return r.s.Err() }
