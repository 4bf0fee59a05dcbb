package label

import (
	"errors"
	"fmt"
	"log/slog"

	"miaobi/label/watermark"
)

// EncodeAudio writes a as a 16-bit PCM WAV file with the label layers p
// asks for, as Encode does for pictures: for AI-generated content the
// watermark (Layers.Watermark) and then the 「短长短短」 rhythm cue at the
// start (Layers.Visible; the cue is added after the watermark so that it
// stays a clean tone), then the AIGC metadata (Layers.Metadata) with the
// audio data's hash (AudioHash) as ReservedCode1. a is not changed; the
// same a and p give the same file.
//
// Layers.C2PA is not written here: sign the result with c2pa.SignWAV when the
// WAV manifest is wanted.
func EncodeAudio(a *Audio, p Provenance) ([]byte, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	if p.Producer == "" {
		p.Producer = DefaultProducer
	}
	L := p.Layers
	out := a
	if p.AIGenerated {
		if p.ProduceID == "" {
			return nil, fmt.Errorf("label: encode audio: no ProduceID")
		}
		if L.Watermark {
			out = a.Clone()
			if err := watermark.EmbedAudio(out, watermark.PayloadOf(p.ProduceID)); err != nil {
				return nil, err
			}
		}
		if L.Visible {
			out = PrependRhythm(out)
		} else {
			slog.Warn("writing AI-generated audio without its rhythm cue (GB 45438 allows this only under a user agreement)", "title", p.Title, "produce_id", p.ProduceID)
		}
	}
	file := EncodeWAV(out)
	if !p.AIGenerated || !L.Metadata {
		return file, nil
	}
	sum, err := AudioHash(file)
	if err != nil {
		return nil, err
	}
	return EmbedAIGCWAV(file, New(p.Producer, p.ProduceID, sum))
}

// AudioReport is what VerifyAudio found in a sound file, layer by layer.
type AudioReport struct {
	Format string `json:"format"` // "wav" or "mp3"
	// Explicit is the rhythm cue: Score is FindRhythm's, Where its start.
	Explicit ExplicitReport `json:"explicit"`
	Implicit ImplicitReport `json:"implicit"`
	// SamplesIntact says whether the audio data still hashes to
	// ReservedCode1 (Miaobi's integrity code, see AudioHash); nil when
	// there is no code to check.
	SamplesIntact *bool               `json:"samples_intact,omitempty"`
	Watermark     watermark.Detection `json:"watermark"`
	// WatermarkMatches says whether the watermark's payload is the one the
	// implicit label's ProduceID gives; nil unless both were found.
	WatermarkMatches *bool `json:"watermark_matches_produce_id,omitempty"`
	// SignalRead says whether the samples were searched for the rhythm
	// cue and the watermark (WAV, and MP3 decoded with go-mp3).
	SignalRead bool `json:"signal_read"`
	// Error says why the samples could not be read, if they could not.
	Error string `json:"error,omitempty"`
}

// VerifyAudio reads the label layers back from a WAV or an MP3 file:
// the rhythm cue, the AIGC metadata and the watermark. It fails only on
// other formats (ErrFormat).
func VerifyAudio(b []byte) (AudioReport, error) {
	var r AudioReport
	r.Format = AudioFormat(b)
	var a AIGC
	var where string
	var err error
	switch r.Format {
	case "wav":
		a, where, err = ReadAIGCWAV(b)
	case "mp3":
		a, where, err = ReadAIGCMP3(b)
	default:
		return r, ErrFormat
	}
	if err == nil {
		r.Implicit = ImplicitReport{Found: true, AIGC: &a, Where: where}
		if a.ReservedCode1 != "" {
			if h, err := AudioHash(b); err == nil {
				ok := h == a.ReservedCode1
				r.SamplesIntact = &ok
			}
		}
	} else if !errors.Is(err, ErrNoLabel) {
		r.Implicit.Error = err.Error()
	}
	var snd *Audio
	if r.Format == "wav" {
		snd, err = DecodeWAV(b)
	} else {
		snd, err = DecodeMP3(b, 0)
	}
	if err != nil {
		r.Error = err.Error()
		return r, nil
	}
	r.SignalRead = true
	score, at := findRhythm(snd)
	r.Explicit = ExplicitReport{Found: score >= rhythmMinScore, Score: score, Text: "短长短短"}
	if r.Explicit.Found {
		r.Explicit.Where = fmt.Sprintf("rhythm cue at %.2f s", at.Seconds())
	}
	r.Watermark = watermark.DetectAudio(snd)
	if r.Watermark.Found && r.Implicit.AIGC != nil {
		ok := r.Watermark.Payload == watermark.PayloadOf(r.Implicit.AIGC.ProduceID)
		r.WatermarkMatches = &ok
	}
	return r, nil
}
