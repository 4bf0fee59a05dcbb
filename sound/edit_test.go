package sound

import (
	"math"
	"testing"

	"miaobi/sound/pcm"
)

// tone is seconds of a stereo sine at Rate.
func tone(hz, seconds, amp float64) *pcm.Audio {
	n := int(seconds * Rate)
	a := &pcm.Audio{Rate: Rate, Channels: 2, Samples: make([]float32, 2*n)}
	for i := range n {
		v := float32(amp * math.Sin(2*math.Pi*hz*float64(i)/Rate))
		a.Samples[2*i], a.Samples[2*i+1] = v, v
	}
	return a
}

// frequency estimates a sound's pitch by its zero crossings (left channel,
// the middle half).
func frequency(a *pcm.Audio) float64 {
	n := a.Frames()
	s, e := n/4, 3*n/4
	cross := 0
	for i := s + 1; i < e; i++ {
		if (a.Samples[2*(i-1)] < 0) != (a.Samples[2*i] < 0) {
			cross++
		}
	}
	return float64(cross) / 2 / (float64(e-s) / Rate)
}

func rms(a *pcm.Audio) float64 {
	var s float64
	for _, v := range a.Samples {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(a.Samples)))
}

// Tempo changes length, not pitch; Pitch changes pitch, not length.
func TestTempoAndPitch(t *testing.T) {
	a := tone(440, 2, 0.5)
	for _, f := range []float64{0.5, 0.8, 1.25, 2} {
		b, err := Tempo(a, f)
		if err != nil {
			t.Fatal(err)
		}
		wantLen := 2 / f
		gotLen := float64(b.Frames()) / Rate
		if math.Abs(gotLen-wantLen) > 0.02*wantLen || math.Abs(frequency(b)-440) > 4 {
			t.Errorf("tempo ×%g: %.3f s (want %.3f), %.1f Hz", f, gotLen, wantLen, frequency(b))
		}
	}
	for _, st := range []float64{-5, 3, 12} {
		b, err := Pitch(a, st)
		if err != nil {
			t.Fatal(err)
		}
		want := 440 * math.Pow(2, st/12)
		if gotLen := float64(b.Frames()) / Rate; math.Abs(gotLen-2) > 0.04 || math.Abs(frequency(b)-want) > 0.015*want {
			t.Errorf("pitch %+g: %.3f s, %.1f Hz (want %.1f)", st, gotLen, frequency(b), want)
		}
	}
	if _, err := Tempo(a, 10); err == nil {
		t.Error("tempo ×10 accepted")
	}
	if _, err := Pitch(a, math.NaN()); err == nil {
		t.Error("pitch NaN accepted")
	}
}

func TestEdits(t *testing.T) {
	a := tone(440, 3, 0.5)
	c, err := Cut(a, 0.5, 1.5)
	if err != nil || c.Frames() != Rate {
		t.Fatalf("cut: %v, %d frames", err, c.Frames())
	}
	if _, err := Cut(a, 5, 6); err == nil {
		t.Error("a cut past the end accepted")
	}
	s, err := Splice(c, c, 0.25)
	if err != nil || s.Frames() != 2*Rate-Rate/4 {
		t.Fatalf("splice: %v, %d frames", err, s.Frames())
	}
	f, _ := Fade(a, 1, 1)
	if f.Samples[0] != 0 || math.Abs(rms(f)-rms(a)) < 0.01 || a.Samples[2*100] == 0 {
		t.Error("fade did nothing, or changed its input")
	}
	g, _ := Gain(a, -6)
	if r := rms(g) / rms(a); math.Abs(r-0.5012) > 0.001 {
		t.Errorf("gain −6 dB: ratio %.4f", r)
	}
	low := tone(80, 2, 0.3)
	e, _ := Equalize(low, EQ{Low: 12})
	if r := rms(e) / rms(low); r < 3 {
		t.Errorf("a 12 dB low shelf raised 80 Hz by only ×%.2f", r)
	}
	e, _ = Equalize(a, EQ{High: -12})
	if r := rms(e) / rms(a); math.Abs(r-1) > 0.05 {
		t.Errorf("a high shelf at 8 kHz changed 440 Hz by ×%.2f", r)
	}
	rv, _ := AddReverb(c, Hall, 2)
	if rv.Frames() != 3*Rate || rms(&pcm.Audio{Rate: Rate, Channels: 2, Samples: rv.Samples[2*(Rate+Rate/2):]}) == 0 {
		t.Error("reverb left no tail")
	}
	// The gate keeps the tone and silences a quiet hiss after it.
	quiet := tone(440, 1, 0.001)
	both, _ := Splice(c, quiet, 0)
	gated, _ := Gate(both, -40)
	tail := &pcm.Audio{Rate: Rate, Channels: 2, Samples: gated.Samples[2*(Rate+Rate/2):]}
	head := &pcm.Audio{Rate: Rate, Channels: 2, Samples: gated.Samples[:2*Rate/2]}
	if rms(tail) > 1e-5 || math.Abs(rms(head)-rms(&pcm.Audio{Rate: Rate, Channels: 2, Samples: c.Samples[:2*Rate/2]})) > 0.01 {
		t.Errorf("gate: head %.4f, tail %.6f", rms(head), rms(tail))
	}
	if _, err := Gate(a, 10); err == nil {
		t.Error("a gate above 0 dBFS accepted")
	}
	if _, err := Cut(&pcm.Audio{Rate: 44100, Channels: 2, Samples: make([]float32, 100)}, 0, 0); err == nil {
		t.Error("a 44.1 kHz sound edited without Play")
	}
}
