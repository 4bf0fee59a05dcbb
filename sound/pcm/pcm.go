// Package pcm is the buffer every sound in Miaobi is once decoded:
// interleaved float samples with their rate and channel count, and the
// limits every reader and writer of sound accepts. It imports nothing of
// Miaobi, so the watermark, the labels and the sound makers all share it.
package pcm

import (
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

// Limits of the sound Miaobi reads, writes and marks.
const (
	MaxChannels = 8
	MaxRate     = 768000
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

// Check reports sound that cannot be handled: none, or a sample rate or
// channel count out of range.
func (a *Audio) Check() error {
	switch {
	case a == nil:
		return fmt.Errorf("audio: none")
	case a.Rate <= 0 || a.Rate > MaxRate:
		return fmt.Errorf("audio: sample rate %d: must be 1 to %d", a.Rate, MaxRate)
	case a.Channels < 1 || a.Channels > MaxChannels:
		return fmt.Errorf("audio: %d channels: must be 1 to %d", a.Channels, MaxChannels)
	}
	return nil
}

// Mono mixes the channels down to one (their mean).
func (a *Audio) Mono() []float32 {
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

// Channel returns one channel's samples.
func (a *Audio) Channel(ch int) []float32 {
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
