package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"miaobi/prosody"
)

// TestPanelScore scores a small panel through the real binary and keeps
// the results beside it.
func TestPanelScore(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.home, "panel")
	os.MkdirAll(filepath.Join(dir, "ratings"), 0o755)
	os.WriteFile(filepath.Join(dir, "key.tsv"), []byte("item\tsource\tform\torigin\n1\tmiaobi\t五绝\tk\n2\thuman\t五绝\th\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ratings", "a.tsv"), []byte("1\t2\t2\t1\t2\tM\n2\t5\t4\t4\t4\tH\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ratings", "b.tsv"), []byte("2\t4\t4\t4\t3\tH\n1\t3\t2\t2\t2\tH\n"), 0o644)
	r := e.run(t, nil, "panel", "score", dir)
	r.wantCode(t, 0)
	for _, want := range []string{"| miaobi | all | 1 | 2 | 2.50 | 2.00 | 1.50 | 2.00 | 50.0 % |", "| human | 五绝 | 1 | 2 | 4.50 | 4.00 | 4.00 | 3.50 | 100.0 % |", "Raters: a, b (2)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "results.md")); err != nil || string(b) != r.stdout {
		t.Errorf("results.md not written as printed (%v)", err)
	}
	// A malformed answer names the file and the line.
	os.WriteFile(filepath.Join(dir, "ratings", "c.tsv"), []byte("1\t2\t2\t9\t2\tM\n"), 0o644)
	r = e.run(t, nil, "panel", "score", dir)
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "c.tsv") || !strings.Contains(r.stderr, "line 1") {
		t.Errorf("stderr %q does not name c.tsv line 1", r.stderr)
	}
}

func TestPanelUsage(t *testing.T) {
	e := newEnv(t)
	e.run(t, nil, "panel").wantCode(t, 2)
	e.run(t, nil, "panel", "make").wantCode(t, 2) // --dir is required
	r := e.run(t, nil, "panel", "make", "--dir", filepath.Join(e.home, "p"))
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "miaobi corpus fetch") {
		t.Errorf("panel make without a corpus: %q", r.stderr)
	}
	if _, err := os.Stat(filepath.Join(e.home, "p", "list.txt")); err == nil {
		t.Error("a panel was written without human poems")
	}
	r = e.run(t, nil, "panel", "score", filepath.Join(e.home, "none"))
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "key.tsv") {
		t.Errorf("score of a missing panel: %q", r.stderr)
	}
}

// TestTrainReadings counts readings from the fixture corpus and reads the
// file back as the checker would.
func TestTrainReadings(t *testing.T) {
	e := newEnv(t)
	e.run(t, nil, "corpus", "build", "--from", fixtureTgz).wantCode(t, 0)
	out := filepath.Join(e.home, "readings.txt")
	r := e.run(t, nil, "train", "readings", "--out", out)
	if r.code == 1 && strings.Contains(r.stderr, "no annotated or regulated poems") {
		t.Skip("the fixture's training split holds no annotated regulated poem")
	}
	r.wantCode(t, 0)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "# How poets use the readings") {
		t.Errorf("no header: %q", string(b[:min(len(b), 80)]))
	}
	if _, err := prosody.ParseUsage(b); err != nil {
		t.Errorf("the written file does not read back: %v", err)
	}
	e.run(t, nil, "train", "readings", "--out", filepath.Join(e.home, "no", "such", "dir", "r.txt")).wantCode(t, 1)
}

// TestPoemMend mends a poem through the real binary: the rewritten
// characters are marked, the result is 合律, bad input is refused.
func TestPoemMend(t *testing.T) {
	e := newEnv(t)
	r := e.runStdin(t, "远上寒山石径斜，白冷生处有人家。停车坐爱枫林晚，霜叶红于二月花。\n", "poem", "mend")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "【") || !strings.Contains(r.stdout, "合律 · 1 character(s) rewritten") || !strings.Contains(r.stdout, "本内容由AI生成") {
		t.Errorf("mend output:\n%s", r.stdout)
	}
	r = e.runStdin(t, "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", "poem", "mend", "--json")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, `"changes":0`) {
		t.Errorf("a 合律 poem was changed: %s", r.stdout)
	}
	r = e.runStdin(t, "白日依山尽，黄河入海流。", "poem", "mend")
	r.wantCode(t, 2)
	if !strings.Contains(r.stderr, "not a regulated form") {
		t.Errorf("two lines: %q", r.stderr)
	}
	e.runStdin(t, "hello", "poem", "mend").wantCode(t, 2)
}

// TestTrainHabits finds habits for a copy of the shipped model with a small
// sample, records them in its manifest, and the copy still writes poems.
// Poets' rates of the function characters come from the habits file being
// replaced (the test has no corpus); without either, it says what to do.
func TestTrainHabits(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.home, "model")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "..", "models", "poem"))); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(filepath.Join(dir, "habits.txt.gz"))
	if err != nil {
		t.Fatal(err)
	}
	r := e.run(t, nil, "train", "habits", "--models", dir, "--poems", "40", "--rounds", "1", "--min", "2")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "habitual runs") || !strings.Contains(r.stdout, "function characters written more often than poets write them") {
		t.Errorf("stdout %q", r.stdout)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "habits.txt.gz")); bytes.Equal(now, old) {
		t.Error("habits.txt.gz was not rewritten")
	}
	var m struct {
		Habits struct {
			Runs     int `json:"runs"`
			Sample   int `json:"sample_poems"`
			Function []struct {
				Char   string  `json:"char"`
				Poets  float64 `json:"poets_per_mille"`
				Miaobi float64 `json:"miaobi_per_mille"`
			} `json:"function_chars"`
			Before struct {
				Poems int `json:"poems"`
			} `json:"before"`
		} `json:"habits"`
		Corpus struct {
			Version string `json:"version"`
		} `json:"corpus"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Habits.Sample != 40 || m.Habits.Before.Poems != 40 || m.Corpus.Version == "" {
		t.Errorf("manifest habits %+v, corpus %+v: the rest of the manifest must be kept", m.Habits, m.Corpus)
	}
	if len(m.Habits.Function) != 24 || m.Habits.Function[0].Char != "不" || m.Habits.Function[0].Poets < 9 || m.Habits.Function[0].Miaobi == 0 {
		t.Errorf("manifest function characters %+v: want the 24 with poets' and the sample's rates", m.Habits.Function)
	}
	e.run(t, nil, "poem", "--models", dir, "-k", "秋风").wantCode(t, 0)
	os.Remove(filepath.Join(dir, "habits.txt.gz"))
	r = e.run(t, nil, "train", "habits", "--models", dir, "--poems", "4", "--rounds", "1", "--min", "2")
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "miaobi corpus fetch") {
		t.Errorf("no habits and no corpus: stderr %q; want how to get poets' rates", r.stderr)
	}
	e.run(t, nil, "train", "habits", "--models", dir, "--min", "1").wantCode(t, 2)
	e.run(t, nil, "train", "habits", "--models", filepath.Join(e.home, "none")).wantCode(t, 1)
}
