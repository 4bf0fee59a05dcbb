package sound

// Scenes: procedural sound of the images a poem holds — rain, wind, a
// stream, waves, birds, insects, a temple bell, footsteps in snow — each
// synthesised from noise, filters and short tones (after Andy Farnell,
// "Designing Sound", 2010: rain as filtered noise with drop transients,
// wind as noise through a swept resonant band-pass, water as bubbling
// sine chirps, birds and insects as modulated tones), mixed in stereo
// with each source at its own place, through a small room, normalised.

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"miaobi/sound/pcm"
)

// Element is one sound of a scene.
type Element string

const (
	Rain      Element = "rain"
	Wind      Element = "wind"
	Stream    Element = "stream"
	Waves     Element = "waves"
	Birds     Element = "birds"
	Insects   Element = "insects"
	TempleBel Element = "bell"
	Snow      Element = "footsteps"
)

// elementSound is an element, the characters that call it up, and what
// synthesises its sound (mixed into l and r).
type elementSound struct {
	e     Element
	words string
	synth func(l, r []float32, rng *rand.Rand)
}

// elements is every element, in the order of Elements.
var elements = []elementSound{
	{Rain, "雨霖霏", rain},
	{Wind, "风飙", wind},
	{Stream, "溪泉涧流瀑川", stream},
	{Waves, "海浪潮涛波", waves},
	{Birds, "鸟莺燕鹊雀鹂鸦禽啼", birds},
	{Insects, "蝉虫蛩蟋蛐萤", insects},
	{TempleBel, "钟寺磬禅僧庙", templeBell},
	{Snow, "雪踏履屐", footsteps},
}

// Elements lists every element in a fixed order.
func Elements() []Element {
	out := make([]Element, len(elements))
	for i, el := range elements {
		out[i] = el.e
	}
	return out
}

// ElementsOf finds the elements that words (keywords, a poem) call up, in
// Elements order; English names are accepted too.
func ElementsOf(words []string) ([]Element, error) {
	var out []Element
	for _, el := range elements {
		for _, w := range words {
			if w = strings.TrimSpace(w); w != "" && (strings.EqualFold(w, string(el.e)) || strings.ContainsAny(w, el.words)) {
				out = append(out, el.e)
				break
			}
		}
	}
	if len(out) == 0 {
		words = slices.DeleteFunc(slices.Clone(words), func(w string) bool { return strings.TrimSpace(w) == "" })
		return nil, fmt.Errorf("sound: no scene in %q: use words for rain 雨, wind 风, stream 溪, waves 浪, birds 鸟, insects 蝉, a bell 钟 or footsteps in snow 雪", strings.Join(words, ","))
	}
	return out, nil
}

// Scene renders seconds of the elements, mixed, in stereo at Rate,
// normalised to TargetLUFS with the CeilingTP ceiling.
func Scene(elems []Element, seconds float64, seed uint64) (*pcm.Audio, error) {
	if len(elems) == 0 {
		return nil, errors.New("sound: a scene needs at least one element")
	}
	if seconds < 1 || seconds > 600 {
		return nil, fmt.Errorf("sound: scene length %g s: use 1 to 600", seconds)
	}
	n := int(seconds * Rate)
	l, r := make([]float32, n), make([]float32, n)
	for k, e := range elems {
		rng := rand.New(rand.NewPCG(seed, uint64(k)*7919+uint64(len(e))))
		i := slices.IndexFunc(elements, func(el elementSound) bool { return el.e == e })
		if i < 0 {
			return nil, fmt.Errorf("sound: unknown scene element %q", e)
		}
		elements[i].synth(l, r, rng)
	}
	mix := make([]float32, 2*n)
	for i := range n {
		mix[2*i], mix[2*i+1] = l[i], r[i]
	}
	rv := newReverb(Room{Size: 0.6, Damp: 0.6, Wet: 0.15, Dry: 0.9, Width: 1}, Rate)
	for i := range n {
		a, b := rv.frame(float64(mix[2*i]), float64(mix[2*i+1]))
		mix[2*i], mix[2*i+1] = float32(a), float32(b)
	}
	fadeIn(mix, 1.0)
	fadeStereo(mix, 1.5)
	out, _, err := Normalize(&pcm.Audio{Rate: Rate, Channels: 2, Samples: mix}, TargetLUFS, CeilingTP)
	return out, err
}

// fadeIn ramps the first seconds of interleaved stereo up from silence.
func fadeIn(b []float32, seconds float64) {
	k := min(len(b)/2, int(seconds*Rate))
	for i := range k {
		g := float32(i) / float32(k)
		b[2*i] *= g
		b[2*i+1] *= g
	}
}

// filt is a running biquad.
type filt struct {
	biquad
	s1, s2 float64
}

func (f *filt) run(x float64) float64 {
	y := f.b0*x + f.s1
	f.s1 = f.b1*x - f.a1*y + f.s2
	f.s2 = f.b2*x - f.a2*y
	return y
}

func lowpass(fc, q float64) biquad {
	w := 2 * math.Pi * fc / Rate
	alpha := math.Sin(w) / (2 * q)
	c := math.Cos(w)
	a0 := 1 + alpha
	return biquad{b0: (1 - c) / 2 / a0, b1: (1 - c) / a0, b2: (1 - c) / 2 / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0}
}

func highpass(fc, q float64) biquad {
	w := 2 * math.Pi * fc / Rate
	alpha := math.Sin(w) / (2 * q)
	c := math.Cos(w)
	a0 := 1 + alpha
	return biquad{b0: (1 + c) / 2 / a0, b1: -(1 + c) / a0, b2: (1 + c) / 2 / a0, a1: -2 * c / a0, a2: (1 - alpha) / a0}
}

// panGains are equal-power gains for a position −1 (left) to 1 (right).
func panGains(p float64) (float32, float32) {
	a := (p + 1) * math.Pi / 4
	return float32(math.Cos(a)), float32(math.Sin(a))
}

// addAt mixes a mono event into l and r at sample off, placed at pan p.
func addAt(l, r, ev []float32, off int, p, gain float64) {
	gl, gr := panGains(p)
	g := float32(gain)
	for i, v := range ev {
		j := off + i
		if j < 0 {
			continue
		}
		if j >= len(l) {
			break
		}
		l[j] += v * gl * g
		r[j] += v * gr * g
	}
}

// rain: a bed of band-passed noise (each side its own) under drops — short
// decaying noise clicks, some with a pitched ping — scattered across the
// stereo field.
func rain(l, r []float32, rng *rand.Rand) {
	n := len(l)
	for _, out := range [][]float32{l, r} {
		hp := filt{biquad: highpass(800, 0.7)}
		lp := filt{biquad: lowpass(7000, 0.7)}
		for i := range out {
			x := rng.Float64()*2 - 1
			out[i] += float32(0.15 * lp.run(hp.run(x)))
		}
	}
	drops := n / Rate * 40 // forty a second
	for range drops {
		off := rng.IntN(n)
		size := 0.3 + rng.Float64()
		ev := make([]float32, Rate/50)
		var lp float64
		osc := newPhasor(1500 + 3000*rng.Float64())
		ping := rng.Float64() < 0.3
		// The click dies in 2 ms, the ping in 6 (time constants).
		d1, d2 := math.Exp(-1/(0.002*Rate)), math.Exp(-1/(0.006*Rate))
		e1, e2 := 1.0, 1.0
		for i := range ev {
			lp += 0.5 * ((rng.Float64()*2 - 1) - lp)
			v := lp * e1
			if ping {
				v += 0.5 * osc.next() * e2
			}
			e1, e2 = e1*d1, e2*d2
			ev[i] = float32(v)
		}
		addAt(l, r, ev, off, rng.Float64()*2-1, 0.35*size)
	}
}

// wind: noise through a resonant band-pass whose centre and level drift
// with slow random gusts, the two sides out of step.
func wind(l, r []float32, rng *rand.Rand) {
	for side, out := range [][]float32{l, r} {
		// A gust curve: smoothed random targets every 1.5 s; the filter
		// follows it at control rate.
		var g, target float64
		var f filt
		for i := range out {
			if i%(Rate*3/2) == 0 {
				target = 0.2 + 0.8*rng.Float64()
			}
			g += (target - g) * 0.00002
			if i%32 == 0 {
				f.biquad = bandpass(250+650*g+40*float64(side), 6)
			}
			out[i] += float32(2.5 * g * g * f.run(rng.Float64()*2-1))
		}
	}
}

// stream: many small bubbles — sine chirps rising fast, each a few
// milliseconds — over a low rush of filtered noise.
func stream(l, r []float32, rng *rand.Rand) {
	n := len(l)
	lp := [2]filt{{biquad: lowpass(1200, 0.7)}, {biquad: lowpass(1100, 0.7)}}
	for i := range n {
		l[i] += float32(0.15 * lp[0].run(rng.Float64()*2-1))
		r[i] += float32(0.15 * lp[1].run(rng.Float64()*2-1))
	}
	bubbles := n / Rate * 60
	for range bubbles {
		f0 := 300 + 900*rng.Float64()
		dur := 0.01 + 0.03*rng.Float64()
		ev := make([]float32, int(dur*Rate))
		var ph float64
		env := newPhasor(0.5 / dur) // sin(πt/dur): one hump over the bubble
		for i := range ev {
			t := float64(i) / Rate
			f := f0 * (1 + 2*t/dur) // the rise of a bubble closing
			ph += 2 * math.Pi * f / Rate
			ev[i] = float32(math.Sin(ph) * env.next())
		}
		addAt(l, r, ev, rng.IntN(n), 0.6*(rng.Float64()*2-1), 0.12+0.1*rng.Float64())
	}
}

// waves: low-passed noise swelling and ebbing every 7 to 11 seconds,
// the wash of each wave brighter as it breaks.
func waves(l, r []float32, rng *rand.Rand) {
	period := float64(Rate) * (7 + 4*rng.Float64())
	for side, out := range [][]float32{l, r} {
		var f filt
		phase := 0.3 * float64(side)
		var env float64
		for i := range out {
			if i%32 == 0 { // the swell and the filter at control rate
				u := math.Mod(float64(i)/period+phase, 1)
				env = math.Pow(math.Sin(math.Pi*u), 3)
				f.biquad = lowpass(300+2500*env, 0.7)
			}
			out[i] += float32((0.08 + 0.5*env) * f.run(rng.Float64()*2-1))
		}
	}
}

// birds: calls of three to six chirps — fast frequency sweeps between 2
// and 5 kHz with a trill — from a few birds, each at its own place.
func birds(l, r []float32, rng *rand.Rand) {
	n := len(l)
	for b := range 3 {
		pan := -0.8 + 0.8*float64(b) + 0.2*(rng.Float64()-0.5)
		base := 2200 + 1800*rng.Float64()
		for at := rng.Float64() * 2 * Rate; at < float64(n); at += (2 + 5*rng.Float64()) * Rate {
			chirps := 3 + rng.IntN(4)
			off := int(at)
			for range chirps {
				dur := 0.05 + 0.08*rng.Float64()
				sweep := (rng.Float64() - 0.3) * 1500
				ev := make([]float32, int(dur*Rate))
				var ph float64
				trill, env := newPhasor(40), newPhasor(0.5/dur)
				for i := range ev {
					t := float64(i) / Rate
					f := base + sweep*t/dur + 300*trill.next()
					ph += 2 * math.Pi * f / Rate
					e := env.next()
					ev[i] = float32(math.Sin(ph) * e * e)
				}
				addAt(l, r, ev, off, pan, 0.25)
				off += len(ev) + int((0.02+0.06*rng.Float64())*Rate)
			}
		}
	}
}

// insects: a cicada's buzz (a 5 kHz tone gated by a 180 Hz pulse train,
// swelling in long phrases) and crickets' chirps (4.5 kHz pulses in
// threes).
func insects(l, r []float32, rng *rand.Rand) {
	n := len(l)
	cic, pulse := newPhasor(5100), newPhasor(180)
	phrase := float64(Rate) * (6 + 4*rng.Float64())
	for i := range n {
		if i%1024 == 0 {
			cic.normalise()
			pulse.normalise()
		}
		u := math.Mod(float64(i)/phrase, 1)
		env := math.Min(1, u*4) * math.Min(1, (1-u)*8)
		gate := math.Max(0, pulse.next())
		v := float32(0.18 * env * gate * gate * cic.next())
		l[i] += v * 0.9
		r[i] += v * 0.5
	}
	for c := range 2 {
		pan := 0.7 - 1.4*float64(c)
		for at := rng.Float64() * Rate; at < float64(n); at += (0.8 + 0.4*rng.Float64()) * Rate {
			for p := range 3 {
				ev := make([]float32, Rate/60)
				for i := range ev {
					tt := float64(i) / Rate
					ev[i] = float32(math.Sin(2*math.Pi*4500*tt) * math.Sin(math.Pi*tt*60))
				}
				addAt(l, r, ev, int(at)+p*Rate/40, pan, 0.12)
			}
		}
	}
}

// templeBell: a large bell struck every 10 to 14 seconds, ringing long.
func templeBell(l, r []float32, rng *rand.Rand) {
	n := len(l)
	for at := 0.5 * Rate; at < float64(n); at += (10 + 4*rng.Float64()) * Rate {
		ev := bell(196, 9, 0.9, rng) // G3 prime, its hum an octave down
		addAt(l, r, ev, int(at), 0.15, 2.5)
	}
}

// footsteps: slow steps in snow — each a crunch of crackling noise grains
// under a low thud — walking from left to right.
func footsteps(l, r []float32, rng *rand.Rand) {
	n := len(l)
	stepEvery := int(0.65 * Rate)
	for off := Rate / 2; off < n; off += stepEvery + rng.IntN(Rate/10) {
		ev := make([]float32, Rate/4)
		hp := filt{biquad: highpass(1500, 0.7)}
		thud := filt{biquad: lowpass(180, 0.8)}
		for i := range ev {
			t := float64(i) / Rate
			env := math.Exp(-t/0.06) * math.Min(1, t/0.01)
			var g float64
			if rng.Float64() < 0.15 { // grains of snow crushed
				g = rng.Float64()*2 - 1
			}
			ev[i] = float32(env * (0.8*hp.run(g) + 1.5*thud.run(rng.Float64()*2-1)))
		}
		pan := -0.8 + 1.6*float64(off)/float64(n)
		addAt(l, r, ev, off, pan, 0.6)
	}
}
