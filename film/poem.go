package film

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"

	"miaobi/label"
	"miaobi/label/watermark"
	"miaobi/paint"
	"miaobi/sound"
	"miaobi/sound/pcm"
)

// Limits of a poem film.
const (
	MaxSide    = 3840 // pixels, either side
	MinSide    = 144
	MaxSeconds = 300 // a poem film is held in memory while it is labelled
	MaxFPS     = 60
)

// Poem is what a poem film is made from.
type Poem struct {
	Title   string
	Lines   []string
	Words   string // the person's keywords: more images for the picture and weather
	Season  int    // 0 春 … 3 冬, −1 unknown (sound.VerseOf's)
	Seed    uint64
	W, H    int     // frame size: 1920×1080 (a handscroll panned) or 1080×1920 (a hanging scroll)
	FPS     int     // default 30
	Seconds float64 // 0: as long as the recitation and a close
	Codec   Codec
	Preset  string // x264/x265 preset; "" for DefaultPreset
	NoVoice bool   // music alone, the lines written at a steady pace
	NoMusic bool   // the voice alone
	Mode    *sound.Mode
	Tempo   float64 // the music's beats a minute; 0: the season's
	// Picture, when given, is filmed instead of a new painting (a work's
	// own painting or the person's photo), with a slow move in on it.
	Picture *image.RGBA
	// OnFrame, when given, hears of each frame drawn (for progress).
	OnFrame func(i, n int)
}

// Span says which frames show a part of the film being written: the
// title, line N, or the signature (To excluded).
type Span struct {
	Part string `json:"part"`
	Line int    `json:"line,omitempty"` // 1-based, for a line
	From int    `json:"from"`
	To   int    `json:"to"`
}

// Report says what was made and how long it took.
type Report struct {
	Frames     int           `json:"frames"`
	Seconds    float64       `json:"seconds"`
	Recited    bool          `json:"recited"` // false: espeak-ng missing or NoVoice, lines at a steady pace
	Weather    Weather       `json:"weather"`
	Move       string        `json:"move"`
	Sound      time.Duration `json:"sound_ns"`
	Render     time.Duration `json:"render_ns"` // frames drawn and encoded
	Speed      float64       `json:"speed"`     // film seconds made per wall-clock second (whole render)
	Bytes      int           `json:"bytes"`
	ProduceID  string        `json:"produce_id"`
	LabelUntil float64       `json:"label_until"` // the full visible label is on until this second
	// Writing says from which frame each part is written on (a character
	// stays once written).
	Writing []Span `json:"writing"`
}

// check validates the request and fills defaults.
func (p *Poem) check() error {
	if p.FPS == 0 {
		p.FPS = 30
	}
	if p.W == 0 && p.H == 0 {
		p.W, p.H = 1920, 1080
	}
	switch {
	case len(p.Lines) == 0:
		return errors.New("film: there is no poem to film")
	case p.W < MinSide || p.H < MinSide || p.W > MaxSide || p.H > MaxSide || p.W%2 != 0 || p.H%2 != 0:
		return fmt.Errorf("film: size %d×%d: give even sides of %d to %d pixels (1920x1080 or 1080x1920)", p.W, p.H, MinSide, MaxSide)
	case p.FPS < 1 || p.FPS > MaxFPS:
		return fmt.Errorf("film: %d frames a second: use 1 to %d", p.FPS, MaxFPS)
	case p.Codec != "" && p.Codec != H264 && p.Codec != H265 && p.Codec != VP9:
		return fmt.Errorf("film: unknown codec %q: use h264, h265 or vp9", p.Codec)
	case p.NoVoice && p.NoMusic:
		return errors.New("film: a film needs its voice, its music or both")
	case p.Picture != nil && (p.Picture.Rect.Dx() < MinSide || p.Picture.Rect.Dy() < MinSide):
		return fmt.Errorf("film: the picture is %d×%d: give one at least %d pixels a side", p.Picture.Rect.Dx(), p.Picture.Rect.Dy(), MinSide)
	case p.Seconds < 0 || p.Seconds > MaxSeconds:
		return fmt.Errorf("film: %g seconds: use 0 (the recitation's length) up to %d", p.Seconds, MaxSeconds)
	}
	for _, l := range p.Lines {
		if strings.TrimSpace(l) == "" {
			return errors.New("film: the poem has an empty line")
		}
	}
	return checkPreset(p.Preset)
}

// MakePoem films a poem: its painting under a slow camera, weather from
// its images, the lines written as the voice reads them, the music under
// the voice, the GB 45438 label on the picture (in full for the first
// seconds, then a corner mark) and in the sound (the watermark), and — as
// prov asks — the AIGC metadata and a signed C2PA manifest. The MP4 goes
// to w only when it is whole.
func MakePoem(ctx context.Context, w io.Writer, p Poem, prov label.Provenance) (*Report, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	if _, err := FFmpeg(); err != nil {
		return nil, err
	}
	if prov.Wording == "" {
		prov.Wording = label.DefaultImageLabel
	}
	rep := &Report{ProduceID: prov.ProduceID}
	start := time.Now()

	// The sound: the recitation (with when each stretch is said) over the
	// music.
	// The painting is made while the sound is (one core each).
	type painted struct {
		img  *image.RGBA
		move Move
		name string
		err  error
	}
	pc := make(chan painted, 1)
	go func() {
		var r painted
		r.img, r.move, r.name, r.err = picture(p)
		pc <- r
	}()
	track, said, err := soundtrack(ctx, &p)
	pr := <-pc
	if err != nil {
		return nil, err
	}
	if pr.err != nil {
		return nil, pr.err
	}
	rep.Recited = said != nil
	if prov.Layers.Watermark {
		if err := watermark.EmbedAudio(track, watermark.PayloadOf(prov.ProduceID)); err != nil {
			return nil, fmt.Errorf("film: watermark: %w", err)
		}
	}
	rep.Sound = time.Since(start)
	length := float64(track.Frames()) / float64(track.Rate)
	n := int(math.Round(length * float64(p.FPS)))
	rep.Frames, rep.Seconds = n, float64(n)/float64(p.FPS)

	fr, err := newPoemFrames(p, said, length, prov, pr.img, pr.move, pr.name)
	if err != nil {
		return nil, err
	}
	fr.n = n
	fr.onFrame = p.OnFrame
	rep.Weather, rep.Move, rep.LabelUntil = fr.sky.w, fr.moveName, fr.labelUntil
	rep.Writing = fr.spans(p)

	var buf bytes.Buffer
	t0 := time.Now()
	if err := Encode(ctx, &buf, Video{W: p.W, H: p.H, FPS: p.FPS, Codec: p.Codec, Preset: p.Preset}, fr, track); err != nil {
		return nil, err
	}
	rep.Render = time.Since(t0)
	mp4 := buf.Bytes()
	// The visible label is in the frames and the watermark in the sound;
	// the file gets the metadata and the manifest.
	L := prov.Layers
	prov.Layers = label.Layers{Metadata: L.Metadata, C2PA: L.C2PA}
	if L.Metadata || L.C2PA {
		if mp4, _, err = label.File(mp4, prov); err != nil {
			return nil, fmt.Errorf("film: label: %w", err)
		}
	}
	rep.Bytes = len(mp4)
	if _, err := w.Write(mp4); err != nil {
		return nil, err
	}
	rep.Speed = rep.Seconds / time.Since(start).Seconds()
	return rep, nil
}

// soundtrack makes the film's sound: the recitation padded for a close,
// the music ducked under it, normalised; without a voice the music alone.
// It returns when each stretch of the poem is said (nil without a voice).
func soundtrack(ctx context.Context, p *Poem) (*pcm.Audio, []sound.Said, error) {
	v, err := sound.VerseOf(p.Lines, p.Season, p.Words+p.Title)
	if err != nil {
		return nil, nil, fmt.Errorf("film: %w", err)
	}
	score, err := sound.Compose(v, sound.Options{Seed: p.Seed, Mode: p.Mode, Tempo: p.Tempo})
	if err != nil {
		return nil, nil, fmt.Errorf("film: %w", err)
	}
	music, err := score.Render()
	if err != nil {
		return nil, nil, err
	}
	var voice *pcm.Audio
	var said []sound.Said
	if !p.NoVoice {
		voice, said, err = sound.ReciteTimed(ctx, sound.Recitation{Lines: p.Lines, Verse: sound.IsVerse(p.Lines)})
		if errors.Is(err, sound.ErrNoSpeech) {
			slog.Warn("film: no recitation: the lines are written at a steady pace", "why", err)
			voice, said, err = nil, nil, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
	length := p.Seconds
	if voice != nil {
		need := float64(voice.Frames())/sound.Rate + 2.5
		if length == 0 {
			length = need
		} else if length < need-2.5 {
			return nil, nil, fmt.Errorf("film: the recitation takes %.1f s: give --seconds %.0f or more, or leave it out", need-2.5, math.Ceil(need-2.5))
		}
	} else if length == 0 {
		length = min(float64(music.Frames())/sound.Rate, 60)
	}
	frames := int(length * sound.Rate)
	if p.NoMusic {
		music = &pcm.Audio{Rate: sound.Rate, Channels: 2}
	}
	var track *pcm.Audio
	if voice != nil && p.NoMusic {
		track = &pcm.Audio{Rate: sound.Rate, Channels: 2, Samples: make([]float32, 2*frames)}
		copy(track.Samples, voice.Samples)
	} else if voice != nil {
		fore := &pcm.Audio{Rate: sound.Rate, Channels: 2, Samples: make([]float32, 2*frames)}
		copy(fore.Samples, voice.Samples)
		if track, err = sound.Duck(fore, music, 14); err != nil {
			return nil, nil, err
		}
	} else {
		track = &pcm.Audio{Rate: sound.Rate, Channels: 2, Samples: make([]float32, 2*frames)}
		copy(track.Samples, music.Samples)
		if track, err = sound.Fade(track, 0.5, 2); err != nil {
			return nil, nil, err
		}
	}
	track, _, err = sound.Normalize(track, sound.TargetLUFS, sound.CeilingTP)
	return track, said, err
}

// poemFrames draws a poem film's frames.
type poemFrames struct {
	n, fps     int
	length     float64
	pic        *image.RGBA
	move       Move
	moveName   string
	sky        *sky
	text       *writing
	full, mark *image.RGBA // the label's overlays (premultiplied), drawn on transparent frames
	labelUntil float64
	cols       []column
	onFrame    func(i, n int)
}

func (f *poemFrames) Len() int { return f.n }

// spans says from which frame to which each column is written.
func (f *poemFrames) spans(p Poem) []Span {
	var out []Span
	line := 0
	for i, c := range f.cols {
		if len(c.times) == 0 {
			continue
		}
		first, last := c.times[0], c.times[len(c.times)-1]
		s := Span{From: int(first[0] * float64(f.fps)), To: int(math.Ceil((last[0] + last[1]) * float64(f.fps)))}
		switch {
		case i == 0 && p.Title != "":
			s.Part = "title"
		case c.small:
			s.Part = "signature"
		default:
			line++
			s.Part, s.Line = "line", line
		}
		out = append(out, s)
	}
	return out
}

// picture is what the camera films, and how it moves: the painting, or
// the picture given.
func picture(p Poem) (*image.RGBA, Move, string, error) {
	scene := paint.SceneOf(p.Words + p.Title + strings.Join(p.Lines, ""))
	switch {
	case p.Picture != nil:
		// A picture given: moved in on slowly, whatever its shape.
		return p.Picture, KenBurns(p.Picture.Rect, p.W, p.H, 1.15), "ken burns", nil
	case p.W >= p.H:
		// A handscroll: half as wide again as the frame, panned right to left.
		pic, err := paint.Paint(scene, p.W*3/2, p.H*106/100, p.Seed)
		if err != nil {
			return nil, Move{}, "", fmt.Errorf("film: %w", err)
		}
		return pic, Handscroll(pic.Rect, p.W, p.H), "handscroll", nil
	default:
		// A hanging scroll: a quarter larger than the frame, moved in on.
		pic, err := paint.Paint(scene, p.W*5/4, p.H*5/4, p.Seed)
		if err != nil {
			return nil, Move{}, "", fmt.Errorf("film: %w", err)
		}
		return pic, KenBurns(pic.Rect, p.W, p.H, 1.2), "ken burns", nil
	}
}

func newPoemFrames(p Poem, said []sound.Said, length float64, prov label.Provenance, pic *image.RGBA, move Move, moveName string) (*poemFrames, error) {
	f := &poemFrames{fps: p.FPS, length: length, pic: pic, move: move, moveName: moveName}
	all := p.Words + p.Title + strings.Join(p.Lines, "")
	scene := paint.SceneOf(all)
	var err error
	f.sky = newSky(WeatherOf(all), p.W, p.H, p.Seed, scene.Night)
	f.cols = columnsOf(p, said, length)
	if f.text, err = layoutWriting(p.W, p.H, f.cols); err != nil {
		return nil, err
	}
	if f.full, err = overlay(p.W, p.H, prov.Wording, label.Image); err != nil {
		return nil, err
	}
	if f.mark, err = overlay(p.W, p.H, prov.Wording, label.CornerMark); err != nil {
		return nil, err
	}
	f.labelUntil = float64(label.VideoLabelSeconds)
	return f, nil
}

// columnsOf times the writing: the title in the lead-in, each character
// as the voice reaches it, the signature after the last line.
func columnsOf(p Poem, said []sound.Said, length float64) []column {
	var cols []column
	if p.Title != "" {
		t := []rune(p.Title)
		c := column{text: t}
		for i := range t {
			c.times = append(c.times, [2]float64{0.15 + 0.55*float64(i)/float64(len(t)), 0.12})
		}
		cols = append(cols, c)
	}
	lineCols := make([]column, len(p.Lines))
	for i, l := range p.Lines {
		var han []rune
		for _, r := range l {
			if !strings.ContainsRune("，。、；：！？,.;:!? ", r) {
				han = append(han, r)
			}
		}
		lineCols[i] = column{text: han, times: make([][2]float64, len(han))}
	}
	end := 1.0
	if said != nil {
		for _, s := range said {
			if s.Line >= len(lineCols) {
				continue
			}
			n := s.To - s.From
			for k := s.From; k < s.To && k < len(lineCols[s.Line].times); k++ {
				d := (s.End - s.Start) / float64(max(1, n))
				lineCols[s.Line].times[k] = [2]float64{s.Start + float64(k-s.From)*d, d}
			}
			end = max(end, s.End)
		}
	} else {
		// No voice: a steady pace over the film, a pause between lines.
		total := 0.0
		for _, c := range lineCols {
			total += float64(len(c.text)) + 1.5
		}
		pace := min(0.6, (length-4)/max(1, total))
		t := 1.0
		for i := range lineCols {
			for k := range lineCols[i].times {
				lineCols[i].times[k] = [2]float64{t, pace * 0.8}
				t += pace
			}
			t += 1.5 * pace
		}
		end = t
	}
	cols = append(cols, lineCols...)
	sig := []rune("妙笔")
	c := column{text: sig, small: true}
	for i := range sig {
		c.times = append(c.times, [2]float64{end + 0.4 + 0.3*float64(i), 0.25})
	}
	return append(cols, c)
}

// Frame draws frame i: the camera's view of the painting, the weather,
// the writing, a fade to dark over the last second, and the label.
func (f *poemFrames) Frame(i int, dst *image.RGBA) error {
	t := float64(i) / float64(f.fps)
	if f.onFrame != nil {
		f.onFrame(i, f.n)
	}
	f.sky.prepare(t)
	shoot(dst, f.pic, f.move.At(t/f.length), f.sky.row)
	f.sky.particles(dst, t)
	f.text.draw(dst, t)
	if out := f.length - t; out < 1.2 {
		g := float32(max(0, out/1.2))
		parallel(dst.Rect.Dy(), func(from, to int) {
			px := dst.Pix[from*dst.Stride : to*dst.Stride]
			for k := 0; k < len(px); k += 4 {
				px[k] = uint8(float32(px[k]) * g)
				px[k+1] = uint8(float32(px[k+1]) * g)
				px[k+2] = uint8(float32(px[k+2]) * g)
			}
		})
	}
	if t < f.labelUntil {
		over(dst, f.full)
	} else {
		over(dst, f.mark)
	}
	return nil
}

// overlay renders what draw puts on a W×H frame (a label, a subtitle) as
// a premultiplied layer the size of what it drew, so it can go over every
// frame as draw would draw it there.
func overlay(W, H int, text string, draw func(*image.RGBA, string) (image.Rectangle, error)) (*image.RGBA, error) {
	black, white := canvases(image.Rect(0, 0, W, H))
	box, err := draw(black, text)
	if err != nil {
		return nil, fmt.Errorf("film: %w", err)
	}
	if _, err := draw(white, text); err != nil {
		return nil, fmt.Errorf("film: %w", err)
	}
	return matte(black, white, box), nil
}
