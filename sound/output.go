package sound

import (
	"context"
	"fmt"
	"math"
	"strings"

	"miaobi/label"
	"miaobi/sound/pcm"
)

// Encode writes a as a labelled file: "wav" with every layer p asks for
// (the watermark, the 「短长短短」 cue, the AIGC metadata, and a C2PA
// manifest when p.Layers.C2PA); "mp3" (through ffmpeg) with the watermark
// and the cue in its samples and the AIGC metadata in its ID3 tag — C2PA
// is not bound to MP3 here, so ask for WAV where the manifest matters.
//
// The labels (the cue adds loudness to a short piece) and lossy coding
// change the samples, so the file is read back and measured: when its
// true peak is over CeilingTP or its loudness more than 0.3 LU from
// TargetLUFS, a is normalised again to a target and ceiling corrected by
// the miss and the file made again (at most three times).
func Encode(ctx context.Context, a *pcm.Audio, format string, p label.Provenance) ([]byte, error) {
	format = strings.ToLower(format)
	if format != "wav" && format != "mp3" {
		return nil, fmt.Errorf("%w: write %q as wav or mp3", ErrFormat, format)
	}
	src := a
	ceiling, target := CeilingTP, TargetLUFS
	for try := 0; ; try++ {
		file, err := encodeOnce(ctx, src, format, p)
		if err != nil {
			return nil, err
		}
		back, err := Decode(file)
		if err != nil {
			return nil, fmt.Errorf("sound: reading back the %s: %w", format, err)
		}
		l, err := Measure(back)
		if err != nil {
			return nil, err
		}
		over := l.TruePeak - CeilingTP
		miss := TargetLUFS - l.Integrated
		if over <= 0 && math.Abs(miss) <= 0.3 || try == 3 || math.IsInf(l.Integrated, -1) {
			return file, nil
		}
		if over > 0 {
			ceiling -= over + 0.05
		}
		target += miss
		if src, _, err = Normalize(a, target, ceiling); err != nil {
			return nil, err
		}
	}
}

// encodeOnce writes one labelled file.
func encodeOnce(ctx context.Context, a *pcm.Audio, format string, p label.Provenance) ([]byte, error) {
	if format == "wav" {
		out, _, err := label.File(EncodeWAV(a), p)
		if err != nil {
			return nil, fmt.Errorf("sound: label WAV: %w", err)
		}
		return out, nil
	}
	q := p
	q.Layers.Metadata, q.Layers.C2PA = false, false
	wav, err := label.EncodeAudio(a, q)
	if err != nil {
		return nil, fmt.Errorf("sound: label MP3: %w", err)
	}
	mp3, err := Transcode(ctx, wav, "mp3")
	if err != nil || !p.AIGenerated || !p.Layers.Metadata {
		return mp3, err
	}
	producer := p.Producer
	if producer == "" {
		producer = label.DefaultProducer
	}
	return label.EmbedAIGCMP3(mp3, label.New(producer, p.ProduceID, ""))
}
