package film

// Smart editing: a person's clips cut down to a short film.
//
//  1. Each clip is probed (refused clearly when it is not a video, holds
//     no picture, is empty or over the limits) and its shots found.
//  2. Each shot is scored in windows of up to five seconds: detail
//     (sharpness against the clip's own median), exposure (mid-grey
//     brightness, not crushed or blown), motion (some is good, a blur of
//     it is not), steadiness (the change from frame to frame does not
//     jump about) and the sound's energy.
//  3. The best window of each shot (each 12 s of a long one) is a
//     candidate piece; the best pieces
//     are taken, at least one from every clip, until they fill the length
//     asked for (less the crossfades), and put back in the order they were
//     filmed, clip by clip.
//  4. ffmpeg renders the cut in one pass: each piece trimmed, turned as it
//     is to be shown, brought to the frame size (filling it) and a steady
//     frame rate, joined by crossfades, graded through a 3D LUT, with the
//     subtitles and the label overlaid as pictures Miaobi draws (its own
//     fonts, no system fonts needed). The sound — each piece's, or silence
//     for a clip without — is made first, crossfaded, normalised to −16
//     LUFS and watermarked in Go, and handed to the same ffmpeg.

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	xdraw "golang.org/x/image/draw"

	"miaobi/label"
	"miaobi/label/watermark"
	"miaobi/paint/glyph"
	"miaobi/photo"
	"miaobi/sound"
	"miaobi/sound/pcm"
)

// Edit asks for a cut of a person's clips.
type Edit struct {
	Clips      []string
	Length     float64 // seconds (default 30)
	W, H, FPS  int     // default: 1920×1080 (1080×1920 when the first clip is tall), 30 fps
	Look       string  // "", a name in Looks, or a .cube file
	Cues       []Cue   // subtitles in the cut's time
	Transition float64 // crossfade seconds (default 0.5; 0 for hard cuts... at least one frame)
	Preset     string
	Style      photo.Style // "", or one of photo's styles: every frame restyled
	// Stickers are pictures laid on the whole cut, each in a corner.
	Stickers   []Sticker
	Seed       uint64 // the style's paper and brush grain
	OnProgress func(stage string, done float64)
}

// Sticker is a picture (PNG with transparency, JPEG, GIF, WebP) laid on
// the cut at a corner ("tl", "tr", "bl"; "br" is the label's), a fifth of
// the frame's width at most.
type Sticker struct {
	Image  image.Image
	Corner string
}

// ParseCorner reads a sticker's corner.
func ParseCorner(s string) (string, error) {
	switch strings.ToLower(s) {
	case "", "tl", "top-left":
		return "tl", nil
	case "tr", "top-right":
		return "tr", nil
	case "bl", "bottom-left":
		return "bl", nil
	}
	return "", fmt.Errorf("film: sticker corner %q: use tl, tr or bl (the bottom right is the label's)", s)
}

// stickerLayer scales a sticker to at most a fifth of the frame's width
// and a quarter of its height and places it in its corner, as a
// premultiplied layer.
func stickerLayer(W, H int, st Sticker) (*image.RGBA, error) {
	b := st.Image.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("film: a sticker with no pixels")
	}
	k := min(1, float64(W)/5/float64(b.Dx()), float64(H)/4/float64(b.Dy()))
	w, h := max(1, int(float64(b.Dx())*k)), max(1, int(float64(b.Dy())*k))
	m := min(W, H) / 30
	x, y := m, m
	switch st.Corner {
	case "tr":
		x = W - m - w
	case "bl":
		y = H - m - h
	}
	box := image.Rect(x, y, x+w, y+h)
	out := image.NewRGBA(box)
	// Catmull–Rom keeps the sticker's transparency (photo.Resize lays
	// pictures on white).
	xdraw.CatmullRom.Scale(out, box, st.Image, b, xdraw.Src, nil)
	return out, nil
}

// Piece is one stretch of a clip in the cut.
type Piece struct {
	Clip     int     `json:"clip"`
	From     float64 `json:"from"`
	To       float64 `json:"to"`
	Score    float64 `json:"score"`
	At       float64 `json:"at"` // where it starts in the cut
	HasSound bool    `json:"has_sound"`
}

// EditReport says what the cut is made of.
type EditReport struct {
	Pieces  []Piece     `json:"pieces"`
	Seconds float64     `json:"seconds"`
	Shots   [][]float64 `json:"shots"` // each clip's cuts
	W       int         `json:"width"`
	H       int         `json:"height"`
	Bytes   int         `json:"bytes"`
}

type clipInfo struct {
	path  string
	probe *Probe
	shots *Shots
	loud  []float64 // sound energy in dB, per quarter second; nil without sound
}

const (
	maxClips    = 50
	maxEditSecs = 600
	pieceMax    = 5.0  // seconds
	chunk       = 12.0 // a long shot gives a piece every this many seconds
	pieceMin    = 1.2
	loudStep    = 0.25 // seconds
)

func (e *Edit) check() error {
	if e.Length == 0 {
		e.Length = 30
	}
	if e.FPS == 0 {
		e.FPS = 30
	}
	if e.Transition == 0 {
		e.Transition = 0.5
	}
	switch {
	case len(e.Clips) == 0:
		return fmt.Errorf("film: edit: give one or more clips")
	case len(e.Clips) > maxClips:
		return fmt.Errorf("film: edit: %d clips: at most %d", len(e.Clips), maxClips)
	case e.Length < 2 || e.Length > maxEditSecs:
		return fmt.Errorf("film: edit: length %g s: use 2 to %d seconds", e.Length, maxEditSecs)
	case e.FPS < 1 || e.FPS > MaxFPS:
		return fmt.Errorf("film: edit: %d frames a second: use 1 to %d", e.FPS, MaxFPS)
	case e.Transition < 0 || e.Transition > 2:
		return fmt.Errorf("film: edit: a crossfade of %g s: use 0 to 2", e.Transition)
	case e.W != 0 && (e.W < MinSide || e.H < MinSide || e.W > MaxSide || e.H > MaxSide || e.W%2 != 0 || e.H%2 != 0):
		return fmt.Errorf("film: edit: size %d×%d: give even sides of %d to %d pixels", e.W, e.H, MinSide, MaxSide)
	}
	return checkPreset(e.Preset)
}

func (e *Edit) progress(stage string, done float64) {
	if e.OnProgress != nil {
		e.OnProgress(stage, done)
	}
}

// Cut plans and renders the edit, and writes the labelled MP4 to w (only
// when it is whole).
func Cut(ctx context.Context, w io.Writer, e Edit, prov label.Provenance) (*EditReport, error) {
	if err := e.check(); err != nil {
		return nil, err
	}
	if _, err := FFmpeg(); err != nil {
		return nil, err
	}
	var lut *LUT
	if e.Look != "" {
		var err error
		if lut, err = ReadLook(e.Look); err != nil {
			return nil, err
		}
	}
	if prov.Wording == "" {
		prov.Wording = label.DefaultImageLabel
	}
	clips := make([]*clipInfo, len(e.Clips))
	for i, path := range e.Clips {
		e.progress("reading "+filepath.Base(path), float64(i)/float64(len(e.Clips))*0.4)
		c := &clipInfo{path: path}
		var err error
		if c.probe, err = ProbeFile(ctx, path); err != nil {
			return nil, err
		}
		if c.shots, err = DetectShots(ctx, path); err != nil {
			return nil, err
		}
		if c.probe.HasAudio {
			c.loud, _ = soundEnergy(ctx, path) // a sound that will not decode scores as silence
		}
		clips[i] = c
	}
	if e.W == 0 {
		e.W, e.H = 1920, 1080
		if p := clips[0].probe; shownTall(p) {
			e.W, e.H = 1080, 1920
		}
	}
	pieces := choose(clips, e.Length, e.Transition)
	if len(pieces) == 0 {
		return nil, fmt.Errorf("film: edit: the clips are too short to cut from (each needs %.1f s)", pieceMin)
	}
	rep := &EditReport{Pieces: pieces, W: e.W, H: e.H}
	for _, c := range clips {
		rep.Shots = append(rep.Shots, c.shots.Cuts)
		c.shots.Score, c.shots.Luma, c.shots.Sharp, c.loud = nil, nil, nil, nil
	}
	// The long clips' frame statistics are garbage now; hand their memory
	// back before ffmpeg's render needs its own (a 10-minute 1080p clip:
	// about 90 MB).
	debug.FreeOSMemory()
	e.progress("sound", 0.45)
	track, err := editSound(ctx, clips, pieces, e.Transition)
	if err != nil {
		return nil, err
	}
	if prov.Layers.Watermark {
		if err := watermark.EmbedAudio(track, watermark.PayloadOf(prov.ProduceID)); err != nil {
			return nil, fmt.Errorf("film: edit: watermark: %w", err)
		}
	}
	rep.Seconds = float64(track.Frames()) / float64(track.Rate)
	e.progress("pictures", 0.55)
	mp4, err := renderEdit(ctx, e, clips, pieces, lut, track, prov)
	if err != nil {
		return nil, err
	}
	L := prov.Layers
	prov.Layers = label.Layers{Metadata: L.Metadata, C2PA: L.C2PA}
	if L.Metadata || L.C2PA {
		if mp4, _, err = label.File(mp4, prov); err != nil {
			return nil, fmt.Errorf("film: edit: label: %w", err)
		}
	}
	rep.Bytes = len(mp4)
	_, err = w.Write(mp4)
	return rep, err
}

// shownTall says a clip is shown taller than wide, its turn counted.
func shownTall(p *Probe) bool {
	if p.Rotation == 90 || p.Rotation == 270 {
		return p.Width > p.Height
	}
	return p.Height > p.Width
}

// choose picks the pieces: the best window of each shot, the best of
// those (at least one a clip) until the length is filled, in filming order.
func choose(clips []*clipInfo, length, fade float64) []Piece {
	var cands []Piece
	for ci, c := range clips {
		s := c.shots
		dur := min(c.probe.Duration, s.Duration)
		// Shots, and long shots in chunks of at most chunk seconds, so a
		// long take can give several pieces.
		var bounds []float64
		for k, cuts := 0, append(append([]float64{0}, s.Cuts...), dur); k < len(cuts); k++ {
			if k > 0 {
				a, b := cuts[k-1], cuts[k]
				for n, i := math.Ceil((b-a)/chunk), 1.0; i < n; i++ {
					bounds = append(bounds, a+(b-a)*i/n)
				}
			}
			bounds = append(bounds, cuts[k])
		}
		sharpMed := median(s.Sharp)
		for k := 0; k+1 < len(bounds); k++ {
			// A little in from each cut, off any fade.
			a, b := bounds[k]+0.15, bounds[k+1]-0.15
			if b-a < pieceMin {
				continue
			}
			win := min(pieceMax, b-a)
			best, bestAt := math.Inf(-1), a
			for t := a; t+win <= b+1e-9; t += 0.5 {
				if sc := windowScore(c, t, t+win, sharpMed); sc > best {
					best, bestAt = sc, t
				}
			}
			cands = append(cands, Piece{Clip: ci, From: bestAt, To: bestAt + win, Score: best, HasSound: c.loud != nil})
		}
	}
	slices.SortStableFunc(cands, func(a, b Piece) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	var chosen []Piece
	filled := func() float64 {
		t := 0.0
		for i, p := range chosen {
			t += p.To - p.From
			if i > 0 {
				t -= fade
			}
		}
		return t
	}
	taken := make([]bool, len(cands))
	// First the best piece of every clip, then the best of the rest.
	for ci := range clips {
		for i, p := range cands {
			if p.Clip == ci && !taken[i] && filled() < length {
				chosen, taken[i] = append(chosen, p), true
				break
			}
		}
	}
	for i, p := range cands {
		if filled() >= length {
			break
		}
		if !taken[i] {
			chosen, taken[i] = append(chosen, p), true
		}
	}
	slices.SortFunc(chosen, func(a, b Piece) int {
		if a.Clip != b.Clip {
			return a.Clip - b.Clip
		}
		return int(math.Copysign(1, a.From-b.From))
	})
	// Trim the last pieces to the length.
	for over := filled() - length; over > 1e-6 && len(chosen) > 0; over = filled() - length {
		last := &chosen[len(chosen)-1]
		if cut := min(over, last.To-last.From-pieceMin); cut > 1e-6 {
			last.To -= cut
			continue
		}
		if len(chosen) == 1 {
			break
		}
		chosen = chosen[:len(chosen)-1]
	}
	at := 0.0
	for i := range chosen {
		chosen[i].At = at
		at += chosen[i].To - chosen[i].From - fade
	}
	return chosen
}

// windowScore scores a stretch of a clip, about −3 to 3.
func windowScore(c *clipInfo, from, to, sharpMed float64) float64 {
	s := c.shots
	i0, i1 := int(from*s.FPS), min(len(s.Score), int(to*s.FPS))
	if i1-i0 < 2 {
		return math.Inf(-1)
	}
	var luma, sharp, motion, jerk float64
	dark := 0
	for i := i0; i < i1; i++ {
		luma += s.Luma[i]
		sharp += s.Sharp[i]
		motion += s.Score[i]
		if i > i0 {
			jerk += math.Abs(s.Score[i] - s.Score[i-1])
		}
		if s.Luma[i] < 30 || s.Luma[i] > 225 {
			dark++
		}
	}
	n := float64(i1 - i0)
	luma, sharp, motion, jerk = luma/n, sharp/n, motion/n, jerk/(n-1)
	exposure := 1 - math.Abs(luma-120)/120 - 1.5*float64(dark)/n
	detail := math.Log2((sharp + 0.5) / (sharpMed + 0.5))
	// Some motion is life; a blur of it is not: best near 6.
	move := 1 - math.Abs(motion-6)/12
	steady := -jerk / 6
	loud := 0.0
	if c.loud != nil {
		k0, k1 := int(from/loudStep), min(len(c.loud), int(to/loudStep))
		for k := k0; k < k1; k++ {
			loud += c.loud[k]
		}
		if k1 > k0 {
			loud = min(1, max(-1, (loud/float64(k1-k0)+30)/20))
		}
	}
	return 1.2*exposure + 1.0*detail + 0.6*move + 0.8*steady + 0.5*loud
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	y := slices.Clone(x)
	slices.Sort(y)
	return y[len(y)/2]
}

// soundEnergy is a clip's sound level in dB per quarter second (mono,
// 8 kHz is enough to weigh it).
func soundEnergy(ctx context.Context, path string) ([]float64, error) {
	out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-ac", "1", "-ar", "8000", "-f", "s16le", "-").Output()
	if err != nil {
		return nil, err
	}
	step := int(8000 * loudStep)
	var db []float64
	for i := 0; i+2*step <= len(out); i += 2 * step {
		sum := 0.0
		for k := 0; k < step; k++ {
			v := float64(int16(uint16(out[i+2*k])|uint16(out[i+2*k+1])<<8)) / 32768
			sum += v * v
		}
		db = append(db, 10*math.Log10(sum/float64(step)+1e-10))
	}
	return db, nil
}

// editSound makes the cut's sound: each piece's (silence for a clip
// without), crossfaded, normalised.
func editSound(ctx context.Context, clips []*clipInfo, pieces []Piece, fade float64) (*pcm.Audio, error) {
	var out *pcm.Audio
	for _, p := range pieces {
		d := p.To - p.From
		var a *pcm.Audio
		if clips[p.Clip].probe.HasAudio {
			b, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-ss", fmt.Sprintf("%.3f", p.From), "-t", fmt.Sprintf("%.3f", d),
				"-i", clips[p.Clip].path, "-map", "0:a:0", "-ac", "2", "-ar", strconv.Itoa(sound.Rate), "-f", "f32le", "-").Output()
			if err == nil {
				a = &pcm.Audio{Rate: sound.Rate, Channels: 2, Samples: make([]float32, len(b)/4)}
				for i := range a.Samples {
					a.Samples[i] = math.Float32frombits(uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24)
				}
			}
		}
		// Exactly the piece's length: silence where the sound is short or
		// missing.
		want := int(math.Round(d * sound.Rate))
		if a == nil {
			a = &pcm.Audio{Rate: sound.Rate, Channels: 2}
		}
		if a.Frames() < want {
			a.Samples = append(a.Samples, make([]float32, 2*(want-a.Frames()))...)
		}
		a.Samples = a.Samples[:2*want]
		for i, v := range a.Samples {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				a.Samples[i] = 0
			}
		}
		if out == nil {
			out = a
			continue
		}
		var err error
		if out, err = sound.Splice(out, a, fade); err != nil {
			return nil, err
		}
	}
	if l, err := sound.Measure(out); err == nil && !math.IsInf(l.Integrated, -1) {
		n, _, err := sound.Normalize(out, sound.TargetLUFS, sound.CeilingTP)
		if err != nil {
			return nil, err
		}
		out = n
	}
	return out, nil
}

// renderEdit runs ffmpeg over the pieces and returns the MP4 (visible
// label and subtitles drawn, the watermarked sound muxed in). With a
// style, a first ffmpeg hands the cut's frames to Go to be restyled, and
// a second takes them on.
func renderEdit(ctx context.Context, e Edit, clips []*clipInfo, pieces []Piece, lut *LUT, track *pcm.Audio, prov label.Provenance) ([]byte, error) {
	dir, err := os.MkdirTemp("", "miaobi-edit-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cutArgs, cutGraph, last, err := cutGraph(e, clips, pieces, lut, dir)
	if err != nil {
		return nil, err
	}
	var args []string
	var graph strings.Builder
	nIn := 0
	var frames io.Reader
	var styleDone chan error
	if e.Style != "" {
		// The cut, small enough to restyle, as raw frames to Go.
		sw, sh := styleSize(e.W, e.H)
		first := exec.CommandContext(ctx, "ffmpeg", append(append([]string{"-hide_banner", "-v", "error"}, cutArgs...),
			"-filter_complex", cutGraph+fmt.Sprintf(";[%s]scale=%d:%d,format=rgba[s]", last, sw, sh), "-map", "[s]", "-f", "rawvideo", "-")...)
		var stderr bytes.Buffer
		first.Stderr = &stderr
		raw, err := first.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := first.Start(); err != nil {
			return nil, fmt.Errorf("film: edit: start ffmpeg: %w", err)
		}
		pr, pw := io.Pipe()
		frames = pr
		styleDone = make(chan error, 1)
		go func() {
			err := restyle(ctx, raw, pw, sw, sh, e.Style, e.Seed)
			io.Copy(io.Discard, raw)
			if werr := first.Wait(); err == nil && werr != nil {
				err = fmt.Errorf("film: edit: ffmpeg: %v: %s", werr, firstLines(stderr.String(), 3))
			}
			pw.CloseWithError(err)
			styleDone <- err
		}()
		args = []string{"-f", "rawvideo", "-pix_fmt", "rgba", "-s", fmt.Sprintf("%dx%d", sw, sh), "-r", strconv.Itoa(e.FPS), "-i", "pipe:0"}
		fmt.Fprintf(&graph, "[0:v]scale=%d:%d:flags=bicubic,setsar=1,format=yuv420p[styled];", e.W, e.H)
		last, nIn = "styled", 1
	} else {
		args = cutArgs
		graph.WriteString(cutGraph + ";")
		nIn = len(pieces)
	}
	// Overlays: subtitles, then the label (in full for its seconds, then
	// the corner mark), each a picture Miaobi drew.
	// Each layer is drawn where it goes on the frame (its bounds).
	type layer struct {
		img        *image.RGBA
		start, end float64
	}
	total := float64(track.Frames()) / float64(track.Rate)
	var layers []layer
	for _, c := range e.Cues {
		img, err := subtitleLayer(e.W, e.H, c.Text)
		if err != nil {
			return nil, err
		}
		layers = append(layers, layer{img, c.Start, c.End})
	}
	for _, st := range e.Stickers {
		img, err := stickerLayer(e.W, e.H, st)
		if err != nil {
			return nil, err
		}
		layers = append(layers, layer{img, 0, total + 1})
	}
	full, err := overlay(e.W, e.H, prov.Wording, label.Image)
	if err != nil {
		return nil, err
	}
	mark, err := overlay(e.W, e.H, prov.Wording, label.CornerMark)
	if err != nil {
		return nil, err
	}
	layers = append(layers, layer{full, 0, float64(label.VideoLabelSeconds)}, layer{mark, float64(label.VideoLabelSeconds), total + 1})
	for i, l := range layers {
		path := filepath.Join(dir, fmt.Sprintf("layer%d.png", i))
		var b bytes.Buffer
		if err := png.Encode(&b, l.img); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "-i", path)
		out := fmt.Sprintf("o%d", i)
		fmt.Fprintf(&graph, "[%s][%d:v]overlay=x=%d:y=%d:enable='between(t,%.3f,%.3f)'[%s];", last, nIn+i, l.img.Rect.Min.X, l.img.Rect.Min.Y, l.start, l.end, out)
		last = out
	}
	audioIn := nIn + len(layers) // the sound's input comes after the layers
	layers = nil                 // written; let them go before ffmpeg runs
	g := strings.TrimSuffix(graph.String(), ";")
	out := filepath.Join(dir, "edit.mp4")
	v := Video{W: e.W, H: e.H, FPS: e.FPS, Preset: e.Preset}
	full2 := append([]string{"-hide_banner", "-v", "error", "-y"}, args...)
	full2 = append(full2, "-f", "wav", "-i", "pipe:3", "-filter_complex", g, "-map", "["+last+"]", "-map", fmt.Sprintf("%d:a", audioIn))
	full2 = append(full2, aacArgs...)
	full2 = append(full2, v.output(out)...)
	// The layers' frames are garbage now; hand them back before ffmpeg
	// decodes and encodes (its peak is the edit's).
	debug.FreeOSMemory()
	cmd := exec.CommandContext(ctx, "ffmpeg", full2...)
	feed, err := feedSound(cmd)
	if err != nil {
		return nil, err
	}
	defer feed.close()
	if frames != nil {
		cmd.Stdin = frames
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("film: edit: start ffmpeg: %w", err)
	}
	sent := feed.send(track)
	werr := cmd.Wait()
	<-sent // a failed write shows as ffmpeg's error
	if styleDone != nil {
		if err := <-styleDone; err != nil {
			return nil, err
		}
	}
	if werr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("film: edit: ffmpeg: %v: %s", werr, firstLines(stderr.String(), 4))
	}
	return os.ReadFile(out)
}

// cutGraph is ffmpeg's inputs and filter graph for the pieces joined by
// crossfades and graded: the arguments, the graph, and its output's label.
func cutGraph(e Edit, clips []*clipInfo, pieces []Piece, lut *LUT, dir string) ([]string, string, string, error) {
	var args []string
	var graph strings.Builder
	// One input a piece, seeked to it (ffmpeg decodes from the keyframe
	// before, not from the clip's start), cut to its length. Two decoding
	// threads a piece: each thread holds frames, and a cut of many 1080p
	// pieces would otherwise hold hundreds of MB.
	for _, p := range pieces {
		args = append(args, "-threads", "2", "-ss", fmt.Sprintf("%.3f", p.From), "-t", fmt.Sprintf("%.3f", p.To-p.From), "-i", clips[p.Clip].path)
	}
	for k, p := range pieces {
		if k > 0 {
			graph.WriteString(";")
		}
		fmt.Fprintf(&graph, "[%d:v:0]setpts=PTS-STARTPTS,fps=%d,trim=duration=%.3f,scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1,format=yuv420p[p%d]",
			k, e.FPS, p.To-p.From, e.W, e.H, e.W, e.H, k)
	}
	last := "p0"
	for k := 1; k < len(pieces); k++ {
		out := fmt.Sprintf("x%d", k)
		fmt.Fprintf(&graph, ";[%s][p%d]xfade=transition=fade:duration=%.3f:offset=%.3f[%s]", last, k, e.Transition, pieces[k].At, out)
		last = out
	}
	if lut != nil {
		path := filepath.Join(dir, "look.cube")
		if err := os.WriteFile(path, lut.Cube(), 0o600); err != nil {
			return nil, "", "", err
		}
		fmt.Fprintf(&graph, ";[%s]lut3d=file='%s':interp=tetrahedral[graded]", last, path)
		last = "graded"
	}
	return args, graph.String(), last, nil
}

// styleSize is the size frames are restyled at: the frame's shape, about
// a quarter of a megapixel (photo's styles take about 70 ms a frame there).
func styleSize(W, H int) (int, int) {
	k := math.Sqrt(250_000 / float64(W*H))
	if k >= 1 {
		return W, H
	}
	return int(float64(W)*k) / 2 * 2, int(float64(H)*k) / 2 * 2
}

// restyle reads raw RGBA frames of w×h, restyles each with photo's style
// (the same seed each frame, so the paper's grain stays still) and writes
// them on. Temporal smoothing keeps the strokes from flickering: each
// frame is mixed with the restyled one before by as much as the source
// stayed the same (60 % where it is still, little across a cut). On a
// moving test clip this took the frames' mean change from 6.7 to 4.4
// (the source's: 2.7; TestCutStyled).
func restyle(ctx context.Context, r io.Reader, w io.Writer, fw, fh int, style photo.Style, seed uint64) error {
	size := fw * fh * 4
	src := image.NewRGBA(image.Rect(0, 0, fw, fh))
	prevSrc := make([]byte, size)
	var prev []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := io.ReadFull(r, src.Pix); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("film: restyle: %w", err)
		}
		styled, err := photo.Stylize(src, style, seed)
		if err != nil {
			return err
		}
		if prev != nil {
			// How much the source changed: mean absolute difference.
			d := 0
			for i := 0; i < size; i += 16 {
				x := int(src.Pix[i]) - int(prevSrc[i])
				if x < 0 {
					x = -x
				}
				d += x
			}
			change := float64(d) / float64(size/16)
			keep := 0.6 * math.Exp(-change/12)
			k := uint32(keep * 256)
			for i := 0; i < size; i++ {
				styled.Pix[i] = uint8((uint32(styled.Pix[i])*(256-k) + uint32(prev[i])*k) >> 8)
			}
		} else {
			prev = make([]byte, size)
		}
		copy(prev, styled.Pix)
		copy(prevSrc, src.Pix)
		if _, err := w.Write(styled.Pix); err != nil {
			return err
		}
	}
}

// subtitleLayer draws one subtitle — the plain hand, white on a soft dark
// plate, centred near the foot of the frame — as a premultiplied layer.
func subtitleLayer(W, H int, text string) (*image.RGBA, error) {
	text = strings.ReplaceAll(text, "\n", " ")
	if r := glyph.Writable(text); r != 0 {
		return nil, fmt.Errorf("film: subtitle %q: no font has 「%c」", text, r)
	}
	size := max(14, min(W, H)/18)
	for size > 10 && glyph.CaptionBox(text, size, image.Pt(0, 0)).Dx() > W*9/10 {
		size = size * 9 / 10
	}
	box := glyph.CaptionBox(text, size, image.Pt(0, 0))
	// Above the label's corner plate (its top is about 0.9 of the height).
	corner := image.Pt((W+box.Dx())/2, H*85/100)
	return overlay(W, H, text, func(dst *image.RGBA, s string) (image.Rectangle, error) {
		r, _, err := glyph.Caption(dst, s, size, corner, subtitleInk, subtitlePlate)
		return r, err
	})
}

// Subtitle colours: white on a soft dark plate.
var (
	subtitleInk   = color.NRGBA{255, 255, 255, 250}
	subtitlePlate = color.NRGBA{16, 16, 16, 130}
)
