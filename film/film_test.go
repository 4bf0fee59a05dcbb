package film

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"miaobi/label"
	"miaobi/sound"
)

func needFFmpeg(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ffmpeg is needed (apt-get install ffmpeg)")
		}
		t.Skip("ffmpeg is not installed")
	}
}

var snowPoem = Poem{Title: "江雪", Lines: []string{"千山鸟飞绝", "万径人踪灭", "孤舟蓑笠翁", "独钓寒江雪"}, Season: 3, Seed: 1, W: 320, H: 180, FPS: 12}

func TestParseCodec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Codec
		ok   bool
	}{{"", H264, true}, {"H264", H264, true}, {"hevc", H265, true}, {"vp9", VP9, true}, {"av1", "", false}} {
		got, err := ParseCodec(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseCodec(%q) = %q, %v", tc.in, got, err)
		}
	}
}

// Bad requests are refused before any work, with what to do.
func TestPoemCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Poem)
		want string
	}{
		{"no lines", func(p *Poem) { p.Lines = nil }, "no poem"},
		{"odd width", func(p *Poem) { p.W = 321 }, "even sides"},
		{"tiny", func(p *Poem) { p.W, p.H = 100, 100 }, "even sides"},
		{"huge", func(p *Poem) { p.W = 8000 }, "even sides"},
		{"fps", func(p *Poem) { p.FPS = 500 }, "frames a second"},
		{"long", func(p *Poem) { p.Seconds = 4000 }, "seconds"},
		{"preset", func(p *Poem) { p.Preset = "warp" }, "unknown preset"},
		{"empty line", func(p *Poem) { p.Lines = []string{"千山鸟飞绝", " "} }, "empty line"},
	} {
		p := snowPoem
		tc.edit(&p)
		_, err := MakePoem(context.Background(), &bytes.Buffer{}, p, label.Provenance{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
}

func TestWeatherOf(t *testing.T) {
	for _, tc := range []struct {
		text string
		want Weather
	}{
		{"独钓寒江雪", Weather{Mist: 0.35, Snow: true}},
		{"夜雨寄北", Weather{Mist: 0.35, Rain: true}},
		{"桃花流水", Weather{Mist: 0.35, Petals: true}},
		{"孤灯烟锁", Weather{Mist: 0.7, Flicker: true}},
		{"白日依山尽", Weather{Mist: 0.35}},
	} {
		if got := WeatherOf(tc.text); got != tc.want {
			t.Errorf("WeatherOf(%s) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}

// frameHash draws frame i and hashes it.
func frameHash(t *testing.T, f *poemFrames, i int) [32]byte {
	t.Helper()
	dst := image.NewRGBA(image.Rect(0, 0, 320, 180))
	if err := f.Frame(i, dst); err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(dst.Pix)
}

// The same poem and seed draw the same frames; another seed, others; the
// frames move.
func TestFramesDeterministic(t *testing.T) {
	prov := label.Provenance{Wording: label.DefaultImageLabel}
	mk := func(seed uint64) *poemFrames {
		p := snowPoem
		p.Seed = seed
		pic, move, name, err := picture(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := newPoemFrames(p, nil, 10, prov, pic, move, name)
		if err != nil {
			t.Fatal(err)
		}
		f.n = 120
		return f
	}
	a, b, c := mk(1), mk(1), mk(2)
	for _, i := range []int{0, 37, 119} {
		if frameHash(t, a, i) != frameHash(t, b, i) {
			t.Errorf("frame %d differs between two films of the same seed", i)
		}
		if frameHash(t, a, i) == frameHash(t, c, i) {
			t.Errorf("frame %d is the same for seeds 1 and 2", i)
		}
	}
	if frameHash(t, a, 40) == frameHash(t, a, 41) {
		t.Error("frames 40 and 41 are the same: nothing moves")
	}
}

// Each character is written when the voice says it: in order, inside its
// stretch; the title before the first line, the signature after the last.
func TestColumnsFollowTheVoice(t *testing.T) {
	said := []sound.Said{
		{Line: 0, From: 0, To: 2, Start: 0.8, End: 1.3}, {Line: 0, From: 2, To: 5, Start: 1.5, End: 2.4},
		{Line: 1, From: 0, To: 2, Start: 2.9, End: 3.4}, {Line: 1, From: 2, To: 5, Start: 3.6, End: 4.5},
	}
	p := snowPoem
	p.Lines = p.Lines[:2]
	cols := columnsOf(p, said, 8)
	if len(cols) != 4 || string(cols[0].text) != "江雪" || string(cols[3].text) != "妙笔" || !cols[3].small {
		t.Fatalf("columns %+v", cols)
	}
	prev := 0.0
	for ci, c := range cols {
		for k, tm := range c.times {
			if tm[0] < prev || tm[1] <= 0 {
				t.Errorf("column %d character %d at %.2f s (%.2f s long), after %.2f", ci, k, tm[0], tm[1], prev)
			}
			prev = tm[0]
		}
	}
	if got := cols[1].times[3][0]; got < 1.5 || got > 2.4 {
		t.Errorf("飞 written at %.2f s, outside its stretch 1.5–2.4 s", got)
	}
	if cols[3].times[0][0] < 4.5 {
		t.Errorf("signed at %.2f s, before the last line ended", cols[3].times[0][0])
	}
}

// The label layer composited over a frame gives what the label draws on
// that frame directly.
func TestOverlayMatchesLabel(t *testing.T) {
	ov, err := overlay(640, 360, label.DefaultImageLabel, label.Image)
	if err != nil {
		t.Fatal(err)
	}
	grey := func() *image.RGBA {
		img := image.NewRGBA(image.Rect(0, 0, 640, 360))
		for i := range img.Pix {
			img.Pix[i] = uint8(90 + (i/4)%120)
			if i%4 == 3 {
				img.Pix[i] = 255
			}
		}
		return img
	}
	want, got := grey(), grey()
	if _, err := label.Image(want, label.DefaultImageLabel); err != nil {
		t.Fatal(err)
	}
	over(got, ov)
	worst := 0
	for i := range want.Pix {
		worst = max(worst, abs(int(want.Pix[i])-int(got.Pix[i])))
	}
	if worst > 3 {
		t.Errorf("composited label differs from the drawn one by up to %d levels", worst)
	}
	if label.FindImageLabel(got, label.DefaultImageLabel) < 0.5 {
		t.Error("the composited label is not found")
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// blankFrames is a film of grey frames that can fail or block on request.
type blankFrames struct {
	n       int
	failAt  int
	onFrame func(i int)
}

func (b blankFrames) Len() int { return b.n }
func (b blankFrames) Frame(i int, dst *image.RGBA) error {
	if b.onFrame != nil {
		b.onFrame(i)
	}
	if i == b.failAt {
		return errors.New("no such frame")
	}
	for k := range dst.Pix {
		dst.Pix[k] = uint8(i * 3)
	}
	return nil
}

// tempDirs counts Encode's working folders left in the temporary folder.
func tempDirs(t *testing.T) int {
	m, err := filepath.Glob(filepath.Join(os.TempDir(), "miaobi-film-*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// A failed or cancelled render writes nothing and leaves nothing behind.
func TestEncodeFailsCleanly(t *testing.T) {
	needFFmpeg(t)
	before := tempDirs(t)
	var out bytes.Buffer
	v := Video{W: 64, H: 64, FPS: 10}
	if err := Encode(context.Background(), &out, v, blankFrames{n: 30, failAt: 12}, nil); err == nil || !strings.Contains(err.Error(), "frame 12") {
		t.Errorf("a frame that fails: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err := Encode(ctx, &out, v, blankFrames{n: 300, failAt: -1, onFrame: func(i int) {
		if i == 20 {
			cancel()
		}
	}}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled render: %v", err)
	}
	if out.Len() != 0 {
		t.Errorf("%d bytes written by failed renders", out.Len())
	}
	if after := tempDirs(t); after != before {
		t.Errorf("%d working folders left behind", after-before)
	}
	if err := Encode(context.Background(), &out, Video{W: 63, H: 64, FPS: 10}, blankFrames{n: 3, failAt: -1}, nil); err == nil {
		t.Error("an odd width was encoded")
	}
	if err := Encode(context.Background(), &out, v, blankFrames{n: 30, failAt: -1}, nil); err != nil || out.Len() == 0 {
		t.Errorf("a good render: %v, %d bytes", err, out.Len())
	}
}

// A whole small poem film, recited where espeak-ng is: the MP4 has the
// frames and sound asked for, and carries every label layer.
func TestMakePoem(t *testing.T) {
	needFFmpeg(t)
	var out bytes.Buffer
	p := snowPoem
	p.W, p.H, p.FPS = 480, 270, 15
	rep, err := MakePoem(context.Background(), &out, p, label.Provenance{ProduceID: "film-test", AIGenerated: true, Layers: label.Layers{Visible: true, Metadata: true, Watermark: true}})
	if err != nil {
		t.Fatal(err)
	}
	_, espeakErr := exec.LookPath("espeak-ng")
	if rep.Recited != (espeakErr == nil) || rep.Frames < 10*15 || rep.Bytes != out.Len() || !rep.Weather.Snow {
		t.Errorf("report %+v", rep)
	}
	r, err := label.Verify(out.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Explicit.Found || !r.Implicit.Found || !r.Watermark.Found || r.WatermarkMatches == nil || !*r.WatermarkMatches {
		t.Errorf("labels: explicit %+v implicit %v watermark %+v", r.Explicit, r.Implicit.Found, r.Watermark)
	}
	path := filepath.Join(t.TempDir(), "f.mp4")
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	probe, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height:format_tags=AIGC", "-of", "default=nw=1", path).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"codec_name=h264", "width=480", "height=270", "codec_name=aac", `TAG:AIGC={"AIGC":{"Label":"1"`} {
		if !strings.Contains(string(probe), want) {
			t.Errorf("ffprobe does not show %s:\n%s", want, probe)
		}
	}
}
