package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFilmCommand: a poem film from keywords, small for speed: labelled
// in every layer and signed (miaobi verify), the AIGC metadata shown by
// ffprobe, the same seed giving the same pictures and sound; a tall film
// from a poem on stdin; bad flags refused before any work.
func TestFilmCommand(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg is not installed (make test installs it)")
	}
	e := newEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.mp4"), filepath.Join(dir, "b.mp4")
	r := e.run(t, nil, "film", "-k", "江,雪,孤舟", "--size", "480x270", "--fps", "15", "--seed", "3", "-o", a)
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "handscroll") || !strings.Contains(r.stdout, "480x270") {
		t.Errorf("film: %s", r.stdout)
	}
	e.run(t, nil, "film", "-k", "江,雪,孤舟", "--size", "480x270", "--fps", "15", "--seed", "3", "-o", b).wantCode(t, 0)
	// The manifests' signatures and times differ; the streams may not.
	if streamMD5(t, a) != streamMD5(t, b) {
		t.Error("the same keywords and seed gave different pictures or sound")
	}
	wantAllLayers(t, e, a, true)
	probe, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "format_tags=AIGC", "-of", "default=nw=1", a).Output()
	if err != nil || !strings.Contains(string(probe), `"ContentProducer":"Miaobi"`) {
		t.Errorf("ffprobe shows no AIGC metadata: %v %s", err, probe)
	}
	tall := filepath.Join(dir, "tall.mp4")
	r = e.runStdin(t, "春晓\n春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。\n", "film", "--poem", "-", "--size", "270x480", "--fps", "10", "--json", "-o", tall)
	r.wantCode(t, 0)
	var fr struct {
		Frames  int
		Move    string
		Weather struct{ Rain, Petals bool }
	}
	if err := json.Unmarshal([]byte(r.stdout), &fr); err != nil || fr.Move != "ken burns" || !fr.Weather.Rain || fr.Frames < 80 {
		t.Errorf("tall film: %v %s", err, r.stdout)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"film", "-k", "江"}, "-o"},
		{[]string{"film", "-o", filepath.Join(dir, "x.mp4")}, "keywords"},
		{[]string{"film", "-k", "江", "-o", filepath.Join(dir, "x.mov")}, ".mp4"},
		{[]string{"film", "-k", "江", "--size", "big", "-o", filepath.Join(dir, "x.mp4")}, "WIDTHxHEIGHT"},
		{[]string{"film", "-k", "江", "--size", "481x270", "-o", filepath.Join(dir, "x.mp4")}, "even sides"},
		{[]string{"film", "-k", "江", "--codec", "av1", "-o", filepath.Join(dir, "x.mp4")}, "unknown codec"},
		{[]string{"film", "-k", "江", "--preset", "warp", "-o", filepath.Join(dir, "x.mp4")}, "unknown preset"},
		{[]string{"film", "-k", "江", "--no-visible-label", "-o", filepath.Join(dir, "x.mp4")}, "visible label"},
		{[]string{"film", "-k", "江", "--label-text", "机器", "-o", filepath.Join(dir, "x.mp4")}, "AI"},
	} {
		r := e.run(t, nil, bad.args...)
		if r.code == 0 || !strings.Contains(r.stderr, bad.want) {
			t.Errorf("%v: exit %d, %q; want an error about %q", bad.args, r.code, r.stderr, bad.want)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "x.*")); len(m) != 0 {
		t.Errorf("refused films left files: %v", m)
	}
}

// streamMD5 is ffmpeg's MD5 of a file's decoded pictures and sound.
func streamMD5(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-v", "error", "-i", path, "-map", "0", "-f", "md5", "-").Output()
	if err != nil {
		t.Fatalf("ffmpeg md5 of %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}
