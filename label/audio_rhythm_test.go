package label

import (
	"math"
	"testing"
	"time"

	"miaobi/label/internal/mediatest"
)

func TestPrependRhythm(t *testing.T) {
	music := mediatest.Music(21, 3, 44100, 2)
	a := PrependRhythm(music)
	cue := int(RhythmDuration.Seconds() * 44100)
	if RhythmDuration != 1620*time.Millisecond || a.Frames() != music.Frames()+cue || a.Channels != 2 {
		t.Fatalf("cue of %v, %d frames", RhythmDuration, a.Frames())
	}
	if &a.Samples[0] == &music.Samples[0] {
		t.Fatal("a was changed in place")
	}
	// Beats at 0–120, 240–600, 960–1080 and 1200–1320 ms.
	rms := func(fromMS, toMS int) float64 {
		var s float64
		from, to := fromMS*441/10, toMS*441/10
		for i := from; i < to; i++ {
			v := float64(a.Samples[2*i])
			s += v * v
		}
		return math.Sqrt(s / float64(to-from))
	}
	for _, c := range []struct {
		from, to int
		on       bool
	}{{5, 115, true}, {125, 235, false}, {245, 595, true}, {605, 955, false}, {965, 1075, true}, {1085, 1195, false}, {1205, 1315, true}, {1325, 1620, false}} {
		r := rms(c.from, c.to)
		if c.on && math.Abs(r-0.5/math.Sqrt2) > 0.01 || !c.on && r != 0 {
			t.Errorf("%d–%d ms: RMS %.3f", c.from, c.to, r)
		}
	}
	if a.Samples[0] != 0 || math.Abs(float64(a.Samples[2*44])) > 0.5*0.1 {
		t.Error("the first beat does not ramp up")
	}
	for i := 0; i < music.Frames()*2; i++ {
		if a.Samples[cue*2+i] != music.Samples[i] {
			t.Fatal("the content changed")
		}
	}
	if PrependRhythm(nil) != nil {
		t.Error("nil in, not nil out")
	}
}

func TestFindRhythm(t *testing.T) {
	music := mediatest.Music(22, 8, 44100, 1)
	louder := func(a *Audio, k float32) *Audio {
		b := a.Clone()
		for i := range b.Samples {
			b.Samples[i] *= k
		}
		return b
	}
	labelled := PrependRhythm(music)
	for _, c := range []struct {
		name  string
		a     *Audio
		found bool
	}{
		{"labelled music", labelled, true},
		{"labelled stereo 48k", PrependRhythm(mediatest.Music(23, 4, 48000, 2)), true},
		{"labelled speech 22.05k", PrependRhythm(mediatest.SpeechLike(24, 4, 22050)), true},
		{"labelled 16k", PrependRhythm(mediatest.SpeechLike(25, 4, 16000)), true},
		{"cue in the middle", &Audio{Rate: 44100, Channels: 1, Samples: append(append([]float32(nil), music.Samples[:44100*3]...), labelled.Samples...)}, true},
		{"20 dB quieter", louder(labelled, 0.1), true},
		{"cue only, cut at its end", &Audio{Rate: 44100, Channels: 1, Samples: PrependRhythm(&Audio{Rate: 44100, Channels: 1}).Samples[:44100*132/100]}, true},
		{"with noise at 20 dB", mediatest.Noisy(labelled, 20, 3), true},
		{"music", music, false},
		{"speech", mediatest.SpeechLike(26, 8, 22050), false},
		{"steady 800 Hz", mediatest.Tone(5, 44100, 800), false},
		{"silence", &Audio{Rate: 44100, Channels: 1, Samples: make([]float32, 44100*5)}, false},
		{"too short", &Audio{Rate: 44100, Channels: 1, Samples: make([]float32, 100)}, false},
		{"nil", nil, false},
	} {
		found, score := FindRhythm(c.a)
		t.Logf("%-26s found=%v score=%.3f", c.name, found, score)
		if found != c.found {
			t.Errorf("%s: found=%v (score %.3f), want %v", c.name, found, score, c.found)
		}
	}
	// A cue whose first two beats run together (one 600 ms beat, then ··)
	// is not found.
	n := PrependRhythm(music)
	copy(n.Samples[:int(0.6*44100)], n.Samples[int(0.24*44100):int(0.6*44100)])
	if found, score := FindRhythm(n); found {
		t.Errorf("a different rhythm scored %.3f", score)
	}
}

// TestFindRhythmMP3 finds the cue after MP3 coding at 128 and 64 kbit/s.
func TestFindRhythmMP3(t *testing.T) {
	mediatest.NeedTools(t, "lame", "ffmpeg")
	labelled := PrependRhythm(mediatest.Music(27, 4, 44100, 2))
	for _, kbps := range []int{128, 64} {
		dec := mediatest.DecodeMP3(t, mediatest.MP3(t, labelled, kbps))
		found, score := FindRhythm(dec)
		t.Logf("MP3 %d kbit/s (decoded at %d Hz): found=%v score=%.3f", kbps, dec.Rate, found, score)
		if !found {
			t.Errorf("MP3 %dk: cue not found (score %.3f)", kbps, score)
		}
	}
}
