package mediatest

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"miaobi/label/internal/resample"
	"miaobi/sound/pcm"
)

// Synthetic test sounds and the external tools (lame, ffmpeg) the audio
// tests of label and label/watermark use.

// Music synthesises seconds of music-like sound: a chord progression
// of harmonic tones with plucked or bowed envelopes, a bass line, a melody
// with vibrato, noise bursts on the beat (hi-hat and snare) and a kick
// drum, each voice panned somewhere when stereo. Peak about 0.8.
func Music(seed uint64, seconds float64, rate, channels int) *pcm.Audio {
	rng := rand.New(rand.NewPCG(seed, 0x6d757369))
	n := int(seconds * float64(rate))
	out := make([][]float64, channels)
	for c := range out {
		out[c] = make([]float64, n)
	}
	pan := func(p float64) []float64 { // p in −1 … 1
		if channels == 1 {
			return []float64{1}
		}
		g := make([]float64, channels)
		for c := range g {
			pos := float64(c)/float64(channels-1)*2 - 1
			g[c] = math.Cos((pos - p) * math.Pi / 4)
		}
		return g
	}
	addNote := func(start, dur, f0, amp float64, harmonics int, bright float64, pluck bool, vib float64, gains []float64) {
		s0 := int(start * float64(rate))
		length := int((dur + 0.3) * float64(rate))
		phase := make([]float64, harmonics)
		amps := make([]float64, harmonics)
		for h := range phase {
			phase[h] = rng.Float64()
			amps[h] = math.Pow(float64(h+1), -bright)
		}
		for i := 0; i < length && s0+i < n; i++ {
			t := float64(i) / float64(rate)
			var env float64
			switch {
			case pluck:
				env = math.Min(1, t/0.005) * math.Exp(-t*3/dur)
			case t < 0.04:
				env = t / 0.04
			case t < dur:
				env = 1 - 0.2*(t-0.04)/dur
			default:
				env = 0.8 * math.Exp(-(t-dur)*15)
			}
			f := f0 * (1 + vib*math.Sin(2*math.Pi*5.5*t))
			var v float64
			for h := 1; h <= harmonics; h++ {
				fh := f * float64(h)
				if fh > 0.45*float64(rate) {
					break
				}
				v += amps[h-1] * sinCycles(fh*t+phase[h-1])
			}
			v *= amp * env
			for c, g := range gains {
				out[c][s0+i] += v * g
			}
		}
	}
	addNoise := func(start, dur, amp, colour float64, gains []float64) {
		s0 := int(start * float64(rate))
		var lp float64
		for i := 0; i < int(dur*float64(rate)) && s0+i < n; i++ {
			t := float64(i) / float64(rate)
			w := rng.NormFloat64()
			lp += colour * (w - lp) // colour 1: white; small: dark
			v := amp * (w - lp*0.5) * math.Exp(-t*40)
			for c, g := range gains {
				out[c][s0+i] += v * g
			}
		}
	}
	addKick := func(start, amp float64, gains []float64) {
		s0 := int(start * float64(rate))
		var ph float64
		for i := 0; i < int(0.25*float64(rate)) && s0+i < n; i++ {
			t := float64(i) / float64(rate)
			ph += 2 * math.Pi * (50 + 100*math.Exp(-t*30)) / float64(rate)
			v := amp * math.Sin(ph) * math.Exp(-t*12)
			for c, g := range gains {
				out[c][s0+i] += v * g
			}
		}
	}
	scale := []int{0, 2, 4, 5, 7, 9, 11}
	root := 45 + rng.IntN(12) // MIDI A2 … G#3
	midi := func(m int) float64 { return 440 * math.Pow(2, float64(m-69)/12) }
	beat := 60 / (80 + 60*rng.Float64())
	chordPan, bassPan, melPan := pan(-0.5), pan(0), pan(0.6)
	hatPan, snarePan := pan(0.4), pan(-0.2)
	pluck := rng.IntN(2) == 0
	for bar := 0.0; bar*4*beat < seconds; bar++ {
		t0 := bar * 4 * beat
		deg := []int{0, 5, 3, 4}[int(bar)%4]
		for k := 0; k < 3; k++ {
			d := deg + 2*k
			m := root + 12 + scale[d%7] + 12*(d/7)
			addNote(t0, 4*beat, midi(m), 0.08, 10, 1.2, pluck, 0, chordPan)
		}
		addNote(t0, 2*beat, midi(root+scale[deg%7]-12+12*(deg/7)), 0.15, 6, 1.5, false, 0, bassPan)
		addNote(t0+2*beat, 2*beat, midi(root+scale[(deg+4)%7]-12), 0.12, 6, 1.5, false, 0, bassPan)
		for b := 0; b < 8; b++ {
			if rng.IntN(4) > 0 {
				m := root + 24 + scale[rng.IntN(7)]
				addNote(t0+float64(b)*beat/2, beat/2*0.9, midi(m), 0.07, 8, 1.0, false, 0.004, melPan)
			}
			addNoise(t0+float64(b)*beat/2, 0.08, 0.03, 0.9, hatPan)
		}
		addKick(t0, 0.3, pan(0))
		addKick(t0+2*beat, 0.3, pan(0))
		addNoise(t0+beat, 0.2, 0.12, 0.3, snarePan)
		addNoise(t0+3*beat, 0.2, 0.12, 0.3, snarePan)
	}
	return Pack(out, rate, 0.8)
}

// sinTable holds one period of the sine for sinCycles.
var sinTable = func() []float64 {
	t := make([]float64, 1<<14+1)
	for i := range t {
		t[i] = math.Sin(2 * math.Pi * float64(i) / (1 << 14))
	}
	return t
}()

// sinCycles is sin(2π·cycles), from a table (error under 10⁻⁷): the synthesis
// of long test sounds would otherwise spend most of the tests' time.
func sinCycles(cycles float64) float64 {
	x := (cycles - math.Floor(cycles)) * (1 << 14)
	i := int(x)
	f := x - float64(i)
	return sinTable[i]*(1-f) + sinTable[i+1]*f
}

// SpeechLike synthesises a speech-like sound: a voiced source (120–220 Hz
// with intonation) through three moving formants, amplitude-modulated by
// syllables of 150–300 ms with pauses, and some fricative noise.
func SpeechLike(seed uint64, seconds float64, rate int) *pcm.Audio {
	rng := rand.New(rand.NewPCG(seed, 0x73706565))
	n := int(seconds * float64(rate))
	x := make([]float64, n)
	f0 := 120 + 100*rng.Float64()
	var ph float64
	formants := [3]float64{700, 1200, 2600}
	var syl, sylLen float64 = 0, 0.2
	var target [3]float64 = formants
	var voiced = true
	var lp float64
	for i := range x {
		t := float64(i) / float64(rate)
		if t-syl > sylLen {
			syl, sylLen = t, 0.15+0.15*rng.Float64()
			voiced = rng.IntN(6) > 0
			if rng.IntN(5) == 0 {
				voiced = false
				sylLen = 0.3 // pause
			}
			for k := range target {
				target[k] = []float64{300 + 600*rng.Float64(), 900 + 1300*rng.Float64(), 2300 + 800*rng.Float64()}[k]
			}
		}
		for k := range formants {
			formants[k] += (target[k] - formants[k]) * 0.001
		}
		u := (t - syl) / sylLen
		env := math.Sin(math.Pi * u)
		f := f0 * (1 + 0.15*math.Sin(2*math.Pi*0.3*t))
		ph += 2 * math.Pi * f / float64(rate)
		var v float64
		if voiced {
			for h := 1; float64(h)*f < 0.45*float64(rate) && h < 40; h++ {
				fh := float64(h) * f
				var g float64
				for k, fm := range formants {
					bw := 80.0 + 40*float64(k)
					d := (fh - fm) / bw
					g += 1 / (1 + d*d) / float64(k+1)
				}
				v += g * sinCycles(float64(h)*ph/(2*math.Pi)) / math.Sqrt(float64(h))
			}
			v *= 0.3 * env
		} else if sylLen < 0.3 {
			w := rng.NormFloat64()
			lp += 0.5 * (w - lp)
			v = 0.05 * (w - lp) * env
		}
		x[i] = v
	}
	return Pack([][]float64{x}, rate, 0.7)
}

// Tone is a steady chord of pure tones (hz) with a slow tremolo.
func Tone(seconds float64, rate int, hz ...float64) *pcm.Audio {
	n := int(seconds * float64(rate))
	x := make([]float64, n)
	for i := range x {
		t := float64(i) / float64(rate)
		for k, f := range hz {
			x[i] += sinCycles(f*t+float64(k)/7) * (1 + 0.1*math.Sin(2*math.Pi*0.5*t))
		}
	}
	return Pack([][]float64{x}, rate, 0.5)
}

// Noise is noise: colour 1 white, smaller values darker (a one-pole
// low-pass of that coefficient).
func Noise(seed uint64, seconds float64, rate int, colour float64) *pcm.Audio {
	rng := rand.New(rand.NewPCG(seed, 0x6e6f6973))
	x := make([]float64, int(seconds*float64(rate)))
	var lp float64
	for i := range x {
		lp += colour * (rng.NormFloat64() - lp)
		x[i] = lp
	}
	return Pack([][]float64{x}, rate, 0.5)
}

// Pack interleaves channels and scales the peak to peak.
func Pack(ch [][]float64, rate int, peak float64) *pcm.Audio {
	var m float64
	for _, c := range ch {
		for _, v := range c {
			m = math.Max(m, math.Abs(v))
		}
	}
	k := 1.0
	if m > 0 {
		k = peak / m
	}
	a := &pcm.Audio{Rate: rate, Channels: len(ch), Samples: make([]float32, len(ch)*len(ch[0]))}
	for c, x := range ch {
		for i, v := range x {
			a.Samples[i*len(ch)+c] = float32(v * k)
		}
	}
	return a
}

// Crop cuts from seconds start, length seconds long.
func Crop(a *pcm.Audio, start, length float64) *pcm.Audio {
	s := int(start*float64(a.Rate)) * a.Channels
	e := min(len(a.Samples), s+int(length*float64(a.Rate))*a.Channels)
	return &pcm.Audio{Rate: a.Rate, Channels: a.Channels, Samples: append([]float32(nil), a.Samples[s:e]...)}
}

// Resample resamples every channel (the test's attack).
func Resample(a *pcm.Audio, to int) *pcm.Audio {
	out := &pcm.Audio{Rate: to, Channels: a.Channels}
	var chans [][]float32
	for c := 0; c < a.Channels; c++ {
		chans = append(chans, resample.Resample(a.Channel(c), a.Rate, to))
	}
	out.Samples = make([]float32, len(chans[0])*a.Channels)
	for c, x := range chans {
		for i, v := range x {
			out.Samples[i*a.Channels+c] = v
		}
	}
	return out
}

// Noisy adds white Gaussian noise snr dB below the sound's power.
func Noisy(a *pcm.Audio, snr float64, seed uint64) *pcm.Audio {
	rng := rand.New(rand.NewPCG(seed, 0x6e6f6979))
	var p float64
	for _, v := range a.Samples {
		p += float64(v) * float64(v)
	}
	p /= float64(len(a.Samples))
	sd := math.Sqrt(p / math.Pow(10, snr/10))
	out := a.Clone()
	for i := range out.Samples {
		out.Samples[i] += float32(sd * rng.NormFloat64())
	}
	return out
}

// SNR is the ratio of the original's power to the change's, in dB.
func SNR(orig, marked *pcm.Audio) float64 {
	var s, d float64
	for i, v := range orig.Samples {
		e := float64(marked.Samples[i]) - float64(v)
		s += float64(v) * float64(v)
		d += e * e
	}
	return 10 * math.Log10(s/d)
}

// NeedTools skips the test when a tool is missing, unless CI is set
// (make test installs them): then it fails.
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed (apt-get install ffmpeg lame): %v", tool, err)
			}
			t.Skipf("%s is not installed (apt-get install ffmpeg lame)", tool)
		}
	}
}

// Run runs a command, failing the test with its output on error.
func Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}

// MP3 encodes a with lame at kbps (CBR) and returns the MP3 file.
func MP3(t testing.TB, a *pcm.Audio, kbps int) []byte {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.mp3")
	if err := os.WriteFile(in, WAV16(a), 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, "lame", "--quiet", "-b", strconv.Itoa(kbps), in, out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// DecodeMP3 decodes an MP3 file with ffmpeg.
func DecodeMP3(t testing.TB, mp3 []byte) *pcm.Audio {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.mp3"), filepath.Join(dir, "out.wav")
	if err := os.WriteFile(in, mp3, 0o644); err != nil {
		t.Fatal(err)
	}
	Run(t, "ffmpeg", "-v", "error", "-y", "-i", in, "-c:a", "pcm_s16le", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	a, err := decodeWAV16(b)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// WAV16 writes 16-bit PCM WAV for the command-line tools (lame); label's
// own writer is not used, so that label/watermark's tests can use this.
func WAV16(a *pcm.Audio) []byte {
	data := len(a.Samples) * 2
	b := make([]byte, 44, 44+data)
	copy(b, "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1)
	binary.LittleEndian.PutUint16(b[22:], uint16(a.Channels))
	binary.LittleEndian.PutUint32(b[24:], uint32(a.Rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(a.Rate*a.Channels*2))
	binary.LittleEndian.PutUint16(b[32:], uint16(a.Channels*2))
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	for _, v := range a.Samples {
		x := int32(math.Round(float64(v) * 32767))
		x = max(-32768, min(32767, x))
		b = binary.LittleEndian.AppendUint16(b, uint16(int16(x)))
	}
	return b
}

// decodeWAV16 reads the 16-bit PCM WAV that ffmpeg writes (chunks other
// than fmt and data skipped).
func decodeWAV16(b []byte) (*pcm.Audio, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, fmt.Errorf("not a WAV file")
	}
	a := &pcm.Audio{}
	for i := 12; i+8 <= len(b); {
		id, n := string(b[i:i+4]), int(binary.LittleEndian.Uint32(b[i+4:]))
		body := b[i+8 : min(len(b), i+8+n)]
		switch id {
		case "fmt ":
			if len(body) < 16 || binary.LittleEndian.Uint16(body[14:]) != 16 {
				return nil, fmt.Errorf("not 16-bit PCM")
			}
			a.Channels = int(binary.LittleEndian.Uint16(body[2:]))
			a.Rate = int(binary.LittleEndian.Uint32(body[4:]))
		case "data":
			for k := 0; k+1 < len(body); k += 2 {
				a.Samples = append(a.Samples, float32(int16(binary.LittleEndian.Uint16(body[k:])))/32768)
			}
		}
		i += 8 + n + n%2
	}
	if a.Channels == 0 {
		return nil, fmt.Errorf("no fmt chunk")
	}
	return a, nil
}
