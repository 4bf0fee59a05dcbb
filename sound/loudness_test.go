package sound

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"miaobi/label"
	"miaobi/sound/pcm"
)

// The K-weighting filters at 48 kHz are the coefficients BS.1770-4
// prints (Tables 1 and 2).
func TestKWeighting48k(t *testing.T) {
	f := kWeighting(48000)
	want := [2]biquad{
		{1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585},
		{1, -2, 1, -1.99004745483398, 0.99007225036621},
	}
	for s := range 2 {
		got := []float64{f[s].b0, f[s].b1, f[s].b2, f[s].a1, f[s].a2}
		exp := []float64{want[s].b0, want[s].b1, want[s].b2, want[s].a1, want[s].a2}
		for i := range got {
			if math.Abs(got[i]-exp[i]) > 1e-8 {
				t.Errorf("stage %d coefficient %d: %.14f, want %.14f", s+1, i, got[i], exp[i])
			}
		}
	}
}

// testSignal builds seconds of sound: a sine, noise, or a plucked-like
// decaying tone burst every half second (peaky, as Miaobi's music is),
// at a given peak level.
func testSignal(kind string, seconds float64, rate, channels int, dbfs float64, seed uint64) *pcm.Audio {
	n := int(seconds * float64(rate))
	a := &pcm.Audio{Rate: rate, Channels: channels, Samples: make([]float32, n*channels)}
	amp := math.Pow(10, dbfs/20)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i := range n {
		tm := float64(i) / float64(rate)
		var v float64
		switch kind {
		case "sine":
			v = math.Sin(2 * math.Pi * 997 * tm)
		case "noise":
			v = rng.Float64()*2 - 1
		case "plucks":
			ph := math.Mod(tm, 0.5)
			f := 220 * math.Pow(2, math.Floor(tm/0.5)/5)
			v = math.Exp(-6*ph) * (math.Sin(2*math.Pi*f*tm) + 0.5*math.Sin(4*math.Pi*f*tm))
		case "gated": // loud for 3 s, then very quiet
			v = math.Sin(2 * math.Pi * 440 * tm)
			if tm > 3 {
				v *= 0.001
			}
		}
		for ch := range channels {
			a.Samples[i*channels+ch] = float32(amp * v * (1 - 0.2*float64(ch)))
		}
	}
	return a
}

// ffmpegLoudness measures a sound with FFmpeg's ebur128 filter.
func ffmpegLoudness(t *testing.T, a *pcm.Audio) Loudness {
	t.Helper()
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ffmpeg is needed (apt-get install ffmpeg)")
		}
		t.Skip("ffmpeg is not installed")
	}
	path := filepath.Join(t.TempDir(), "x.wav")
	if err := os.WriteFile(path, EncodeWAV(a), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ff, "-hide_banner", "-nostats", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	summary := regexp.MustCompile(`(?s)Summary:.*`).Find(out)
	i := regexp.MustCompile(`I:\s+(-?[0-9.]+|-inf) LUFS`).FindSubmatch(summary)
	p := regexp.MustCompile(`Peak:\s+(-?[0-9.]+|-inf) dBFS`).FindSubmatch(summary)
	if i == nil || p == nil {
		t.Fatalf("no loudness in ffmpeg's summary:\n%s", summary)
	}
	num := func(b []byte) float64 {
		if string(b) == "-inf" {
			return math.Inf(-1)
		}
		v, _ := strconv.ParseFloat(string(b), 64)
		return v
	}
	return Loudness{Integrated: num(i[1]), TruePeak: num(p[1])}
}

// Measure agrees with FFmpeg's ebur128 (which prints one decimal) within
// 0.15 LU and 0.15 dB of true peak, at several rates and channel counts.
func TestMeasureAgainstFFmpeg(t *testing.T) {
	cases := []struct {
		kind     string
		rate, ch int
		dbfs     float64
	}{
		{"sine", 48000, 2, -20},
		{"sine", 44100, 1, -12},
		{"noise", 48000, 2, -18},
		{"noise", 22050, 1, -25},
		{"plucks", 48000, 2, -6},
		{"plucks", 44100, 2, -3},
		{"gated", 48000, 2, -10},
	}
	for _, c := range cases {
		a := testSignal(c.kind, 6, c.rate, c.ch, c.dbfs, 1)
		a = roundTrip16(t, a) // what FFmpeg reads: 16-bit samples
		got, err := Measure(a)
		if err != nil {
			t.Fatal(err)
		}
		want := ffmpegLoudness(t, a)
		t.Logf("%s %d Hz × %d at %g dBFS: Miaobi %.2f LUFS %.2f dBTP; ffmpeg %.1f LUFS %.1f dBTP", c.kind, c.rate, c.ch, c.dbfs, got.Integrated, got.TruePeak, want.Integrated, want.TruePeak)
		if math.Abs(got.Integrated-want.Integrated) > 0.15 {
			t.Errorf("%s %d×%d: integrated %.2f LUFS, ffmpeg %.1f", c.kind, c.rate, c.ch, got.Integrated, want.Integrated)
		}
		if math.Abs(got.TruePeak-want.TruePeak) > 0.15 {
			t.Errorf("%s %d×%d: true peak %.2f dBTP, ffmpeg %.1f", c.kind, c.rate, c.ch, got.TruePeak, want.TruePeak)
		}
	}
}

// roundTrip16 is a as a 16-bit WAV reads back.
func roundTrip16(t *testing.T, a *pcm.Audio) *pcm.Audio {
	t.Helper()
	b, err := label.DecodeWAV(EncodeWAV(a))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Normalize reaches −16 LUFS within 0.1 LU (by its own measure) with the
// true peak at or under −1 dBTP, for quiet, loud and peaky sounds; FFmpeg
// agrees within ±1 LU and reads the peak at most −0.9 dBTP.
func TestNormalize(t *testing.T) {
	for _, c := range []struct {
		kind string
		dbfs float64
	}{{"sine", -30}, {"noise", -3}, {"plucks", -1}, {"plucks", -40}} {
		a := testSignal(c.kind, 5, 48000, 2, c.dbfs, 2)
		out, l, err := Normalize(a, TargetLUFS, CeilingTP)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(l.Integrated-TargetLUFS) > 0.1 || l.TruePeak > CeilingTP+1e-9 {
			t.Errorf("%s at %g dBFS: %.2f LUFS, %.2f dBTP", c.kind, c.dbfs, l.Integrated, l.TruePeak)
		}
		ff := ffmpegLoudness(t, out)
		if math.Abs(ff.Integrated-TargetLUFS) > 1 || ff.TruePeak > -0.9 {
			t.Errorf("%s at %g dBFS: ffmpeg reads %.1f LUFS, %.1f dBTP", c.kind, c.dbfs, ff.Integrated, ff.TruePeak)
		}
	}
	// Silence stays silence.
	silent := &pcm.Audio{Rate: 48000, Channels: 1, Samples: make([]float32, 48000)}
	out, l, err := Normalize(silent, TargetLUFS, CeilingTP)
	if err != nil || !math.IsInf(l.Integrated, -1) || out.Samples[100] != 0 {
		t.Errorf("silence: %+v %v", l, err)
	}
	if _, err := Measure(&pcm.Audio{Rate: 0, Channels: 1}); err == nil {
		t.Error("a sound without a rate was measured")
	}
}

func BenchmarkTruePeak(b *testing.B) {
	a := testSignal("plucks", 10, 48000, 2, -1, 1)
	for b.Loop() {
		truePeak(a)
	}
}
