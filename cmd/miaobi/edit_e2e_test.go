package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEditCommand: three clips (one tall, one without sound) cut to 10 s
// with a look and SRT subtitles, written back out; the cut verified in
// every layer; bad clips and bad files refused with what was wrong.
func TestEditCommand(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make test installs it)")
	}
	e := newEnv(t)
	dir := t.TempDir()
	clip := func(name, src string, sound bool) string {
		p := filepath.Join(dir, name)
		args := []string{"-v", "error", "-f", "lavfi", "-i", src}
		if sound {
			args = append(args, "-f", "lavfi", "-i", "sine=f=500:d=30", "-shortest", "-c:a", "aac")
		}
		args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-y", p)
		if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v %s", name, err, out)
		}
		return p
	}
	a := clip("a.mp4", "testsrc2=s=320x180:r=30:d=6", true)
	b := clip("b.mp4", "smptehdbars=s=180x320:r=25:d=5", false)
	c := clip("c.mp4", "mandelbrot=s=320x180:r=25,trim=duration=6", true)
	srt := filepath.Join(dir, "s.srt")
	os.WriteFile(srt, []byte("1\n00:00:00,500 --> 00:00:03,000\n独钓寒江雪\n\n2\n00:00:04,000 --> 00:00:08,000\n孤舟蓑笠翁\n"), 0o644)
	out, srtOut := filepath.Join(dir, "cut.mp4"), filepath.Join(dir, "cut.srt")
	sticker := filepath.Join(dir, "seal.png")
	if out, err := exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=red@0.8:s=200x200,format=rgba", "-frames:v", "1", "-y", sticker).CombinedOutput(); err != nil {
		t.Fatalf("sticker: %v %s", err, out)
	}
	r := e.run(t, nil, "edit", a, b, c, "--length", "10", "--size", "480x270", "--look", "vintage", "--subtitles", srt, "--srt-out", srtOut, "--sticker", sticker+"@tr", "--json", "-o", out)
	r.wantCode(t, 0)
	var rep struct {
		Seconds float64
		Pieces  []struct{ Clip int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Seconds < 9.8 || rep.Seconds > 10.2 || len(rep.Pieces) < 3 {
		t.Errorf("edit: %v %s", err, r.stdout)
	}
	if b, _ := os.ReadFile(srtOut); !strings.Contains(string(b), "00:00:04,000 --> 00:00:08,000\n孤舟蓑笠翁") {
		t.Errorf("--srt-out: %q", b)
	}
	// The sticker is in the top right: red there, throughout.
	for _, at := range []string{"1", "8"} {
		px, err := exec.Command("ffmpeg", "-v", "error", "-ss", at, "-i", out, "-frames:v", "1", "-vf", "crop=20:20:430:30,scale=1:1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-").Output()
		if err != nil || len(px) != 3 || px[0] < 150 || px[1] > 110 {
			t.Errorf("at %s s the top right is %v, not the red sticker (%v)", at, px, err)
		}
	}
	rep2 := wantAllLayers(t, e, out, true)
	if b, _ := json.Marshal(rep2); !strings.Contains(string(b), "c2pa.edited") {
		t.Errorf("the cut's manifest does not say it was edited: %s", b)
	}
	empty := filepath.Join(dir, "empty.mp4")
	os.WriteFile(empty, nil, 0o644)
	sine := filepath.Join(dir, "tone.m4a")
	exec.Command("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=2", "-y", sine).Run()
	cube := filepath.Join(dir, "bad.cube")
	os.WriteFile(cube, []byte("LUT_3D_SIZE 2\n0 0 0\n"), 0o644)
	badSRT := filepath.Join(dir, "bad.srt")
	os.WriteFile(badSRT, []byte("1\n00:00:05,000 --> 00:00:01,000\nx\n"), 0o644)
	x := filepath.Join(dir, "x.mp4")
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"edit", "-o", x}, "give the clips"},
		{[]string{"edit", a}, "-o"},
		{[]string{"edit", empty, "-o", x}, "cannot be read"},
		{[]string{"edit", sine, "-o", x}, "no video"},
		{[]string{"edit", filepath.Join(dir, "none.mp4"), "-o", x}, "no such file"},
		{[]string{"edit", a, "--look", cube, "-o", x}, "1 entries"},
		{[]string{"edit", a, "--look", "sepia", "-o", x}, "unknown look"},
		{[]string{"edit", a, "--subtitles", badSRT, "-o", x}, "ends at or before"},
		{[]string{"edit", a, "--length", "0.5", "-o", x}, "length"},
		{[]string{"edit", a, "-o", filepath.Join(dir, "x.avi")}, ".mp4"},
		{[]string{"edit", a, "--sticker", sticker + "@br", "-o", x}, "label's"},
		{[]string{"edit", a, "--sticker", srt, "-o", x}, "--sticker"},
		{[]string{"edit", a, "--style", "cubist", "-o", x}, "unknown style"},
	} {
		r := e.run(t, nil, bad.args...)
		if r.code == 0 || !strings.Contains(r.stderr, bad.want) {
			t.Errorf("%v: exit %d, %q; want an error about %q", bad.args[1:], r.code, r.stderr, bad.want)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "x.*")); len(m) != 0 {
		t.Errorf("refused edits left files: %v", m)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".miaobi-*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}
