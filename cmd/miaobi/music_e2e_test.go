package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMusicCommand: a poem from keywords set to music, labelled and
// signed; the same seed gives the same samples; a poem read from stdin;
// FFmpeg reads −16 LUFS ±1 and a true peak of at most −1 dBTP; miaobi
// verify finds every layer; bad flags are clear errors.
func TestMusicCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	r := e.run(t, nil, "music", "-k", "秋,雨", "--seed", "2", "-o", a)
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "商调") {
		t.Errorf("an autumn poem not in 商调: %s", r.stdout)
	}
	e.run(t, nil, "music", "-k", "秋,雨", "--seed", "2", "-o", b).wantCode(t, 0)
	// The signed manifests differ; the samples (data chunks) may not.
	if !bytes.Equal(wavData(t, readFile(t, a)), wavData(t, readFile(t, b))) {
		t.Error("the same keywords and seed gave different samples")
	}
	wantAllLayers(t, e, a, false)
	m := filepath.Join(dir, "m.mp3")
	notes := e.runStdin(t, "春晓\n春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。\n", "music", "--poem", "-", "--notes", "-o", m)
	notes.wantCode(t, 0)
	if !strings.Contains(notes.stdout, "角调") || !strings.Contains(notes.stdout, "guzheng") {
		t.Errorf("a spring poem: %s", notes.stdout)
	}
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		for _, f := range []string{a, m} {
			i, tp := ffmpegEBU(t, f)
			if i < -17 || i > -15 || tp > -1 {
				t.Errorf("%s: ffmpeg ebur128 reads %.1f LUFS, %.1f dBTP", filepath.Base(f), i, tp)
			}
		}
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"music", "-o", a}, "-k"},
		{[]string{"music", "-k", "秋", "--poem", "x", "-o", a}, "one of them"},
		{[]string{"music", "-k", "秋"}, "-o"},
		{[]string{"music", "-k", "秋", "-o", filepath.Join(dir, "x.flac")}, ".wav or .mp3"},
		{[]string{"music", "-k", "秋", "--mode", "dorian", "-o", a}, "unknown mode"},
		{[]string{"music", "-k", "秋", "--tempo", "500", "-o", a}, "tempo"},
		{[]string{"music", "--poem", "/nonexistent", "-o", a}, "no such file"},
	})
	// Music from music: a melody in note text answered, written as MIDI,
	// and the MIDI varied; both signed as edits of the person's melody.
	tune := filepath.Join(dir, "tune.txt")
	if err := os.WriteFile(tune, []byte("宫=D4 tempo=66 宫 商 角:2 徵 羽 高宫:2 羽 徵:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mid, c := filepath.Join(dir, "tune.mid"), filepath.Join(dir, "c.wav")
	r = e.run(t, nil, "music", "--continue", tune, "--midi", mid, "-o", c)
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "徵调") {
		t.Errorf("continue: %s", r.stdout)
	}
	e.run(t, nil, "music", "--continue", mid, "--vary", "-o", filepath.Join(dir, "v.wav")).wantCode(t, 0)
	if v := e.run(t, nil, "verify", c); !strings.Contains(v.stdout, "c2pa.opened,c2pa.edited") {
		t.Errorf("a continued melody is not signed as an edit: %s", v.stdout)
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"music", "--continue", filepath.Join(dir, "none.txt"), "-o", c}, "no such file"},
		{[]string{"music", "--continue", tune, "-k", "秋", "-o", c}, "one of them"},
	})
	bad := e.runStdin(t, "hello world\n", "music", "--poem", "-", "-o", a)
	if bad.code != 2 || !strings.Contains(bad.stderr, "miaobi music:") {
		t.Errorf("a poem without Chinese: %d %q", bad.code, bad.stderr)
	}
}

// wavData is a WAV file's data chunk.
func wavData(t *testing.T, b []byte) []byte {
	t.Helper()
	i := bytes.Index(b, []byte("data"))
	if i < 0 || i+8 > len(b) {
		t.Fatal("no data chunk")
	}
	n := int(b[i+4]) | int(b[i+5])<<8 | int(b[i+6])<<16 | int(b[i+7])<<24
	return b[i+8 : min(len(b), i+8+n)]
}

// ffmpegEBU is FFmpeg's integrated loudness and true peak of a file.
func ffmpegEBU(t *testing.T, path string) (float64, float64) {
	t.Helper()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-nostats", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-").CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	s := string(out[bytes.LastIndex(out, []byte("Summary:")):])
	var i, tp float64
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "I:" {
			i, _ = strconv.ParseFloat(f[1], 64)
		}
		if len(f) >= 2 && f[0] == "Peak:" {
			tp, _ = strconv.ParseFloat(f[1], 64)
		}
	}
	return i, tp
}

// TestSoundSceneCommand: a scene from words, labelled and normalised; the
// same seed gives the same samples; unknown words are a clear error.
func TestSoundSceneCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	r := e.run(t, nil, "sound", "scene", "雨,钟", "-d", "8", "-o", a)
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "rain, bell") {
		t.Errorf("scene: %s", r.stdout)
	}
	e.run(t, nil, "sound", "scene", "雨,钟", "-d", "8", "-o", b).wantCode(t, 0)
	if !bytes.Equal(wavData(t, readFile(t, a)), wavData(t, readFile(t, b))) {
		t.Error("the same scene and seed gave different samples")
	}
	v := e.run(t, nil, "verify", a)
	v.wantCode(t, 0)
	if !strings.Contains(v.stdout, "valid yes") || !strings.Contains(v.stdout, "短长短短") {
		t.Errorf("verify: %s", v.stdout)
	}
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		if i, tp := ffmpegEBU(t, a); i < -17 || i > -15 || tp > -1 {
			t.Errorf("ffmpeg ebur128 reads %.1f LUFS, %.1f dBTP", i, tp)
		}
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"sound", "scene", "电脑", "-o", a}, "no scene"},
		{[]string{"sound", "scene", "雨"}, "-o"},
		{[]string{"sound", "scene", "-o", a}, "words"},
		{[]string{"sound", "scene", "雨", "-d", "0", "-o", a}, "1 to 600"},
		{[]string{"sound", "scene", "雨", "-o", filepath.Join(dir, "x.aac")}, ".wav or .mp3"},
		{[]string{"sound", "mix"}, "unknown subcommand"},
	})
}

// TestSoundEditCommand: a sound cut, spliced, pitched, slowed, equalised,
// gated, faded, reverberated and laid over a bed; labelled as an edit of
// its input; bad edits are clear errors.
func TestSoundEditCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	a, b, out := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav"), filepath.Join(dir, "e.wav")
	e.run(t, nil, "sound", "scene", "鸟", "-d", "6", "-o", a).wantCode(t, 0)
	e.run(t, nil, "sound", "scene", "雨", "-d", "6", "-o", b).wantCode(t, 0)
	r := e.run(t, nil, "sound", "edit", a, "--cut", "1-5", "--append", b, "--crossfade", "1", "--pitch", "-2", "--tempo", "0.8",
		"--eq", "2,0,-3", "--gate", "-60", "--gain", "-3", "--fade-in", "0.5", "--fade-out", "1", "--reverb", "0.4", "--under", b, "--loudnorm", "-o", out)
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "pitch -2") || !strings.Contains(r.stdout, "under b.wav") {
		t.Errorf("edit: %s", r.stdout)
	}
	v := e.run(t, nil, "verify", out)
	v.wantCode(t, 0)
	if !strings.Contains(v.stdout, "c2pa.opened,c2pa.edited") {
		t.Errorf("an edit is not signed as one: %s", v.stdout)
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"sound", "edit", a, "--cut", "5-1", "-o", out}, "FROM-TO"},
		{[]string{"sound", "edit", a, "--cut", "50-60", "-o", out}, "leaves nothing"},
		{[]string{"sound", "edit", a, "--tempo", "9", "-o", out}, "0.25 to 4"},
		{[]string{"sound", "edit", a, "--eq", "1,2", "-o", out}, "LOW,MID,HIGH"},
		{[]string{"sound", "edit", a, "--reverb", "3", "-o", out}, "0 to 1"},
		{[]string{"sound", "edit", filepath.Join(dir, "none.wav"), "-o", out}, "no such file"},
		{[]string{"sound", "edit", a}, "-o"},
		{[]string{"sound", "edit", a, "--loudnorm=false", "-o", out}, "cannot be turned off"},
	})
}
