package watermark

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"miaobi/label/internal/mediatest"
)

// audioAccuracy is the share of the 306 code bits whose sign the best read
// got right, before error correction.
func audioAccuracy(d *audioDetector, p Payload) float64 {
	coded := encode(p)
	ok := 0
	for i, b := range coded {
		if (d.soft[i] > 0) == (b == 0) {
			ok++
		}
	}
	return float64(ok) / float64(len(coded))
}

func TestAudioWatermarkRoundTrip(t *testing.T) {
	p := PayloadOf("audio round trip")
	for _, c := range []struct {
		name string
		a    *Audio
	}{
		{"music mono 44.1k", mediatest.Music(51, 12, 44100, 1)},
		{"music stereo 48k", mediatest.Music(52, 12, 48000, 2)},
		{"music 4 channels 96k", mediatest.Music(53, 6, 96000, 4)},
		{"speech-like 22.05k", mediatest.SpeechLike(54, 12, 22050)},
		{"speech-like 16k", mediatest.SpeechLike(55, 12, 16000)},
		{"speech-like 11.025k", mediatest.SpeechLike(56, 12, 11025)},
		{"chord", mediatest.Tone(12, 44100, 261.63, 329.63, 392)},
		{"pink noise, 30 s", mediatest.Noise(57, 30, 44100, 0.1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.a.Clone()
			if err := EmbedAudio(m, p); err != nil {
				t.Fatal(err)
			}
			snr := mediatest.SNR(c.a, m)
			d := detectAudio(m)
			t.Logf("SNR %.1f dB; found=%v, code bits right %.3f, confidence %.2f", snr, d.best.Found, audioAccuracy(d, p), d.best.Confidence)
			if !d.best.Found || d.best.Payload != p {
				t.Fatalf("read %+v", d.best)
			}
			if snr < 25 {
				t.Errorf("SNR %.1f dB: under 25", snr)
			}
			again := c.a.Clone()
			EmbedAudio(again, p)
			for i := range again.Samples {
				if again.Samples[i] != m.Samples[i] {
					t.Fatal("marking twice gave different samples")
				}
			}
		})
	}
}

func TestAudioWatermarkErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		a    *Audio
		want string
	}{
		{"nil", nil, "none"},
		{"8 kHz", &Audio{Rate: 8000, Channels: 1, Samples: make([]float32, 8000)}, "at least 11025"},
		{"no channels", &Audio{Rate: 44100}, "0 channels"},
		{"empty", &Audio{Rate: 44100, Channels: 2}, "no samples"},
	} {
		if err := EmbedAudio(c.a, 1); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.want)
		}
	}
	for _, a := range []*Audio{nil, {Rate: 44100, Channels: 1}, {Rate: 8000, Channels: 1, Samples: make([]float32, 80000)}, {Rate: 44100, Channels: 1, Samples: make([]float32, 44100*5)}} {
		if d := DetectAudio(a); d.Found {
			t.Errorf("found a watermark in %v", a)
		}
	}
	// A short sound is marked, but three seconds are needed to read it.
	short := mediatest.Music(58, 0.5, 44100, 1)
	if err := EmbedAudio(short, 1); err != nil {
		t.Error(err)
	}
}

// auMarked caches the marked sounds the robustness test and the
// benchmarks share.
var (
	auMarkedOnce sync.Once
	auMarkedList []auSound
)

type auSound struct {
	name       string
	orig, mark *Audio
	snr        float64
	took       time.Duration
}

const auPayloadID = "robustness"

func auMarkedSounds(t testing.TB) []auSound {
	auMarkedOnce.Do(func() {
		p := PayloadOf(auPayloadID)
		for _, s := range []struct {
			name string
			a    *Audio
		}{
			{"music mono 44.1 kHz, 45 s", mediatest.Music(41, 45, 44100, 1)},
			{"music stereo 44.1 kHz, 45 s", mediatest.Music(42, 45, 44100, 2)},
			{"speech-like mono 22.05 kHz, 45 s", mediatest.SpeechLike(43, 45, 22050)},
		} {
			m := s.a.Clone()
			start := time.Now()
			if err := EmbedAudio(m, p); err != nil {
				panic(err)
			}
			auMarkedList = append(auMarkedList, auSound{s.name, s.a, m, mediatest.SNR(s.a, m), time.Since(start)})
		}
	})
	return auMarkedList
}

// TestAudioWatermarkRobustness attacks the marked sounds and reads 10 s
// pieces of them; it logs the results as a Markdown table and requires
// every piece to be read after the attacks the watermark is meant for.
func TestAudioWatermarkRobustness(t *testing.T) {
	mediatest.NeedTools(t, "lame", "ffmpeg")
	sounds := auMarkedSounds(t)
	p := PayloadOf(auPayloadID)
	for _, s := range sounds {
		t.Logf("%s: SNR of the marked sound %.1f dB (marked in %v)", s.name, s.snr, s.took.Round(time.Millisecond))
		if s.snr < 25 {
			t.Errorf("%s: SNR %.1f dB, under 25", s.name, s.snr)
		}
	}
	mp3 := func(kbps int) func(*Audio) *Audio {
		return func(a *Audio) *Audio { return mediatest.DecodeMP3(t, mediatest.MP3(t, a, kbps)) }
	}
	scale := func(k float32) func(*Audio) *Audio {
		return func(a *Audio) *Audio {
			b := a.Clone()
			for i := range b.Samples {
				b.Samples[i] *= k
			}
			return b
		}
	}
	there := func(rate int) func(*Audio) *Audio {
		return func(a *Audio) *Audio { return mediatest.Resample(mediatest.Resample(a, rate), a.Rate) }
	}
	attacks := []struct {
		name     string
		required bool
		crop     float64 // seconds kept (0: the whole sound)
		attack   func(*Audio) *Audio
	}{
		{"none (whole sound)", true, 0, nil},
		{"crop to 10 s", true, 10, nil},
		{"MP3 128 kbit/s (lame), 10 s", true, 10, mp3(128)},
		{"MP3 64 kbit/s (lame), 10 s", true, 10, mp3(64)},
		{"resample to 16 kHz and back, 10 s", true, 10, there(16000)},
		{"white noise at 20 dB SNR, 10 s", true, 10, func(a *Audio) *Audio { return mediatest.Noisy(a, 20, 9) }},
		{"volume −12 dB, 10 s", false, 10, scale(0.25)},
		{"polarity inverted, 10 s", false, 10, scale(-1)},
		{"MP3 64 kbit/s, then noise at 20 dB SNR, 10 s", false, 10, func(a *Audio) *Audio { return mediatest.Noisy(mp3(64)(a), 20, 10) }},
		{"MP3 32 kbit/s (lame), 10 s", false, 10, mp3(32)},
		{"resample to 8 kHz and back, 10 s", false, 10, there(8000)},
		{"white noise at 10 dB SNR, 10 s", false, 10, func(a *Audio) *Audio { return mediatest.Noisy(a, 10, 11) }},
		{"crop to 5 s", false, 5, nil},
	}
	offsets := []float64{0.7, 11.3, 22.9, 33.1}
	var table strings.Builder
	table.WriteString("| attack | code-bit accuracy before decoding (mean / worst) | detection (payload right) | lowest correlation of a read |\n|---|---|---|---|\n")
	for _, at := range attacks {
		var accSum, accMin, corrMin float64 = 0, 1, 1
		found, total := 0, 0
		var misses []string
		for _, s := range sounds {
			x := s.mark
			if at.attack != nil {
				x = at.attack(x)
			}
			pieces := []*Audio{x}
			if at.crop > 0 {
				pieces = nil
				for _, off := range offsets {
					pieces = append(pieces, mediatest.Crop(x, off, at.crop))
				}
			}
			for i, piece := range pieces {
				d := detectAudio(piece)
				acc := audioAccuracy(d, p)
				accSum += acc
				accMin = math.Min(accMin, acc)
				total++
				if d.best.Found && d.best.Payload == p {
					found++
					corrMin = math.Min(corrMin, d.corr)
				} else {
					misses = append(misses, fmt.Sprintf("%s piece %d (accuracy %.3f)", s.name, i, acc))
				}
			}
		}
		fmt.Fprintf(&table, "| %s | %.3f / %.3f | %d/%d | %.3f |\n", at.name, accSum/float64(total), accMin, found, total, corrMin)
		if at.required && found < total {
			t.Errorf("%s: not read in %s", at.name, strings.Join(misses, ", "))
		}
	}
	t.Logf("robustness (3 sounds, pieces cut at %v s):\n%s", offsets, table.String())
}

// TestAudioWatermarkFalsePositives reads unmarked sounds, whole and in
// 10 s pieces: nothing may be found. The keyed check bounds the chance
// of a false read; the test also logs the highest code-word correlation
// noise reached, which audioMinCorr must stay above.
func TestAudioWatermarkFalsePositives(t *testing.T) {
	type src struct {
		name string
		a    *Audio
	}
	var sounds []src
	for i := uint64(0); i < 4; i++ {
		sounds = append(sounds, src{fmt.Sprintf("music mono %d", i), mediatest.Music(60+i, 30, 44100, 1)})
	}
	for i := uint64(0); i < 2; i++ {
		sounds = append(sounds, src{fmt.Sprintf("music stereo %d", i), mediatest.Music(70+i, 30, 44100, 2)})
		sounds = append(sounds, src{fmt.Sprintf("speech-like %d", i), mediatest.SpeechLike(80+i, 30, 22050)})
	}
	sounds = append(sounds,
		src{"tone 800 Hz", mediatest.Tone(30, 44100, 800)},
		src{"chord C E G", mediatest.Tone(30, 44100, 261.63, 329.63, 392)},
		src{"tones 1 and 3 kHz", mediatest.Tone(30, 48000, 1000, 3000)},
		src{"white noise", mediatest.Noise(90, 30, 44100, 1)},
		src{"pink-ish noise", mediatest.Noise(91, 30, 44100, 0.1)},
		src{"dark noise", mediatest.Noise(92, 30, 44100, 0.02)},
		src{"beeps and silence", func() *Audio {
			// Short, long, short, short beeps, then silence (the shape of
			// label's audible cue, which label's tests also check).
			a := &Audio{Rate: 44100, Channels: 1, Samples: make([]float32, 44100*30)}
			at := 0
			for _, d := range []float64{0.15, 0.45, 0.15, 0.15} {
				tone := mediatest.Tone(d, 44100, 880)
				copy(a.Samples[at:], tone.Samples)
				at += len(tone.Samples) + 44100/10
			}
			return a
		}()},
		src{"faint noise (−80 dB)", func() *Audio {
			a := mediatest.Noise(93, 30, 44100, 1)
			for i := range a.Samples {
				a.Samples[i] *= 1e-4
			}
			return a
		}()},
	)
	calls, decodes := 0, 0
	worst, worstAt := -1.0, ""
	for _, s := range sounds {
		pieces := []*Audio{s.a}
		for off := 0.0; off+10 <= 30; off += 5 {
			pieces = append(pieces, mediatest.Crop(s.a, off, 10))
		}
		for i, piece := range pieces {
			d := detectAudio(piece)
			calls++
			decodes += d.attempts
			if d.best.Found {
				t.Errorf("%s piece %d: found %+v", s.name, i, d.best)
			}
			if d.corr > worst {
				worst, worstAt = d.corr, fmt.Sprintf("%s piece %d", s.name, i)
			}
		}
	}
	t.Logf("%d unmarked sounds, %d reads (whole and 10 s pieces), %d decodes: none found; highest code-word correlation %.3f (%s), threshold %.2f; bound per read %d·2⁻³² = %.1e",
		len(sounds), calls, decodes, worst, worstAt, audioMinCorr, audioMaxAttempts, audioMaxAttempts/math.Pow(2, 32))
	if worst >= audioMinCorr {
		t.Errorf("noise reached a correlation of %.3f, over the threshold %.2f", worst, audioMinCorr)
	}
}

func auMinute(b *testing.B) *Audio {
	b.Helper()
	return mediatest.Music(99, 60, 44100, 2)
}

// BenchmarkWatermarkAudio marks a minute of 44.1 kHz stereo.
func BenchmarkWatermarkAudio(b *testing.B) {
	a := auMinute(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := a.Clone()
		if err := EmbedAudio(m, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectAudioWatermark reads a marked minute of 44.1 kHz stereo.
func BenchmarkDetectAudioWatermark(b *testing.B) {
	a := auMinute(b)
	if err := EmbedAudio(a, 1); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d := DetectAudio(a); !d.Found {
			b.Fatal("not found")
		}
	}
}

// BenchmarkDetectAudioWatermarkUnmarked reads an unmarked minute, which
// costs the most: the whole sound, then 10 s windows.
func BenchmarkDetectAudioWatermarkUnmarked(b *testing.B) {
	a := auMinute(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if d := DetectAudio(a); d.Found {
			b.Fatal("found")
		}
	}
}
