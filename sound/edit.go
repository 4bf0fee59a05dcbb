package sound

// Editing a person's sound (the seed's voice editing): cut, splice with a
// crossfade, fades, gain, an equaliser, reverb, a noise gate, and tempo and
// pitch changed each without the other. Every edit takes and returns
// stereo Audio at Rate (Play brings any sound there) and leaves its input
// unchanged.
//
// Tempo is changed by WSOLA (Verhelst and Roelands, "An overlap-add
// technique based on waveform similarity (WSOLA) for high quality
// time-scale modification of speech", ICASSP 1993): 40 ms Hann frames laid
// out every 20 ms, each taken from near its nominal place in the input
// where it best continues the previous frame (cross-correlation over
// ±10 ms, on a 4× decimated mix for speed). Pitch is tempo changed by the
// pitch ratio, then resampled back to the original length.

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/gopxl/beep/v2"

	"miaobi/sound/pcm"
)

// checkStereo makes sure an edit gets what it works on.
func checkStereo(a *pcm.Audio) error {
	if err := a.Check(); err != nil {
		return err
	}
	if a.Rate != Rate || a.Channels != 2 {
		return fmt.Errorf("sound: edit: want stereo at %d Hz (use Play and Render), got %d channels at %d Hz", Rate, a.Channels, a.Rate)
	}
	return nil
}

// Cut keeps [from, to) seconds of a; to ≤ 0 means to the end.
func Cut(a *pcm.Audio, from, to float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	n := a.Frames()
	s := int(from * Rate)
	e := n
	if to > 0 {
		e = min(n, int(to*Rate))
	}
	if from < 0 || s >= e {
		return nil, fmt.Errorf("sound: cut %g–%g s of a %.2f s sound leaves nothing", from, to, float64(n)/Rate)
	}
	return &pcm.Audio{Rate: Rate, Channels: 2, Samples: append([]float32(nil), a.Samples[2*s:2*e]...)}, nil
}

// Splice joins b after a with a crossfade of the given seconds (equal
// power; no longer than either part).
func Splice(a, b *pcm.Audio, crossfade float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	if err := checkStereo(b); err != nil {
		return nil, err
	}
	x := min(int(crossfade*Rate), a.Frames(), b.Frames())
	if crossfade < 0 {
		return nil, errors.New("sound: splice: a negative crossfade")
	}
	na := a.Frames()
	out := make([]float32, 0, 2*(na+b.Frames()-x))
	out = append(out, a.Samples[:2*(na-x)]...)
	for i := range x {
		t := (float64(i) + 0.5) / float64(x)
		ga, gb := float32(math.Cos(t*math.Pi/2)), float32(math.Sin(t*math.Pi/2))
		for ch := range 2 {
			out = append(out, ga*a.Samples[2*(na-x+i)+ch]+gb*b.Samples[2*i+ch])
		}
	}
	out = append(out, b.Samples[2*x:]...)
	return &pcm.Audio{Rate: Rate, Channels: 2, Samples: out}, nil
}

// Fade ramps the first in and the last out seconds (a raised cosine).
func Fade(a *pcm.Audio, in, out float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	if in < 0 || out < 0 {
		return nil, errors.New("sound: fade: negative length")
	}
	b := a.Clone()
	n := b.Frames()
	ki, ko := min(n, int(in*Rate)), min(n, int(out*Rate))
	for i := range ki {
		g := float32(0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(ki)))
		b.Samples[2*i] *= g
		b.Samples[2*i+1] *= g
	}
	for i := range ko {
		g := float32(0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(ko)))
		j := n - 1 - i
		b.Samples[2*j] *= g
		b.Samples[2*j+1] *= g
	}
	return b, nil
}

// Gain scales a by db decibels.
func Gain(a *pcm.Audio, db float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	if math.IsNaN(db) || math.Abs(db) > 60 {
		return nil, fmt.Errorf("sound: gain %g dB: use −60 to 60", db)
	}
	b := a.Clone()
	scale(b, math.Pow(10, db/20))
	return b, nil
}

// EQ is a three-band equaliser in dB: a low shelf at 120 Hz, a peak at
// 1 kHz (one octave wide) and a high shelf at 8 kHz (RBJ cookbook
// filters), each from −24 to 24 dB.
type EQ struct{ Low, Mid, High float64 }

// Equalize applies e to a.
func Equalize(a *pcm.Audio, e EQ) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	for _, g := range []float64{e.Low, e.Mid, e.High} {
		if math.IsNaN(g) || math.Abs(g) > 24 {
			return nil, fmt.Errorf("sound: equaliser gain %g dB: use −24 to 24", g)
		}
	}
	b := a.Clone()
	bands := []biquad{shelf(120, e.Low, false), peaking(1000, e.Mid, 1.41), shelf(8000, e.High, true)}
	for ch := range 2 {
		for _, bq := range bands {
			f := filt{biquad: bq}
			for i := ch; i < len(b.Samples); i += 2 {
				b.Samples[i] = float32(f.run(float64(b.Samples[i])))
			}
		}
	}
	return b, nil
}

// shelf is an RBJ shelving filter (slope 1) of gain db at f.
func shelf(f, db float64, high bool) biquad {
	A := math.Pow(10, db/40)
	w := 2 * math.Pi * f / Rate
	c, s := math.Cos(w), math.Sin(w)
	alpha := s / 2 * math.Sqrt2
	sq := 2 * math.Sqrt(A) * alpha
	var b0, b1, b2, a0, a1, a2 float64
	if high {
		b0 = A * ((A + 1) + (A-1)*c + sq)
		b1 = -2 * A * ((A - 1) + (A+1)*c)
		b2 = A * ((A + 1) + (A-1)*c - sq)
		a0 = (A + 1) - (A-1)*c + sq
		a1 = 2 * ((A - 1) - (A+1)*c)
		a2 = (A + 1) - (A-1)*c - sq
	} else {
		b0 = A * ((A + 1) - (A-1)*c + sq)
		b1 = 2 * A * ((A - 1) - (A+1)*c)
		b2 = A * ((A + 1) - (A-1)*c - sq)
		a0 = (A + 1) + (A-1)*c + sq
		a1 = -2 * ((A - 1) + (A+1)*c)
		a2 = (A + 1) + (A-1)*c - sq
	}
	return biquad{b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0}
}

// peaking is an RBJ peaking filter of gain db at f with quality q.
func peaking(f, db, q float64) biquad {
	A := math.Pow(10, db/40)
	w := 2 * math.Pi * f / Rate
	alpha := math.Sin(w) / (2 * q)
	c := math.Cos(w)
	a0 := 1 + alpha/A
	return biquad{(1 + alpha*A) / a0, -2 * c / a0, (1 - alpha*A) / a0, -2 * c / a0, (1 - alpha/A) / a0}
}

// AddReverb puts a in the room, with a tail of tail seconds added.
func AddReverb(a *pcm.Audio, r Room, tail float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	n := a.Frames() + int(tail*Rate)
	out := make([]float32, 2*n)
	copy(out, a.Samples)
	rv := newReverb(r, Rate)
	for i := range n {
		l, rr := rv.frame(float64(out[2*i]), float64(out[2*i+1]))
		out[2*i], out[2*i+1] = float32(l), float32(rr)
	}
	return &pcm.Audio{Rate: Rate, Channels: 2, Samples: out}, nil
}

// Gate silences a below threshold dBFS: the gain opens in 1 ms, holds
// 50 ms after the level falls, and closes over 100 ms (to −80 dB).
func Gate(a *pcm.Audio, threshold float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	if threshold > 0 || threshold < -100 {
		return nil, fmt.Errorf("sound: gate threshold %g dBFS: use −100 to 0", threshold)
	}
	b := a.Clone()
	thr := math.Pow(10, threshold/20)
	var env, gain float64
	hold := 0
	atk, rel := 1-math.Exp(-1/(0.001*Rate)), 1-math.Exp(-1/(0.1*Rate))
	envK := 1 - math.Exp(-1/(0.005*Rate))
	for i := range b.Frames() {
		x := math.Max(math.Abs(float64(b.Samples[2*i])), math.Abs(float64(b.Samples[2*i+1])))
		env += envK * (x - env)
		if x > env {
			env = x
		}
		target := 1e-4
		if env >= thr {
			target, hold = 1, Rate/20
		} else if hold > 0 {
			target = 1
			hold--
		}
		if target > gain {
			gain += atk * (target - gain)
		} else {
			gain += rel * (target - gain)
		}
		b.Samples[2*i] *= float32(gain)
		b.Samples[2*i+1] *= float32(gain)
	}
	return b, nil
}

// Tempo plays a faster (factor > 1) or slower without changing its pitch
// (WSOLA); factor from 0.25 to 4.
func Tempo(a *pcm.Audio, factor float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	if !(factor >= 0.25 && factor <= 4) {
		return nil, fmt.Errorf("sound: tempo ×%g: use 0.25 to 4", factor)
	}
	return wsola(a, factor), nil
}

// Pitch moves a by semitones without changing its length: tempo by the
// pitch ratio, then resampling back (beep.Resample); −24 to 24.
func Pitch(a *pcm.Audio, semitones float64) (*pcm.Audio, error) {
	if err := checkStereo(a); err != nil {
		return nil, err
	}
	if !(semitones >= -24 && semitones <= 24) {
		return nil, fmt.Errorf("sound: pitch %g semitones: use −24 to 24", semitones)
	}
	if semitones == 0 {
		return a.Clone(), nil
	}
	ratio := math.Pow(2, semitones/12)
	stretched := wsola(a, 1/ratio) // longer by the ratio
	frames := make([][2]float64, stretched.Frames())
	for i := range frames {
		frames[i] = [2]float64{float64(stretched.Samples[2*i]), float64(stretched.Samples[2*i+1])}
	}
	// Played back ratio times faster: from Rate·ratio to Rate.
	s := beep.Resample(4, beep.SampleRate(math.Round(Rate*ratio)), Rate, &framesStreamer{frames: frames})
	out, err := Render(s)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// wsola time-scales a by factor (output length ≈ input / factor).
func wsola(a *pcm.Audio, factor float64) *pcm.Audio {
	const (
		frame = Rate / 25  // 40 ms
		hop   = frame / 2  // 20 ms out
		tol   = Rate / 100 // ±10 ms search
		dec   = 4          // decimation of the correlation
	)
	n := a.Frames()
	outN := int(float64(n) / factor)
	out := make([]float64, 2*(outN+frame))
	wsum := make([]float64, outN+frame)
	win := make([]float64, frame)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(frame))
	}
	mono := func(i int) float64 {
		if i < 0 || i >= n {
			return 0
		}
		return float64(a.Samples[2*i]) + float64(a.Samples[2*i+1])
	}
	prev := 0 // where the previous frame was taken from
	for k := 0; k*hop < outN; k++ {
		nominal := int(float64(k*hop) * factor)
		best := nominal
		if k > 0 {
			// The previous frame's natural continuation: hop samples on
			// from where it was taken.
			want := prev + hop
			bestScore := math.Inf(-1)
			for d := -tol; d <= tol; d += dec {
				c := nominal + d
				if c < 0 || c+frame > n {
					continue
				}
				var s float64
				for j := 0; j < frame/2; j += dec {
					s += mono(want+j) * mono(c+j)
				}
				if s > bestScore {
					bestScore, best = s, c
				}
			}
		}
		best = max(0, min(best, n-1))
		prev = best
		o := k * hop
		for j := range frame {
			src := best + j
			if src >= n || o+j >= outN+frame {
				break
			}
			w := win[j]
			out[2*(o+j)] += w * float64(a.Samples[2*src])
			out[2*(o+j)+1] += w * float64(a.Samples[2*src+1])
			wsum[o+j] += w
		}
	}
	res := &pcm.Audio{Rate: Rate, Channels: 2, Samples: make([]float32, 2*outN)}
	for i := range outN {
		w := wsum[i]
		if w < 1e-3 {
			w = 1
		}
		res.Samples[2*i] = float32(out[2*i] / w)
		res.Samples[2*i+1] = float32(out[2*i+1] / w)
	}
	return res
}

// Plan is the edits 'miaobi sound edit' applies, in this order, each only
// when set: Cut ("FROM-TO" seconds, TO may be empty), Append (spliced after
// with Crossfade seconds), Tempo (0 or 1: unchanged), Pitch, EQ
// ("LOW,MID,HIGH" dB), Gate (dBFS; 0: none), Gain (dB), FadeIn and FadeOut
// (seconds), Reverb (0–1, with a 2.5 s tail) and Under (laid under,
// ducked). The names are for the list of what was done.
type Plan struct {
	Cut             string
	Append          *pcm.Audio
	AppendName      string
	Crossfade       float64
	Tempo, Pitch    float64
	EQ              string
	Gate, Gain      float64
	FadeIn, FadeOut float64
	Reverb          float64
	Under           *pcm.Audio
	UnderName       string
}

// Apply runs the plan on a and returns the result and what was done.
func (p Plan) Apply(a *pcm.Audio) (*pcm.Audio, []string, error) {
	var done []string
	step := func(name string, f func() (*pcm.Audio, error)) error {
		b, err := f()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		a = b
		done = append(done, name)
		return nil
	}
	var steps []func() error
	if p.Cut != "" {
		from, to, err := ParseSpan(p.Cut)
		if err != nil {
			return nil, nil, err
		}
		steps = append(steps, func() error { return step("cut "+p.Cut, func() (*pcm.Audio, error) { return Cut(a, from, to) }) })
	}
	if p.Append != nil {
		steps = append(steps, func() error {
			return step("append "+p.AppendName, func() (*pcm.Audio, error) { return Splice(a, p.Append, p.Crossfade) })
		})
	}
	if p.Tempo != 0 && p.Tempo != 1 {
		steps = append(steps, func() error {
			return step(fmt.Sprintf("tempo ×%g", p.Tempo), func() (*pcm.Audio, error) { return Tempo(a, p.Tempo) })
		})
	}
	if p.Pitch != 0 {
		steps = append(steps, func() error {
			return step(fmt.Sprintf("pitch %+g", p.Pitch), func() (*pcm.Audio, error) { return Pitch(a, p.Pitch) })
		})
	}
	if p.EQ != "" {
		e, err := ParseEQ(p.EQ)
		if err != nil {
			return nil, nil, err
		}
		steps = append(steps, func() error { return step("eq "+p.EQ, func() (*pcm.Audio, error) { return Equalize(a, e) }) })
	}
	if p.Gate != 0 {
		steps = append(steps, func() error {
			return step(fmt.Sprintf("gate %g dBFS", p.Gate), func() (*pcm.Audio, error) { return Gate(a, p.Gate) })
		})
	}
	if p.Gain != 0 {
		steps = append(steps, func() error {
			return step(fmt.Sprintf("gain %+g dB", p.Gain), func() (*pcm.Audio, error) { return Gain(a, p.Gain) })
		})
	}
	if p.FadeIn != 0 || p.FadeOut != 0 {
		steps = append(steps, func() error { return step("fades", func() (*pcm.Audio, error) { return Fade(a, p.FadeIn, p.FadeOut) }) })
	}
	if p.Reverb != 0 {
		if p.Reverb < 0 || p.Reverb > 1 {
			return nil, nil, fmt.Errorf("sound: reverb %g: use 0 to 1", p.Reverb)
		}
		room := Hall
		room.Wet, room.Dry = 0.5*p.Reverb, 1-0.3*p.Reverb
		steps = append(steps, func() error {
			return step(fmt.Sprintf("reverb %g", p.Reverb), func() (*pcm.Audio, error) { return AddReverb(a, room, 2.5) })
		})
	}
	if p.Under != nil {
		steps = append(steps, func() error {
			return step("under "+p.UnderName, func() (*pcm.Audio, error) { return Duck(a, p.Under, 14) })
		})
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, nil, err
		}
	}
	if len(done) == 0 {
		done = []string{"normalised"}
	}
	return a, done, nil
}

// ParseSpan reads FROM-TO seconds (TO may be empty: to the end).
func ParseSpan(s string) (float64, float64, error) {
	a, b, ok := strings.Cut(s, "-")
	from, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	to := 0.0
	var err2 error
	if strings.TrimSpace(b) != "" {
		to, err2 = strconv.ParseFloat(strings.TrimSpace(b), 64)
	}
	if !ok || err1 != nil || err2 != nil || from < 0 || (to != 0 && to <= from) {
		return 0, 0, fmt.Errorf("sound: cut %q: give FROM-TO seconds, e.g. 1.5-10 or 3-", s)
	}
	return from, to, nil
}

// ParseEQ reads LOW,MID,HIGH decibels.
func ParseEQ(s string) (EQ, error) {
	f := strings.Split(s, ",")
	if len(f) != 3 {
		return EQ{}, fmt.Errorf("sound: eq %q: give LOW,MID,HIGH in dB, e.g. 3,0,-2", s)
	}
	var v [3]float64
	for i, x := range f {
		var err error
		if v[i], err = strconv.ParseFloat(strings.TrimSpace(x), 64); err != nil {
			return EQ{}, fmt.Errorf("sound: eq %q: %q is not a number of dB", s, x)
		}
	}
	return EQ{Low: v[0], Mid: v[1], High: v[2]}, nil
}
