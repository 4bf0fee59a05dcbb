package resample

import (
	"math"
	"testing"
)

func TestResample(t *testing.T) {
	sine := func(hz float64, rate, n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(0.8 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
		}
		return x
	}
	// worst error away from the ends (where the kernel runs off the signal).
	worst := func(got, want []float32) float64 {
		var e float64
		for i := len(got) / 10; i < len(got)*9/10; i++ {
			e = math.Max(e, math.Abs(float64(got[i]-want[i])))
		}
		return e
	}
	rms := func(x []float32) float64 {
		var s float64
		for _, v := range x[len(x)/10 : len(x)*9/10] {
			s += float64(v) * float64(v)
		}
		return math.Sqrt(s / float64(len(x)*8/10))
	}
	for _, c := range []struct {
		from, to int
		hz       float64
	}{
		{44100, 16000, 1000},
		{16000, 44100, 3000},
		{48000, 44100, 7000},
		{22050, 16000, 5000},
		{44056, 16000, 2500}, // 2000 phases: rounded to 4096
		{16000, 8000, 3000},
	} {
		n := c.from / 2
		got := Resample(sine(c.hz, c.from, n), c.from, c.to)
		if len(got) != n*c.to/c.from {
			t.Errorf("%d → %d: %d samples", c.from, c.to, len(got))
		}
		if e := worst(got, sine(c.hz, c.to, len(got))); e > 1e-3 {
			t.Errorf("%d → %d, %.0f Hz: error %.2g", c.from, c.to, c.hz, e)
		}
	}
	// Above the new Nyquist frequency: removed.
	if r := rms(Resample(sine(10000, 44100, 22050), 44100, 16000)); r > 1e-3 {
		t.Errorf("10 kHz at 16 kHz: RMS %.2g", r)
	}
	// There and back keeps the band below 7.5 kHz.
	x := sine(6000, 44100, 44100)
	if e := worst(Resample(Resample(x, 44100, 16000), 16000, 44100), x); e > 2e-3 {
		t.Errorf("44.1 → 16 → 44.1 kHz, 6 kHz: error %.2g", e)
	}
	if got := To(x, 44100, 16000, 100); len(got) != 100 {
		t.Error("resampleTo: wrong length")
	}
}
