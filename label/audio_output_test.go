package label

import (
	"bytes"
	"errors"
	"testing"

	"miaobi/label/internal/mediatest"
	"miaobi/label/watermark"
)

func TestEncodeAudio(t *testing.T) {
	music := mediatest.Music(61, 12, 44100, 2)
	orig := music.Clone()
	id := ProduceID("audio", "test song")
	full := Provenance{ProduceID: id, Title: "song.wav", AIGenerated: true, Layers: AllLayers}
	file, err := EncodeAudio(music, full)
	if err != nil {
		t.Fatal(err)
	}
	for i := range music.Samples {
		if music.Samples[i] != orig.Samples[i] {
			t.Fatal("EncodeAudio changed its input")
		}
	}
	r, err := VerifyAudio(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	if r.Format != "wav" || !r.SignalRead || !r.Explicit.Found || r.Explicit.Where != "rhythm cue at 0.00 s" {
		t.Errorf("explicit: %+v", r.Explicit)
	}
	if !r.Implicit.Found || r.Implicit.AIGC.ProduceID != id || r.Implicit.AIGC.ContentProducer != DefaultProducer || r.Implicit.Where != "WAV RIFF chunk AIGC" {
		t.Errorf("implicit: %+v", r.Implicit)
	}
	if r.SamplesIntact == nil || !*r.SamplesIntact {
		t.Error("samples not intact")
	}
	if !r.Watermark.Found || r.WatermarkMatches == nil || !*r.WatermarkMatches {
		t.Errorf("watermark: %+v", r.Watermark)
	}
	again, _ := EncodeAudio(music, full)
	if !bytes.Equal(again, file) {
		t.Error("the same sound and provenance gave different files")
	}
	// A changed sample breaks the integrity code, not the other layers.
	bad := append([]byte(nil), file...)
	bad[44+100000] ^= 0x40
	if r, _ := VerifyAudio(bad); r.SamplesIntact == nil || *r.SamplesIntact || !r.Implicit.Found {
		t.Errorf("tampered file: %+v", r)
	}

	for _, c := range []struct {
		name                     string
		p                        Provenance
		rhythm, label, watermark bool
	}{
		{"not AI-generated", Provenance{ProduceID: id, Layers: AllLayers}, false, false, false},
		{"no layers", Provenance{ProduceID: id, AIGenerated: true}, false, false, false},
		{"cue only", Provenance{ProduceID: id, AIGenerated: true, Layers: Layers{Visible: true}}, true, false, false},
		{"metadata only", Provenance{ProduceID: id, AIGenerated: true, Layers: Layers{Metadata: true}}, false, true, false},
		{"watermark only", Provenance{ProduceID: id, AIGenerated: true, Layers: Layers{Watermark: true}}, false, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := EncodeAudio(music, c.p)
			if err != nil {
				t.Fatal(err)
			}
			r, err := VerifyAudio(b)
			if err != nil {
				t.Fatal(err)
			}
			if r.Explicit.Found != c.rhythm || r.Implicit.Found != c.label || r.Watermark.Found != c.watermark {
				t.Errorf("cue %v, label %v, watermark %v", r.Explicit.Found, r.Implicit.Found, r.Watermark.Found)
			}
			if !c.rhythm && !c.label && !c.watermark && !bytes.Equal(b, EncodeWAV(music)) {
				t.Error("not a plain WAV")
			}
		})
	}
	if _, err := EncodeAudio(music, Provenance{AIGenerated: true, Layers: AllLayers}); err == nil {
		t.Error("no error without a ProduceID")
	}
	if _, err := EncodeAudio(&Audio{Rate: 44100}, full); err == nil {
		t.Error("no error for an Audio without channels")
	}
	if _, err := VerifyAudio([]byte("hello")); !errors.Is(err, ErrFormat) {
		t.Errorf("text: %v", err)
	}
	if r, err := VerifyAudio(file[:1000]); err != nil || r.SignalRead || r.Error == "" {
		t.Errorf("truncated WAV: %+v, %v", r, err)
	}
}

// TestVerifyAudioMP3 labels an MP3 made from an encoded WAV: VerifyAudio
// reads its metadata; the rhythm and the watermark are read from the MP3
// decoded by ffmpeg.
func TestVerifyAudioMP3(t *testing.T) {
	mediatest.NeedTools(t, "lame", "ffmpeg")
	id := ProduceID("audio", "mp3 song")
	wav, err := EncodeAudio(mediatest.Music(62, 12, 44100, 2), Provenance{ProduceID: id, AIGenerated: true, Layers: AllLayers})
	if err != nil {
		t.Fatal(err)
	}
	a, err := DecodeWAV(wav)
	if err != nil {
		t.Fatal(err)
	}
	mp3 := mediatest.MP3(t, a, 128)
	sum, err := AudioHash(mp3)
	if err != nil {
		t.Fatal(err)
	}
	labelled, err := EmbedAIGCMP3(mp3, New(DefaultProducer, id, sum))
	if err != nil {
		t.Fatal(err)
	}
	r, err := VerifyAudio(labelled)
	if err != nil {
		t.Fatal(err)
	}
	// The MP3 itself (decoded here with go-mp3): every layer.
	if r.Format != "mp3" || !r.SignalRead || !r.Implicit.Found || r.Implicit.AIGC.ProduceID != id || r.SamplesIntact == nil || !*r.SamplesIntact ||
		!r.Explicit.Found || !r.Watermark.Found || r.WatermarkMatches == nil || !*r.WatermarkMatches {
		t.Errorf("MP3: %+v", r)
	}
	// Decoded by FFmpeg instead: the same.
	dec := EncodeWAV(mediatest.DecodeMP3(t, labelled))
	r, err = VerifyAudio(dec)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("decoded MP3: cue %v (score %.2f), watermark %+v", r.Explicit.Found, r.Explicit.Score, r.Watermark)
	if !r.Explicit.Found || !r.Watermark.Found || r.Watermark.Payload != watermark.PayloadOf(id) {
		t.Errorf("decoded MP3: %+v", r)
	}
}

// TestRhythmCueIsNoWatermark: the audible cue, with silence after it, is
// not read as a watermark.
func TestRhythmCueIsNoWatermark(t *testing.T) {
	a := PrependRhythm(&Audio{Rate: 44100, Channels: 1, Samples: make([]float32, 44100*28)})
	if d := watermark.DetectAudio(a); d.Found {
		t.Errorf("the rhythm cue read as a watermark: %+v", d)
	}
}
