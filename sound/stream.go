package sound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/gopxl/beep/v2"

	"miaobi/label"
	"miaobi/sound/pcm"
)

// Rate is the sample rate Miaobi makes sound at.
const Rate = 48000

// Format is the beep format of Miaobi's streams: stereo at Rate.
var Format = beep.Format{SampleRate: Rate, NumChannels: 2, Precision: 2}

// MaxSeconds bounds what is rendered or decoded: an hour.
const MaxSeconds = 3600

// Errors a caller may test for.
var (
	ErrFormat  = errors.New("sound: unsupported audio format")
	ErrTooLong = fmt.Errorf("sound: longer than %d s", MaxSeconds)
	ErrNoTool  = errors.New("sound: ffmpeg is needed for this format (apt install ffmpeg)")
)

// Render drains s into a stereo Audio at Rate. A stream longer than
// MaxSeconds is an error, as is the stream's own error.
func Render(s beep.Streamer) (*pcm.Audio, error) {
	a := &pcm.Audio{Rate: Rate, Channels: 2}
	buf := make([][2]float64, 4096)
	for {
		n, ok := s.Stream(buf)
		for _, f := range buf[:n] {
			a.Samples = append(a.Samples, float32(f[0]), float32(f[1]))
		}
		if !ok || n == 0 {
			break
		}
		if a.Frames() > MaxSeconds*Rate {
			return nil, ErrTooLong
		}
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("sound: render: %w", err)
	}
	return a, nil
}

// Play streams a (any rate, one or more channels) as a stereo stream at
// Rate: mono is played on both sides, the first two channels of more are
// left and right, and other rates are resampled (beep.Resample, quality 4).
func Play(a *pcm.Audio) (beep.StreamSeeker, error) {
	if err := a.Check(); err != nil {
		return nil, fmt.Errorf("sound: play: %w", err)
	}
	frames := make([][2]float64, a.Frames())
	c := a.Channels
	for i := range frames {
		l := float64(a.Samples[i*c])
		r := l
		if c > 1 {
			r = float64(a.Samples[i*c+1])
		}
		frames[i] = [2]float64{l, r}
	}
	if a.Rate != Rate {
		res := beep.Resample(4, beep.SampleRate(a.Rate), Rate, &framesStreamer{frames: frames})
		out := make([][2]float64, 0, int(float64(len(frames))*Rate/float64(a.Rate))+16)
		buf := make([][2]float64, 4096)
		for {
			n, ok := res.Stream(buf)
			out = append(out, buf[:n]...)
			if !ok || n == 0 {
				break
			}
		}
		frames = out
	}
	return &framesStreamer{frames: frames}, nil
}

// framesStreamer streams a slice of frames, and seeks in it.
type framesStreamer struct {
	frames [][2]float64
	pos    int
}

func (f *framesStreamer) Stream(samples [][2]float64) (int, bool) {
	if f.pos >= len(f.frames) {
		return 0, false
	}
	n := copy(samples, f.frames[f.pos:])
	f.pos += n
	return n, true
}

func (f *framesStreamer) Err() error    { return nil }
func (f *framesStreamer) Len() int      { return len(f.frames) }
func (f *framesStreamer) Position() int { return f.pos }

func (f *framesStreamer) Seek(p int) error {
	if p < 0 || p > len(f.frames) {
		return fmt.Errorf("sound: seek to frame %d of %d", p, len(f.frames))
	}
	f.pos = p
	return nil
}

// Decode reads a WAV or an MP3 file in Go (label's readers; MP3 through
// hajimehoshi/go-mp3). Other formats go through Transcode.
func Decode(file []byte) (*pcm.Audio, error) {
	var a *pcm.Audio
	var err error
	switch label.AudioFormat(file) {
	case "wav":
		a, err = label.DecodeWAV(file)
	case "mp3":
		a, err = label.DecodeMP3(file, MaxSeconds)
	default:
		return nil, fmt.Errorf("%w: WAV and MP3 are read here; convert others with Transcode (ffmpeg)", ErrFormat)
	}
	if err != nil {
		return nil, fmt.Errorf("sound: decode: %w", err)
	}
	if a.Frames() > MaxSeconds*a.Rate {
		return nil, ErrTooLong
	}
	if a.Frames() == 0 {
		return nil, errors.New("sound: decode: the file holds no samples")
	}
	return a, nil
}

// Load reads a sound file of any format — WAV and MP3 in Go, others
// through ffmpeg — as stereo at Rate, ready for editing.
func Load(ctx context.Context, file []byte) (*pcm.Audio, error) {
	a, err := Decode(file)
	if errors.Is(err, ErrFormat) {
		wav, terr := Transcode(ctx, file, "wav")
		if terr != nil {
			return nil, fmt.Errorf("%w (and ffmpeg could not read it: %v)", err, terr)
		}
		a, err = Decode(wav)
	}
	if err != nil {
		return nil, err
	}
	s, err := Play(a)
	if err != nil {
		return nil, err
	}
	return Render(s)
}

// EncodeWAV writes a as a 16-bit PCM WAV file.
func EncodeWAV(a *pcm.Audio) []byte { return label.EncodeWAV(a) }

// Transcode converts an audio file with ffmpeg: to "mp3" (libmp3lame, 192
// kbit/s), "wav" (16-bit PCM at the input's rate), "ogg" or "opus". It
// is also how formats Decode does not read come in: transcode to "wav".
func Transcode(ctx context.Context, file []byte, to string) ([]byte, error) {
	ff, err := exec.LookPath("ffmpeg")
	if err != nil {
		return nil, ErrNoTool
	}
	codec := map[string][]string{
		"mp3":  {"-c:a", "libmp3lame", "-b:a", "192k", "-f", "mp3"},
		"wav":  {"-c:a", "pcm_s16le", "-f", "wav"},
		"ogg":  {"-c:a", "libvorbis", "-q:a", "5", "-f", "ogg"},
		"opus": {"-c:a", "libopus", "-b:a", "128k", "-f", "opus"},
	}[to]
	if codec == nil {
		return nil, fmt.Errorf("%w: cannot write %q (mp3, wav, ogg, opus)", ErrFormat, to)
	}
	dir, err := os.MkdirTemp("", "miaobi-sound-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out."+to)
	if err := os.WriteFile(in, file, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	args := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-i", in, "-map_metadata", "-1"}, codec...)
	if msg, err := exec.CommandContext(ctx, ff, append(args, out)...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("sound: ffmpeg to %s: %v: %s", to, err, bytes.TrimSpace(msg))
	}
	return os.ReadFile(out)
}
