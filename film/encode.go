package film

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"miaobi/label"
	"miaobi/sound/pcm"
)

// ErrNoFFmpeg says ffmpeg is missing: films are encoded by it.
var ErrNoFFmpeg = errors.New("film: ffmpeg is needed to make films (apt install ffmpeg)")

// Frames is a film's pictures: Len frames, each drawn into dst (W×H) on
// request, in order from 0.
type Frames interface {
	Len() int
	Frame(i int, dst *image.RGBA) error
}

// Codec is how the pictures are compressed: H.264 (the default, for every
// player), H.265 or VP9, all in MP4 with AAC sound.
type Codec string

const (
	H264 Codec = "h264"
	H265 Codec = "h265"
	VP9  Codec = "vp9"
)

// ParseCodec reads a codec's name.
func ParseCodec(s string) (Codec, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "h264", "avc", "x264":
		return H264, nil
	case "h265", "hevc", "x265":
		return H265, nil
	case "vp9":
		return VP9, nil
	}
	return "", fmt.Errorf("film: unknown codec %q: use h264, h265 or vp9", s)
}

// DefaultPreset is the x264/x265 speed preset Miaobi encodes with unless
// told otherwise: "ultrafast", the one preset that renders a 1080p30 poem
// film at real time or faster on two cores here; slower presets make
// smaller files (veryfast: a quarter of the size, at 0.9× real time;
// docs/benchmarks.md).
const DefaultPreset = "ultrafast"

// Presets are the x264/x265 presets Video accepts, fastest first.
var Presets = []string{"ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow"}

// Video says how to encode: frame size and rate, the codec and its speed
// preset ("" for DefaultPreset; VP9 has its own real-time settings).
type Video struct {
	W, H, FPS int
	Codec     Codec
	Preset    string
}

// args are ffmpeg's output options for the codec.
func (v Video) args() []string {
	preset := v.Preset
	if preset == "" {
		preset = DefaultPreset
	}
	switch v.Codec {
	case H265:
		return []string{"-c:v", "libx265", "-preset", preset, "-crf", "24", "-tag:v", "hvc1", "-x265-params", "log-level=error"}
	case VP9:
		return []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-crf", "32", "-b:v", "0"}
	}
	return []string{"-c:v", "libx264", "-preset", preset, "-crf", "20"}
}

// checkPreset refuses a preset x264 does not know ("" is the default).
func checkPreset(p string) error {
	if p != "" && !slices.Contains(Presets, p) {
		return fmt.Errorf("film: unknown preset %q: use one of %s", p, strings.Join(Presets, ", "))
	}
	return nil
}

// aacArgs are ffmpeg's options for the sound of every MP4 Miaobi makes.
var aacArgs = []string{"-c:a", "aac", "-b:a", "160k", "-shortest"}

// output is ffmpeg's options for the pictures of an MP4 written to path:
// the codec, 4:2:0, the index first (so players can start at once).
func (v Video) output(path string) []string {
	return append(v.args(), "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", path)
}

// soundFeed hands a sound to ffmpeg as a WAV on its fd 3 ("pipe:3").
type soundFeed struct {
	r, w *os.File
}

// feedSound makes cmd's fd 3 a pipe; call it before cmd.Start, then send
// (after a successful start) and close (always).
func feedSound(cmd *exec.Cmd) (*soundFeed, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, r)
	return &soundFeed{r, w}, nil
}

// send writes a to ffmpeg in the background (ffmpeg holds its own copy of
// the pipe's reading end, so Miaobi's is closed); the channel says how the
// writing went.
func (f *soundFeed) send(a *pcm.Audio) <-chan error {
	f.r.Close()
	done := make(chan error, 1)
	go func() {
		_, err := f.w.Write(label.EncodeWAV(a))
		f.w.Close()
		done <- err
	}()
	return done
}

// close closes both ends (once a send has finished, or when ffmpeg never
// started).
func (f *soundFeed) close() {
	f.r.Close()
	f.w.Close()
}

// FFmpeg finds ffmpeg, or says how to get it.
func FFmpeg() (string, error) {
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		return "", ErrNoFFmpeg
	}
	return p, nil
}

// Encode renders every frame, hands it raw to ffmpeg with the sound, and
// writes the MP4 to w. Nothing is written to w unless the whole film was
// made: ffmpeg writes into a private temporary folder (MP4's index is
// written last, so it cannot stream), which is always removed. Frames are
// piped as RGBA, never saved as pictures.
func Encode(ctx context.Context, w io.Writer, v Video, frames Frames, audio *pcm.Audio) error {
	ff, err := FFmpeg()
	if err != nil {
		return err
	}
	if v.W <= 0 || v.H <= 0 || v.W%2 != 0 || v.H%2 != 0 || v.FPS <= 0 {
		return fmt.Errorf("film: frame size %d×%d at %d fps: give an even width and height and a positive rate", v.W, v.H, v.FPS)
	}
	if err := checkPreset(v.Preset); err != nil {
		return err
	}
	if frames.Len() <= 0 {
		return fmt.Errorf("film: a film needs at least one frame")
	}
	dir, err := os.MkdirTemp("", "miaobi-film-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "film.mp4")
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	args := []string{"-hide_banner", "-v", "error", "-y",
		"-f", "rawvideo", "-pix_fmt", "yuv420p", "-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
		"-s", fmt.Sprintf("%dx%d", v.W, v.H), "-r", strconv.Itoa(v.FPS), "-i", "pipe:0"}
	cmd := exec.CommandContext(ctx, ff)
	var feed *soundFeed
	if audio != nil {
		if feed, err = feedSound(cmd); err != nil {
			return err
		}
		defer feed.close()
		args = append(args, "-f", "wav", "-i", "pipe:3")
	}
	args = append(args, "-map", "0:v")
	if audio != nil {
		args = append(args, "-map", "1:a")
		args = append(args, aacArgs...)
	}
	args = append(args, "-color_range", "tv", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709")
	args = append(args, v.output(out)...)
	cmd.Args = append([]string{ff}, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pr, stdin, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdin = pr
	defer pr.Close()
	growPipe(stdin)
	if err := cmd.Start(); err != nil {
		stdin.Close()
		return fmt.Errorf("film: start ffmpeg: %w", err)
	}
	pr.Close() // ffmpeg holds its own copy
	var audioDone <-chan error
	if audio != nil {
		audioDone = feed.send(audio)
	} else {
		none := make(chan error, 1)
		none <- nil
		audioDone = none
	}
	werr := writeFrames(ctx, stdin, v, frames)
	stdin.Close()
	if werr != nil {
		cancel()
	}
	err = cmd.Wait()
	aerr := <-audioDone
	switch {
	case werr != nil:
		return werr
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		return fmt.Errorf("film: ffmpeg: %v: %s", err, firstLines(stderr.String(), 4))
	case aerr != nil && !errors.Is(aerr, os.ErrClosed):
		return fmt.Errorf("film: sound to ffmpeg: %w", aerr)
	}
	f, err := os.Open(out)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// writeFrames draws each frame, converts it to Y'CbCr 4:2:0 (BT.709,
// studio range: what players assume of HD video, and a third of RGBA's
// bytes, so ffmpeg's single reading thread does no colour conversion) and
// writes it to ffmpeg. Up to inFlight converted frames wait for ffmpeg, so
// drawing runs on while the encoder is busy and the encoder while drawing
// is (with one frame of slack they took turns, each leaving the cores
// half idle).
func writeFrames(ctx context.Context, pipe io.Writer, v Video, frames Frames) error {
	const inFlight = 4
	rgba := image.NewRGBA(image.Rect(0, 0, v.W, v.H))
	size := v.W*v.H + 2*(v.W/2)*(v.H/2)
	free := make(chan []byte, inFlight)
	for range inFlight {
		free <- make([]byte, size)
	}
	full := make(chan []byte, inFlight)
	werr := make(chan error, 1)
	go func() {
		var err error
		for b := range full {
			if err == nil {
				_, err = pipe.Write(b)
			}
			free <- b
		}
		werr <- err
	}()
	finish := func(err error) error {
		close(full)
		if e := <-werr; err == nil && e != nil {
			err = fmt.Errorf("film: to ffmpeg: %w", e)
		}
		return err
	}
	for i := range frames.Len() {
		if err := ctx.Err(); err != nil {
			return finish(err)
		}
		if err := frames.Frame(i, rgba); err != nil {
			return finish(fmt.Errorf("film: frame %d: %w", i, err))
		}
		var b []byte
		select {
		case b = <-free:
		case <-ctx.Done():
			return finish(ctx.Err())
		}
		toYUV420(b, rgba)
		full <- b
	}
	return finish(nil)
}

// toYUV420 converts an RGBA frame (even sides) to planar Y'CbCr 4:2:0,
// BT.709 studio range, chroma the mean of each 2×2 block; on every core.
func toYUV420(dst []byte, img *image.RGBA) {
	W, H := img.Rect.Dx(), img.Rect.Dy()
	cw := W / 2
	yp, up, vp := dst[:W*H], dst[W*H:W*H+cw*(H/2)], dst[W*H+cw*(H/2):]
	// 16.16 fixed point: Y = 16 + 219/255·(.2126 R + .7152 G + .0722 B).
	const (
		yr, yg, yb = 9175, 30866, 3116    // ×219/255 ×65536
		ur, ug, ub = -4945, -16634, 21579 // Cb ×224/255
		vr, vg, vb = 21579, -19601, -1977 // Cr ×224/255
	)
	parallel(H/2, func(from, to int) {
		for cy := from; cy < to; cy++ {
			for dy := 0; dy < 2; dy++ {
				y := 2*cy + dy
				row := img.Pix[y*img.Stride : y*img.Stride+4*W]
				out := yp[y*W : y*W+W]
				for x := range out {
					p := row[4*x : 4*x+3 : 4*x+3]
					out[x] = uint8((yr*int32(p[0]) + yg*int32(p[1]) + yb*int32(p[2]) + 16<<16 + 1<<15) >> 16)
				}
			}
			r0 := img.Pix[2*cy*img.Stride : 2*cy*img.Stride+4*W]
			r1 := img.Pix[(2*cy+1)*img.Stride : (2*cy+1)*img.Stride+4*W]
			uo, vo := up[cy*cw:cy*cw+cw], vp[cy*cw:cy*cw+cw]
			for x := range uo {
				a, b := r0[8*x:8*x+8:8*x+8], r1[8*x:8*x+8:8*x+8]
				r := (int32(a[0]) + int32(a[4]) + int32(b[0]) + int32(b[4]) + 2) >> 2
				g := (int32(a[1]) + int32(a[5]) + int32(b[1]) + int32(b[5]) + 2) >> 2
				bl := (int32(a[2]) + int32(a[6]) + int32(b[2]) + int32(b[6]) + 2) >> 2
				uo[x] = uint8((ur*r + ug*g + ub*bl + 128<<16 + 1<<15) >> 16)
				vo[x] = uint8((vr*r + vg*g + vb*bl + 128<<16 + 1<<15) >> 16)
			}
		}
	})
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, " / ")
}
