package label

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// VideoLabelSeconds is how long the visible label stays on a video's
// opening frames: GB 45438-2025 §5.4 asks for at least 2 s.
const VideoLabelSeconds = 3

// ErrNoFFmpeg says the video tools are missing.
var ErrNoFFmpeg = errors.New("ffmpeg and ffprobe are needed for video (apt install ffmpeg)")

// videoSize reads a video's frame size with ffprobe.
func videoSize(ctx context.Context, path string) (int, int, error) {
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=width,height", "-of", "csv=p=0", path).Output()
	if err != nil {
		return 0, 0, fmt.Errorf("label: video: ffprobe: %w", err)
	}
	f := strings.Split(strings.TrimSpace(string(out)), ",")
	if len(f) != 2 {
		return 0, 0, fmt.Errorf("label: video: no video stream in the file")
	}
	w, err1 := strconv.Atoi(f[0])
	h, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 {
		return 0, 0, fmt.Errorf("label: video: frame size %q", out)
	}
	return w, h, nil
}

// labelOverlay is the visible label for a w×h frame as a transparent PNG
// the size of the whole frame, drawn exactly as Image draws it on a
// picture.
func labelOverlay(w, h int, wording string) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	if _, err := Image(img, wording); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Video puts the visible label on an MP4's opening frames: the wording on
// the same corner plate as pictures get, characters at least 5% of the
// shortest side, for VideoLabelSeconds (GB 45438-2025 §5.4). The video is
// re-encoded with ffmpeg (H.264, or MPEG-4 Part 2 where libx264 is
// missing); the sound is copied.
func Video(mp4 []byte, wording string) ([]byte, error) {
	if err := checkDrawable(wording); err != nil { // before any ffmpeg work
		return nil, err
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, ErrNoFFmpeg
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "miaobi-video")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in, overlay, out := filepath.Join(dir, "in.mp4"), filepath.Join(dir, "label.png"), filepath.Join(dir, "out.mp4")
	if err := os.WriteFile(in, mp4, 0o600); err != nil {
		return nil, err
	}
	w, h, err := videoSize(ctx, in)
	if err != nil {
		return nil, err
	}
	ov, err := labelOverlay(w, h, wording)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(overlay, ov, 0o600); err != nil {
		return nil, err
	}
	codec := []string{"-c:v", "libx264", "-pix_fmt", "yuv420p", "-crf", "18"}
	if enc, _ := exec.CommandContext(ctx, "ffmpeg", "-hide_banner", "-encoders").Output(); !bytes.Contains(enc, []byte("libx264")) {
		codec = []string{"-c:v", "mpeg4", "-q:v", "2"}
	}
	args := append([]string{"-v", "error", "-y", "-i", in, "-i", overlay,
		"-filter_complex", fmt.Sprintf("[0:v][1:v]overlay=0:0:enable='lt(t,%d)'[v]", VideoLabelSeconds),
		"-map", "[v]", "-map", "0:a?", "-c:a", "copy", "-map_metadata", "0"}, codec...)
	args = append(args, "-movflags", "+faststart", out)
	if msg, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("label: video: ffmpeg: %v: %s", err, firstLines(string(msg), 3))
	}
	return os.ReadFile(out)
}

// FindVideoLabel looks for the visible label on the frame at seconds into
// an MP4 (decoded with ffmpeg); see FindImageLabel for the score.
func FindVideoLabel(mp4 []byte, wording string, seconds float64) (float64, error) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return 0, ErrNoFFmpeg
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "miaobi-video")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.mp4")
	if err := os.WriteFile(in, mp4, 0o600); err != nil {
		return 0, err
	}
	frame, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-ss", strconv.FormatFloat(seconds, 'f', 3, 64), "-i", in, "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-").Output()
	if err != nil {
		return 0, fmt.Errorf("label: video: reading a frame: %w", err)
	}
	img, err := png.Decode(bytes.NewReader(frame))
	if err != nil {
		return 0, fmt.Errorf("label: video: frame: %w", err)
	}
	return FindImageLabel(img, wording), nil
}

// VideoSound decodes up to the first seconds of an MP4's sound with
// ffmpeg, as 16-bit stereo at 48 kHz; ErrNoLabel-free: a film without a
// sound track is an error saying so.
func VideoSound(mp4 []byte, seconds int) (*Audio, error) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, ErrNoFFmpeg
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "miaobi-video")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.mp4")
	if err := os.WriteFile(in, mp4, 0o600); err != nil {
		return nil, err
	}
	wav, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-i", in, "-map", "0:a:0", "-t", strconv.Itoa(seconds),
		"-ac", "2", "-ar", "48000", "-c:a", "pcm_s16le", "-f", "wav", "-").Output()
	if err != nil || len(wav) <= 44 {
		return nil, fmt.Errorf("label: video: no sound could be read (%v)", err)
	}
	// ffmpeg cannot seek back on a pipe to write the sizes; put them in.
	if len(wav) > 44 && string(wav[36:40]) == "data" {
		binary.LittleEndian.PutUint32(wav[4:], uint32(len(wav)-8))
		binary.LittleEndian.PutUint32(wav[40:], uint32(len(wav)-44))
	}
	return DecodeWAV(wav)
}

// firstLines keeps the first n lines of s, for error messages.
func firstLines(s string, n int) string {
	lines := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " / ")
}
