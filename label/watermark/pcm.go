package watermark

import "miaobi/sound/pcm"

// Audio is decoded sound (package sound/pcm), the input of EmbedAudio and
// DetectAudio.
type Audio = pcm.Audio

// Limits of the sound this package marks (those of package sound/pcm).
const (
	MaxChannels = pcm.MaxChannels
	MaxRate     = pcm.MaxRate
)
