package label

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"time"
)

// Audio is decoded sound: interleaved samples from −1 to 1 (a frame holds
// one sample per channel, in channel order).
type Audio struct {
	Rate     int       // frames per second
	Channels int       // samples per frame, 1 to 8
	Samples  []float32 // interleaved, len = frames × Channels
}

// Limits of the audio readers and writers.
const (
	AudioMaxChannels = 8
	AudioMaxRate     = 768000
	wavMaxData       = 2 << 30 // bytes of sample data DecodeWAV accepts
)

// Frames is the number of sample frames.
func (a *Audio) Frames() int {
	if a == nil || a.Channels <= 0 {
		return 0
	}
	return len(a.Samples) / a.Channels
}

// Duration is the length of the sound.
func (a *Audio) Duration() time.Duration {
	if a == nil || a.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(a.Frames()) / float64(a.Rate) * float64(time.Second))
}

// Clone returns a deep copy.
func (a *Audio) Clone() *Audio {
	if a == nil {
		return nil
	}
	return &Audio{Rate: a.Rate, Channels: a.Channels, Samples: append([]float32(nil), a.Samples...)}
}

// check reports an Audio the writers cannot handle.
func (a *Audio) check() error {
	switch {
	case a == nil:
		return fmt.Errorf("label: audio: none")
	case a.Rate <= 0 || a.Rate > AudioMaxRate:
		return fmt.Errorf("label: audio: sample rate %d: must be 1 to %d", a.Rate, AudioMaxRate)
	case a.Channels < 1 || a.Channels > AudioMaxChannels:
		return fmt.Errorf("label: audio: %d channels: must be 1 to %d", a.Channels, AudioMaxChannels)
	}
	return nil
}

// mono mixes the channels down to one (their mean).
func (a *Audio) mono() []float32 {
	n, c := a.Frames(), a.Channels
	if c == 1 {
		return a.Samples[:n]
	}
	m := make([]float32, n)
	k := 1 / float32(c)
	for i := range m {
		var s float32
		for _, v := range a.Samples[i*c : i*c+c] {
			s += v
		}
		m[i] = s * k
	}
	return m
}

// channel returns one channel's samples.
func (a *Audio) channel(ch int) []float32 {
	n, c := a.Frames(), a.Channels
	if c == 1 {
		return a.Samples[:n]
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = a.Samples[i*c+ch]
	}
	return out
}

// AudioFormat names an audio file's container from its first bytes:
// "wav", "mp3" (an ID3v2 tag or an MPEG audio frame header), or "" when
// unknown.
func AudioFormat(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "wav"
	case len(b) >= 10 && string(b[:3]) == "ID3":
		return "mp3"
	case mp3FrameHeader(b):
		return "mp3"
	}
	return ""
}

// AudioHash is the integrity code Miaobi writes as ReservedCode1 of a
// sound: the first 20 bytes, in hex, of the SHA-256 of its audio data —
// a WAV file's data chunk, an MP3 file's bytes after the ID3v2 tag and
// before an ID3v1 tag. Metadata does not change it; any change to the
// samples does.
func AudioHash(file []byte) (string, error) {
	var data []byte
	switch AudioFormat(file) {
	case "wav":
		chunks, _, err := riffChunks(file)
		if err != nil {
			return "", err
		}
		found := false
		for _, c := range chunks {
			if c.id == "data" {
				data, found = c.data, true
				break
			}
		}
		if !found {
			return "", fmt.Errorf("label: wav: %w: no data chunk", ErrDamaged)
		}
	case "mp3":
		n, err := id3Size(file)
		if err != nil {
			return "", err
		}
		data = file[n:]
		if len(data) >= 128 && bytes.HasPrefix(data[len(data)-128:], []byte("TAG")) {
			data = data[:len(data)-128]
		}
	default:
		return "", fmt.Errorf("label: audio hash: %w", ErrFormat)
	}
	sum := sha256.Sum256(data)
	return fmt.Sprintf("%x", sum[:20]), nil
}
