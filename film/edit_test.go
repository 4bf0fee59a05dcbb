package film

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"miaobi/label"
)

func TestParseCube(t *testing.T) {
	good := "TITLE \"t\"\n# a comment\nLUT_3D_SIZE 2\nDOMAIN_MIN 0 0 0\nDOMAIN_MAX 1 1 1\n" + strings.Repeat("0.5 0.25 1\n", 8)
	l, err := ParseCube(strings.NewReader(good))
	if err != nil || l.Size != 2 || len(l.Data) != 8 || l.Data[3] != [3]float64{0.5, 0.25, 1} || l.Title != "t" {
		t.Fatalf("good cube: %+v %v", l, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"LUT_1D_SIZE 4\n", "1D"},
		{"0 0 0\n", "before LUT_3D_SIZE"},
		{"LUT_3D_SIZE 1\n", "use 2 to"},
		{"LUT_3D_SIZE 999\n", "use 2 to"},
		{"LUT_3D_SIZE 2\n" + strings.Repeat("0 0 0\n", 7), "7 entries"},
		{"LUT_3D_SIZE 2\n" + strings.Repeat("0 0 0\n", 9), "more than"},
		{"LUT_3D_SIZE 2\n0 0 x\n", "not a number"},
		{"LUT_3D_SIZE 2\n0 0\n", "2 numbers"},
		{"LUT_3D_SIZE 2\nDOMAIN_MIN 1 1 1\nDOMAIN_MAX 0 0 0\n" + strings.Repeat("0 0 0\n", 8), "DOMAIN_MAX"},
		{"", "no LUT_3D_SIZE"},
	} {
		if _, err := ParseCube(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseCube(f *testing.F) {
	f.Add("LUT_3D_SIZE 2\n" + strings.Repeat("0.1 0.2 0.3\n", 8))
	f.Add("TITLE x\nDOMAIN_MAX 2 2 2\nLUT_3D_SIZE 2\n" + strings.Repeat("1 nan 3\n", 8))
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseCube(strings.NewReader(s))
		if err != nil {
			return
		}
		if len(l.Data) != l.Size*l.Size*l.Size {
			t.Fatalf("%d entries for size %d", len(l.Data), l.Size)
		}
		// What was read writes out and reads back the same.
		again, err := ParseCube(bytes.NewReader(l.Cube()))
		if err != nil || again.Size != l.Size {
			t.Fatalf("round trip: %v", err)
		}
		l.Apply(255, 0, 128)
	})
}

// The looks do what they say: ink drains colour, every look keeps black
// dark and white light, and each survives the .cube round trip.
func TestLooks(t *testing.T) {
	for _, name := range Looks {
		l, err := LookLUT(name)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseCube(bytes.NewReader(l.Cube()))
		if err != nil {
			t.Fatal(err)
		}
		r, g, b := again.Apply(0, 0, 0)
		if max(r, g, b) > 40 {
			t.Errorf("%s: black → %d %d %d", name, r, g, b)
		}
		r, g, b = again.Apply(255, 255, 255)
		if min(r, g, b) < 190 {
			t.Errorf("%s: white → %d %d %d", name, r, g, b)
		}
	}
	ink, _ := LookLUT("ink")
	r, g, b := ink.Apply(220, 30, 30)
	if spread := int(max(r, g, b)) - int(min(r, g, b)); spread > 30 {
		t.Errorf("ink leaves red as %d %d %d", r, g, b)
	}
	if _, err := LookLUT("sepia"); err == nil {
		t.Error("an unknown look was made")
	}
}

func TestSRT(t *testing.T) {
	in := "\ufeff1\r\n00:00:01,000 --> 00:00:03,500\r\n千山鸟飞绝\r\n第二行\r\n\r\n2\n00:00:04.250 --> 00:00:06,000 X1:0\n万径人踪灭\n"
	cues, err := ParseSRT(strings.NewReader(in))
	if err != nil || len(cues) != 2 || cues[0].Start != 1 || cues[0].End != 3.5 || cues[0].Text != "千山鸟飞绝\n第二行" || cues[1].Start != 4.25 {
		t.Fatalf("cues %+v %v", cues, err)
	}
	var b bytes.Buffer
	if err := WriteSRT(&b, cues); err != nil {
		t.Fatal(err)
	}
	again, err := ParseSRT(&b)
	if err != nil || len(again) != 2 || again[1] != cues[1] {
		t.Errorf("round trip %+v %v", again, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"", "no subtitles"},
		{"1\n00:00:03,000 --> 00:00:01,000\nx\n", "ends at or before"},
		{"1\n00:00:xx,000 --> 00:00:01,000\nx\n", "time range"},
		{"hello\n", "number or its time range"},
		{"1\n00:00:01,000 --> 00:00:02,000\n" + strings.Repeat("长", 500) + "\n", "over 400"},
	} {
		if _, err := ParseSRT(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.in[:min(len(tc.in), 30)], err, tc.want)
		}
	}
}

func FuzzParseSRT(f *testing.F) {
	f.Add("1\n00:00:01,000 --> 00:00:02,000\nhi\n\n2\n00:00:02,000 --> 00:00:03,000\nyo\n")
	f.Add("1\n99:59:59,999 --> 99:59:60,000\n")
	f.Fuzz(func(t *testing.T, s string) {
		cues, err := ParseSRT(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, c := range cues {
			if !(c.End > c.Start) || c.Start < 0 || math.IsNaN(c.Start) {
				t.Fatalf("cue %+v", c)
			}
		}
	})
}

func TestCuesOfText(t *testing.T) {
	cues := CuesOfText("千山鸟飞绝，万径人踪灭。孤舟蓑笠翁，独钓寒江雪。", 20)
	if len(cues) != 4 || cues[0].Text != "千山鸟飞绝" || cues[3].End > 20 || cues[1].Start < cues[0].End {
		t.Errorf("cues %+v", cues)
	}
}

// choose fills the length with the best pieces, at least one a clip, in
// filming order, the crossfades counted.
func TestChoose(t *testing.T) {
	mk := func(dur float64, cuts []float64, luma float64) *clipInfo {
		n := int(dur * 25)
		s := &Shots{FPS: 25, Frames: n, Duration: dur, Cuts: cuts, Score: make([]float64, n), Luma: make([]float64, n), Sharp: make([]float64, n)}
		for i := range n {
			s.Luma[i], s.Sharp[i], s.Score[i] = luma, 10, 5
		}
		return &clipInfo{probe: &Probe{Duration: dur, FPS: 25}, shots: s}
	}
	clips := []*clipInfo{mk(20, []float64{6, 12}, 120), mk(8, nil, 20), mk(30, []float64{10, 20}, 130)}
	ps := choose(clips, 18, 0.5)
	total := 0.0
	seen := map[int]bool{}
	for i, p := range ps {
		total += p.To - p.From
		if i > 0 {
			total -= 0.5
			prev := ps[i-1]
			if p.Clip < prev.Clip || p.Clip == prev.Clip && p.From < prev.To {
				t.Errorf("pieces out of order: %+v then %+v", prev, p)
			}
		}
		seen[p.Clip] = true
		if p.To-p.From < pieceMin-1e-9 || p.To-p.From > pieceMax+1e-9 {
			t.Errorf("piece of %.2f s", p.To-p.From)
		}
	}
	if math.Abs(total-18) > 0.01 || len(seen) != 3 {
		t.Errorf("%.2f s from %d clips: %+v", total, len(seen), ps)
	}
}

// makeClip makes a small clip: pieces of lavfi sources, with a tone or
// without sound.
func makeClip(t *testing.T, dir, name string, sound bool, extra []string, pieces ...string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	var args []string
	var labels strings.Builder
	for i, s := range pieces {
		args = append(args, "-f", "lavfi", "-i", s)
		labels.WriteString("[" + string(rune('0'+i)) + ":v]")
	}
	graph := labels.String() + "concat=n=" + string(rune('0'+len(pieces))) + ":v=1:a=0[v]"
	if sound {
		args = append(args, "-f", "lavfi", "-i", "sine=f=300:d=60")
	}
	args = append(args, "-filter_complex", graph, "-map", "[v]")
	if sound {
		args = append(args, "-map", string(rune('0'+len(pieces)))+":a", "-shortest", "-c:a", "aac")
	}
	args = append(args, extra...)
	args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-y", p)
	if out, err := exec.Command("ffmpeg", append([]string{"-v", "error"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", name, err, out)
	}
	return p
}

// A whole small edit of three unlike clips (sizes, a 10-bit one, one
// without sound), graded and subtitled: the length asked for, every label
// layer; a corrupt clip refused.
func TestCut(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	a := makeClip(t, dir, "a.mp4", true, nil, "testsrc2=s=480x270:r=30:d=4", "mandelbrot=s=480x270:r=30,trim=duration=4")
	b := makeClip(t, dir, "b.mp4", false, []string{"-pix_fmt", "yuv420p10le"}, "smptehdbars=s=270x480:r=25:d=3", "gradients=s=270x480:r=25:d=4:seed=1:c0=0x2060a0:c1=0xd08030")
	c := makeClip(t, dir, "c.mkv", true, nil, "life=s=320x240:r=24:mold=10:ratio=0.5:seed=1,trim=duration=6")
	var out bytes.Buffer
	e := Edit{Clips: []string{a, b, c}, Length: 8, W: 480, H: 270, Look: "film", Cues: CuesOfText("春眠不觉晓，处处闻啼鸟。", 8)}
	rep, err := Cut(context.Background(), &out, e, label.Provenance{ProduceID: "cut-test", AIGenerated: true, Layers: label.Layers{Visible: true, Metadata: true, Watermark: true}})
	if err != nil {
		t.Fatal(err)
	}
	clips := map[int]bool{}
	for _, p := range rep.Pieces {
		clips[p.Clip] = true
	}
	if math.Abs(rep.Seconds-8) > 0.1 || len(clips) != 3 {
		t.Errorf("report %+v", rep)
	}
	path := filepath.Join(dir, "out.mp4")
	os.WriteFile(path, out.Bytes(), 0o644)
	p, err := ProbeFile(context.Background(), path)
	if err != nil || p.Width != 480 || p.Height != 270 || math.Abs(p.Duration-8) > 0.15 || !p.HasAudio {
		t.Errorf("the cut: %+v %v", p, err)
	}
	r, err := label.Verify(out.Bytes(), nil)
	if err != nil || !r.Explicit.Found || !r.Implicit.Found || !r.Watermark.Found {
		t.Errorf("labels: %+v %v", r, err)
	}
	bad := filepath.Join(dir, "bad.mp4")
	os.WriteFile(bad, []byte("\x00\x00\x00\x18ftypisom not really a video"), 0o644)
	if _, err := Cut(context.Background(), &bytes.Buffer{}, Edit{Clips: []string{a, bad}}, label.Provenance{}); err == nil || !strings.Contains(err.Error(), "bad.mp4") {
		t.Errorf("a corrupt clip: %v", err)
	}
	if _, err := Cut(context.Background(), &bytes.Buffer{}, Edit{Clips: []string{a}, Length: 9999}, label.Provenance{}); err == nil {
		t.Error("a cut of 9999 s was planned")
	}
}

// A restyled cut: every frame an ink painting, smoothed over time so the
// strokes do not flicker — the frames change about as much as the
// source's do, not more.
func TestCutStyled(t *testing.T) {
	needFFmpeg(t)
	dir := t.TempDir()
	a := makeClip(t, dir, "a.mp4", true, nil, "testsrc2=s=320x180:r=25:d=4")
	var out bytes.Buffer
	e := Edit{Clips: []string{a}, Length: 3, W: 320, H: 180, FPS: 25, Style: "ink", Seed: 2}
	if _, err := Cut(context.Background(), &out, e, label.Provenance{ProduceID: "styled", AIGenerated: true, Layers: label.Layers{Visible: true}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "styled.mp4")
	os.WriteFile(path, out.Bytes(), 0o644)
	change := func(p string) float64 {
		b, err := exec.Command("ffmpeg", "-v", "error", "-i", p, "-t", "2.5", "-vf", "scale=160:90,format=gray", "-f", "rawvideo", "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		n := 160 * 90
		d, k := 0.0, 0
		for f := n; f+n <= len(b); f += n {
			for i := 0; i < n; i++ {
				d += math.Abs(float64(b[f+i]) - float64(b[f-n+i]))
			}
			k++
		}
		return d / float64(k*n)
	}
	styled, source := change(path), change(a)
	t.Logf("mean change between frames: restyled %.2f, source %.2f", styled, source)
	if styled > 2*source+1 {
		t.Errorf("the restyled cut flickers: %.2f a frame against the source's %.2f", styled, source)
	}
}
