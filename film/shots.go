package film

// Shot detection: where a video cuts from one shot to the next.
//
// ffmpeg decodes the video into small frames (thumbW×thumbH RGB), streamed
// and never stored; for each frame Miaobi keeps its mean brightness, its
// contrast and its normalised thumbnail. Then:
//
//   - Content: the change from one frame to the next is the mean absolute
//     difference of the thumbnails' brightness, each frame's mean and
//     contrast taken out first (so a fade, a flash or a light turned up
//     is not a change of content).
//   - Adaptive threshold: a frame is a candidate cut when its change is
//     both over an absolute floor and several times the typical change of
//     the frames around it (the median of the second before it and of the
//     second after, the calmer of the two), so a steady pan or a shaking
//     hand, which change every frame a little, do not cut, while a cut
//     from a shaking shot to a still one does. Plain frames (a wall, a
//     clear sky) have no structure to compare: their mean colours are.
//   - Flashes: a candidate is kept only if the picture stays changed — the
//     frame before it still differs from the frames a few later; a flash
//     or a passing light comes back to the same picture.
//   - Fades: a run of near-black (or near-white) frames between two
//     pictures is one cut, at the middle of the run, when the pictures
//     either side differ or the run lasts half a second or more; a short
//     flash between the same picture is none.
//   - Two cuts are at least minShot apart; the stronger stays.

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

const (
	thumbW, thumbH = 64, 36
	minShot        = 0.4 // seconds
)

// Shots is where a video cuts: the times of the cuts in seconds from its
// start (the start itself is not a cut), and its frame rate.
type Shots struct {
	Cuts     []float64 `json:"cuts"`
	FPS      float64   `json:"fps"`
	Frames   int       `json:"frames"`
	Duration float64   `json:"duration"`
	// Score is each frame's change from the one before (for clip scoring
	// and for looking at); not printed.
	Score []float64 `json:"-"`
	// Luma is each frame's mean brightness, 0–255, and Sharp its detail
	// (mean absolute Laplacian of the thumbnail); not printed.
	Luma  []float64 `json:"-"`
	Sharp []float64 `json:"-"`
}

// frameStats is what shot detection keeps of one frame.
type frameStats struct {
	luma, std float64    // mean brightness (0–255) and its spread
	rgb       [3]float64 // mean colour
	sharp     float64    // mean absolute Laplacian of the brightness: detail
	thumb     []int16    // brightness less its mean, over its spread, ×zScale
}

// zScale is the fixed point of the normalised thumbnails (two bytes a
// value, to keep a long video's frames small: 4.6 kB a frame).
const zScale = 1024

// Probe is what ffprobe says of a video file.
type Probe struct {
	Width, Height int
	FPS           float64 // the average frame rate
	Duration      float64
	Rotation      int // degrees the picture is to be turned when shown
	HasVideo      bool
	HasAudio      bool
	PixFmt        string
	VFR           bool // the frame rate varies
}

// Limits of a clip Miaobi edits.
const (
	MaxClipSide    = 8192 // pixels
	MaxClipSeconds = 2 * 3600
)

// ProbeFile asks ffprobe what a video file holds, and refuses what Miaobi
// cannot edit: no video, a zero-length or corrupt file, over the limits.
func ProbeFile(ctx context.Context, path string) (*Probe, error) {
	if _, err := exec.LookPath("ffprobe"); err != nil {
		return nil, ErrNoFFmpeg
	}
	out, err := exec.CommandContext(ctx, "ffprobe", "-v", "error", "-show_entries",
		"stream=codec_type,width,height,avg_frame_rate,r_frame_rate,pix_fmt:stream_tags=rotate:stream_side_data=rotation:format=duration",
		"-of", "default=nw=1", path).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = firstLines(string(ee.Stderr), 2)
		}
		return nil, fmt.Errorf("film: %s cannot be read as a video (%s): give an MP4, MOV, MKV or WebM file", path, strings.TrimSpace(msg))
	}
	p := parseProbe(string(out))
	switch {
	case !p.HasVideo:
		return nil, fmt.Errorf("film: %s has no video stream", path)
	case p.Width <= 0 || p.Height <= 0:
		return nil, fmt.Errorf("film: %s: its video has no frame size; the file may be damaged", path)
	case p.Width > MaxClipSide || p.Height > MaxClipSide:
		return nil, fmt.Errorf("film: %s is %d×%d: clips of at most %d pixels a side are edited", path, p.Width, p.Height, MaxClipSide)
	case !(p.Duration > 0):
		return nil, fmt.Errorf("film: %s is empty (no duration)", path)
	case p.Duration > MaxClipSeconds:
		return nil, fmt.Errorf("film: %s is %.0f minutes long: clips of at most %d hours are edited", path, p.Duration/60, MaxClipSeconds/3600)
	}
	if p.FPS <= 0 || p.FPS > 240 {
		p.FPS = 30
	}
	return p, nil
}

// parseProbe reads ffprobe's "key=value" lines (default writer, no
// wrappers): the first video stream's size, rate and turn, whether there
// is sound, and the duration.
func parseProbe(out string) *Probe {
	p := &Probe{}
	kind := ""
	real := 0.0 // the stream's base rate: it differs from the average when the rate varies
	for _, l := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(l), "=")
		if !ok {
			continue
		}
		switch k {
		case "codec_type":
			kind = v
			if v == "video" && !p.HasVideo {
				p.HasVideo = true
			} else if v == "audio" {
				p.HasAudio = true
			}
		case "width":
			if kind == "video" && p.Width == 0 {
				p.Width, _ = strconv.Atoi(v)
			}
		case "height":
			if kind == "video" && p.Height == 0 {
				p.Height, _ = strconv.Atoi(v)
			}
		case "pix_fmt":
			if kind == "video" && p.PixFmt == "" {
				p.PixFmt = v
			}
		case "avg_frame_rate", "r_frame_rate":
			if kind != "video" {
				continue
			}
			if f := rate(v); k == "avg_frame_rate" && p.FPS == 0 {
				p.FPS = f
			} else if k == "r_frame_rate" && real == 0 {
				real = f
			}
		case "rotation", "TAG:rotate":
			if r, err := strconv.ParseFloat(v, 64); err == nil && p.Rotation == 0 {
				p.Rotation = ((int(math.Round(r))%360 + 360) % 360)
			}
		case "duration":
			p.Duration, _ = strconv.ParseFloat(v, 64)
		}
	}
	p.VFR = real > 0 && p.FPS > 0 && math.Abs(real-p.FPS) > 0.01*real
	return p
}

func rate(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	a, err1 := strconv.ParseFloat(n, 64)
	if !ok {
		return a
	}
	b, err2 := strconv.ParseFloat(d, 64)
	if err1 != nil || err2 != nil || b == 0 {
		return 0
	}
	return a / b
}

// DetectShots finds the cuts of a video file.
func DetectShots(ctx context.Context, path string) (*Shots, error) {
	p, err := ProbeFile(ctx, path)
	if err != nil {
		return nil, err
	}
	ff, err := FFmpeg()
	if err != nil {
		return nil, err
	}
	// Frames at the file's average rate (a variable rate is made steady),
	// turned as they are to be shown, shrunk to a thumbnail.
	cmd := exec.CommandContext(ctx, ff, "-v", "error", "-i", path, "-map", "0:v:0",
		"-vf", fmt.Sprintf("fps=%.6f,scale=%d:%d:flags=area,format=rgb24", p.FPS, thumbW, thumbH),
		"-f", "rawvideo", "-")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("film: shots: ffmpeg: %w", err)
	}
	stats, rerr := readStats(bufio.NewReaderSize(out, 1<<16))
	werr := cmd.Wait()
	if rerr != nil {
		return nil, rerr
	}
	if werr != nil && len(stats) == 0 {
		return nil, fmt.Errorf("film: shots: %s: ffmpeg: %v: %s", path, werr, firstLines(stderr.String(), 2))
	}
	if len(stats) == 0 {
		return nil, fmt.Errorf("film: shots: %s has no frames", path)
	}
	s := detect(stats, p.FPS)
	return s, nil
}

// readStats reads thumbnails until the stream ends.
func readStats(r io.Reader) ([]frameStats, error) {
	buf := make([]byte, thumbW*thumbH*3)
	y := make([]float64, thumbW*thumbH)
	var out []frameStats
	for {
		if _, err := io.ReadFull(r, buf); err == io.EOF || err == io.ErrUnexpectedEOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		out = append(out, statsOf(buf, y))
	}
}

// statsOf works out a frame's statistics from its thumbnail; y is scratch
// of thumbW×thumbH.
func statsOf(rgb []byte, y []float64) frameStats {
	n := thumbW * thumbH
	f := frameStats{thumb: make([]int16, n)}
	sum := 0.0
	for i := range n {
		r, g, b := rgb[3*i], rgb[3*i+1], rgb[3*i+2]
		y[i] = 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
		sum += y[i]
		f.rgb[0] += float64(r)
		f.rgb[1] += float64(g)
		f.rgb[2] += float64(b)
	}
	for c := range f.rgb {
		f.rgb[c] /= float64(n)
	}
	f.luma = sum / float64(n)
	v := 0.0
	for i := range y {
		v += (y[i] - f.luma) * (y[i] - f.luma)
	}
	f.std = math.Sqrt(v / float64(n))
	lap := 0.0
	for yy := 1; yy < thumbH-1; yy++ {
		for x := 1; x < thumbW-1; x++ {
			i := yy*thumbW + x
			lap += math.Abs(4*y[i] - y[i-1] - y[i+1] - y[i-thumbW] - y[i+thumbW])
		}
	}
	f.sharp = lap / float64((thumbW-2)*(thumbH-2))
	// The structure alone: brightness and contrast taken out, so fades,
	// flashes and exposure changes are not changes of content.
	k := 1.0
	if f.std > 1 {
		k = 1 / f.std
	}
	for i := range y {
		f.thumb[i] = int16(min(32767, max(-32767, math.Round((y[i]-f.luma)*k*zScale))))
	}
	return f
}

// change is how much b differs from a: its structure (0 to about 60)
// where both have some; else its mean colour (which tells apart two plain
// pictures, a wall and a sky).
func change(a, b *frameStats) float64 {
	if a.flat() || b.flat() {
		// Colour, and contrast — a plain picture against a busy one — where
		// the colour changes too (an object coming into a plain frame
		// changes its contrast, hardly its colour).
		c := math.Sqrt(sq(a.rgb[0]-b.rgb[0]) + sq(a.rgb[1]-b.rgb[1]) + sq(a.rgb[2]-b.rgb[2]))
		return 0.25*c + 50*max(0, math.Abs(a.std-b.std)/(a.std+b.std+1)-0.5)*min(1, c/30)
	}
	d := 0
	for i, x := range a.thumb {
		e := int(x) - int(b.thumb[i])
		if e < 0 {
			e = -e
		}
		d += e
	}
	return 25 * float64(d) / zScale / float64(len(a.thumb))
}

// flat says a frame has no structure to compare (a plain wall, a clear
// sky, a black screen).
func (f *frameStats) flat() bool { return f.std < 4 }

// blank says a frame is part of a fade: nearly black or white, nearly flat.
func (f *frameStats) blank() bool { return (f.luma < 24 || f.luma > 235) && f.std < 8 }

// flash tells whether some frame among the hold before i is like some
// frame among the four holds from i on (closer than limit): the picture
// came back.
func flash(st []frameStats, i, hold int, limit float64) bool {
	for b := max(0, i-hold); b < i; b++ {
		for a := i; a < min(len(st), i+4*hold); a++ {
			if !st[a].blank() && !st[b].blank() && change(&st[b], &st[a]) < limit {
				return true
			}
		}
	}
	return false
}

// detect finds the cuts from the frames' statistics.
func detect(st []frameStats, fps float64) *Shots {
	n := len(st)
	s := &Shots{FPS: fps, Frames: n, Duration: float64(n) / fps, Score: make([]float64, n), Luma: make([]float64, n), Sharp: make([]float64, n)}
	for i := range st {
		s.Luma[i], s.Sharp[i] = st[i].luma, st[i].sharp
		if i > 0 {
			s.Score[i] = change(&st[i-1], &st[i])
		}
	}
	type cut struct {
		frame    int
		strength float64
	}
	var cuts []cut
	win := max(4, int(fps)) // a second each side
	local := make([]float64, 0, 2*win)
	hold := max(2, int(math.Round(fps/8)))
	for i := 1; i < n; i++ {
		if st[i].blank() || st[i-1].blank() {
			continue // fades are found below
		}
		// The typical change: the median of each side's second, and the
		// calmer side's (a cut from a shaking shot to a still one is
		// still a cut).
		typical := math.Inf(1)
		for _, side := range [2][2]int{{max(1, i-win), i}, {i + 1, min(n, i+win+1)}} {
			local = local[:0]
			for j := side[0]; j < side[1]; j++ {
				if !st[j].blank() && !st[j-1].blank() {
					local = append(local, s.Score[j])
				}
			}
			if len(local) > 0 {
				slices.Sort(local)
				typical = min(typical, local[len(local)/2])
			}
		}
		if math.IsInf(typical, 1) {
			typical = 0
		}
		if s.Score[i] < 12 || s.Score[i] < 3.5*typical+4 {
			continue
		}
		// A flash or a passing light comes back to the same picture: every
		// frame shortly before must still differ from every frame shortly
		// after.
		if flash(st, i, hold, 0.5*s.Score[i]) {
			continue
		}
		cuts = append(cuts, cut{i, s.Score[i] / (typical + 1)})
	}
	// Fades: a run of blank frames between pictures is one cut, at its middle.
	for i := 0; i < n; {
		if !st[i].blank() {
			i++
			continue
		}
		j := i
		for j < n && st[j].blank() {
			j++
		}
		// A fade when the pictures either side differ or the blank lasts
		// (a deliberate black); a flash comes back to the same picture.
		// The pictures either side: from before the fade began and after
		// it ended (up to half a second out).
		k := int(0.5 * fps)
		before, after := max(0, i-1-k), min(n-1, j+k)
		// (A frame or two of black is a glitch, not a fade: only the
		// neighbours count then.)
		wide := j-i >= 3 && change(&st[before], &st[after]) > 12
		if i > 0 && j < n && (wide || change(&st[i-1], &st[j]) > 12 || float64(j-i) >= 0.5*fps) {
			cuts = append(cuts, cut{(i + j) / 2, 1000})
		}
		i = j
	}
	slices.SortFunc(cuts, func(a, b cut) int { return a.frame - b.frame })
	// Cuts at least minShot apart: the stronger stays.
	gap := int(math.Round(minShot * fps))
	var kept []cut
	for _, c := range cuts {
		if k := len(kept); k > 0 && c.frame-kept[k-1].frame < gap {
			if c.strength > kept[k-1].strength {
				kept[k-1] = c
			}
			continue
		}
		kept = append(kept, c)
	}
	for _, c := range kept {
		s.Cuts = append(s.Cuts, math.Round(float64(c.frame)/fps*1000)/1000)
	}
	if s.Cuts == nil {
		s.Cuts = []float64{}
	}
	return s
}
