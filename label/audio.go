package label

import (
	"bytes"
	"crypto/sha256"
	"fmt"

	"miaobi/label/internal/container"
	"miaobi/label/watermark"
)

// Audio is decoded sound: interleaved samples from −1 to 1 (see
// watermark.Audio, where it is defined so that the watermark needs nothing
// of this package).
type Audio = watermark.Audio

// Limits of the audio readers and writers.
const (
	AudioMaxChannels = watermark.MaxChannels
	AudioMaxRate     = watermark.MaxRate
	wavMaxData       = 2 << 30 // bytes of sample data DecodeWAV accepts
)

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
		chunks, _, err := container.RIFFChunks(file, false)
		if err != nil {
			return "", err
		}
		found := false
		for _, c := range chunks {
			if c.ID == "data" {
				data, found = c.Data, true
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
