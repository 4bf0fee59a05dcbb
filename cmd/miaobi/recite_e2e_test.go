package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPinyinCommand: readings by word, sandhi on request, tone marks,
// standard input, punctuation left out; a poem file read as recite reads
// it.
func TestPinyinCommand(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "pinyin", "我去银行取钱，一个不要。")
	r.wantCode(t, 0)
	if got := strings.TrimSpace(r.stdout); got != "wo3 qu4 yin2 hang2 qu3 qian2 yi1 ge4 bu4 yao4" {
		t.Errorf("pinyin: %q", got)
	}
	r = e.run(t, nil, "pinyin", "--sandhi", "你好一个不要")
	if got := strings.TrimSpace(r.stdout); got != "ni2 hao3 yi2 ge4 bu2 yao4" {
		t.Errorf("pinyin --sandhi: %q", got)
	}
	r = e.runStdin(t, "长江\n重庆\n", "pinyin", "--marks", "-")
	if got := strings.TrimSpace(r.stdout); got != "cháng jiāng\nchóng qìng" {
		t.Errorf("pinyin --marks from stdin: %q", got)
	}
	// A poem as 'miaobi poem' prints it, from a file: its four lines, read
	// as verse, without the title or the label recite does not speak.
	p := e.run(t, nil, "poem", "-k", "秋,雨", "--seed", "4")
	p.wantCode(t, 0)
	file := filepath.Join(t.TempDir(), "poem.txt")
	if err := os.WriteFile(file, []byte(p.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	r = e.run(t, nil, "pinyin", file)
	r.wantCode(t, 0)
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 4 || strings.Contains(r.stdout, "A I") || len(strings.Fields(lines[0])) != 7 {
		t.Errorf("pinyin of a poem file: %q", r.stdout)
	}
	if again := e.runStdin(t, p.stdout, "pinyin"); again.stdout != r.stdout {
		t.Errorf("the same poem from stdin: %q, from the file: %q", again.stdout, r.stdout)
	}
	// A name that is neither a file nor Chinese is a clear error.
	e.wantUsageErrors(t, []usageError{{[]string{"pinyin", filepath.Join(t.TempDir(), "none.txt")}, "no such file"}})
	if r := e.runStdin(t, "", "pinyin"); r.code != 2 || !strings.Contains(r.stderr, "no Chinese") {
		t.Errorf("pinyin of nothing: %d %q", r.code, r.stderr)
	}
	// Verse has no neutral tone; prose has.
	if got := strings.TrimSpace(e.run(t, nil, "pinyin", "告诉他").stdout); got != "gao4 su5 ta1" {
		t.Errorf("prose: %q", got)
	}
	if got := strings.TrimSpace(e.run(t, nil, "pinyin", "--verse", "告诉他").stdout); got != "gao4 su4 ta1" {
		t.Errorf("verse: %q", got)
	}
}

// TestReciteCommand: a poem from 'miaobi poem' read aloud, labelled and
// signed, at −16 LUFS ±1 with a true peak of at most −1 dBTP by FFmpeg;
// with music; bad flags are clear errors.
func TestReciteCommand(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng is not installed")
	}
	e := newEnv(t)
	dir := t.TempDir()
	p := e.run(t, nil, "poem", "-k", "秋,雨", "--seed", "4")
	p.wantCode(t, 0)
	w, m := filepath.Join(dir, "r.wav"), filepath.Join(dir, "r.mp3")
	e.runStdin(t, p.stdout, "recite", "-", "-o", w).wantCode(t, 0)
	e.runStdin(t, p.stdout, "recite", "-", "--music", "-o", m).wantCode(t, 0)
	v := e.run(t, nil, "verify", w)
	v.wantCode(t, 0)
	for _, want := range []string{"短长短短", "valid yes", "matches the ProduceID: yes"} {
		if !strings.Contains(v.stdout, want) {
			t.Errorf("verify: no %q in\n%s", want, v.stdout)
		}
	}
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		for _, f := range []string{w, m} {
			i, tp := ffmpegEBU(t, f)
			if i < -17 || i > -15 || tp > -1 {
				t.Errorf("%s: ffmpeg ebur128 reads %.1f LUFS, %.1f dBTP", filepath.Base(f), i, tp)
			}
		}
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"recite", "-"}, "-o"},
		{[]string{"recite", "-", "-o", filepath.Join(dir, "x.ogg")}, ".wav or .mp3"},
		{[]string{"recite", "/nonexistent", "-o", w}, "no such file"},
		{[]string{"recite", "-", "--speed", "5", "-o", w}, "speed"},
	})
}
