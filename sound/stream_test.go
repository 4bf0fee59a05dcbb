package sound

import (
	"context"
	"errors"
	"math"
	"os/exec"
	"testing"

	"miaobi/label"
	"miaobi/sound/pcm"
)

// Render and Play are inverses on 48 kHz stereo; Play resamples and
// spreads mono.
func TestRenderPlay(t *testing.T) {
	a := testSignal("sine", 1, Rate, 2, -6, 1)
	s, err := Play(a)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if b.Frames() != a.Frames() || b.Samples[1001] != a.Samples[1001] {
		t.Errorf("round trip: %d frames of %d", b.Frames(), a.Frames())
	}
	mono := testSignal("sine", 1, 24000, 1, -6, 1)
	s, err = Play(mono)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(c.Frames()-Rate)) > 64 || c.Samples[2000] != c.Samples[2001] {
		t.Errorf("mono at 24 kHz played as %d frames at 48 kHz; L %v R %v", c.Frames(), c.Samples[2000], c.Samples[2001])
	}
	if _, err := Play(&pcm.Audio{Rate: 0, Channels: 2}); err == nil {
		t.Error("no rate played")
	}
}

// Decode reads WAV and MP3 (an MP3 made by FFmpeg from a known tone
// decodes to that tone's length and level), and refuses the rest.
func TestDecode(t *testing.T) {
	a := testSignal("sine", 2, 44100, 2, -6, 1)
	wav := EncodeWAV(a)
	b, err := Decode(wav)
	if err != nil || b.Frames() != a.Frames() {
		t.Fatalf("WAV: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("RIFF"), []byte("ID3\x04\x00\x00\x00\x00\x00\x00"), []byte("hello"), wav[:44]} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	mp3, err := Transcode(context.Background(), wav, "mp3")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(mp3)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := Measure(m)
	want, _ := Measure(a)
	if m.Rate != 44100 || math.Abs(float64(m.Frames()-a.Frames())) > 3000 || math.Abs(l.Integrated-want.Integrated) > 0.3 {
		t.Errorf("MP3: %d Hz, %d frames (want about %d), %.2f LUFS (want %.2f)", m.Rate, m.Frames(), a.Frames(), l.Integrated, want.Integrated)
	}
	if _, err := Transcode(context.Background(), wav, "xyz"); !errors.Is(err, ErrFormat) {
		t.Errorf("unknown target: %v", err)
	}
}

// Encode labels every sound: WAV and MP3 read back with the cue, the
// watermark and the metadata, and MP3's true peak stays under the
// ceiling after lossy coding.
func TestEncodeLabelled(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed")
	}
	v, err := VerseOf(testLines, 2, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Compose(v, Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Render()
	if err != nil {
		t.Fatal(err)
	}
	p := label.Provenance{ProduceID: "music-test", AIGenerated: true, Layers: label.AllLayers}
	p.Layers.C2PA = false
	for _, format := range []string{"wav", "mp3"} {
		file, err := Encode(context.Background(), a, format, p)
		if err != nil {
			t.Fatal(err)
		}
		r, err := label.VerifyAudio(file)
		if err != nil || r.Format != format || !r.Explicit.Found || !r.Implicit.Found || !r.Watermark.Found || r.WatermarkMatches == nil || !*r.WatermarkMatches {
			t.Errorf("%s: %+v %v", format, r, err)
		}
		back, err := Decode(file)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := Measure(back)
		t.Logf("%s: %.2f LUFS, %.2f dBTP", format, l.Integrated, l.TruePeak)
		if l.TruePeak > CeilingTP+0.05 || math.Abs(l.Integrated-TargetLUFS) > 1 {
			t.Errorf("%s: %.2f LUFS, %.2f dBTP", format, l.Integrated, l.TruePeak)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(EncodeWAV(testSignal("sine", 0.01, 8000, 1, -6, 1)))
	f.Add([]byte("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00"))
	f.Add([]byte("\xff\xfb\x90\x64\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(b)
		if err != nil {
			return
		}
		if a.Check() != nil || a.Frames() == 0 {
			t.Fatalf("decoded to %d Hz × %d, %d samples", a.Rate, a.Channels, len(a.Samples))
		}
		if _, err := Measure(a); err != nil {
			t.Fatal(err)
		}
	})
}
