package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"miaobi/hanzi"
)

type poemJSON struct {
	Form     string   `json:"form"`
	Title    string   `json:"title"`
	Lines    []string `json:"lines"`
	Keywords []string `json:"keywords"`
	Plan     []struct {
		Line  int    `json:"line"`
		Role  string `json:"role"`
		Image string `json:"image"`
	} `json:"plan"`
	Seed   int64 `json:"seed"`
	Scores struct {
		Perplexity float64 `json:"perplexity"`
		Score      float64 `json:"score"`
	} `json:"scores"`
	Check struct {
		Verdict    string `json:"verdict"`
		RhymeGroup string `json:"rhyme_group"`
	} `json:"check"`
	Originality struct {
		Rule       string   `json:"rule"`
		CopiedRuns []string `json:"copied_runs"`
	} `json:"originality"`
}

func poemLines(t *testing.T, out string) []poemJSON {
	t.Helper()
	var ps []poemJSON
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var p poemJSON
		if err := json.Unmarshal([]byte(l), &p); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, l)
		}
		ps = append(ps, p)
	}
	return ps
}

func TestPoemJSON(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "poem", "-k", "灯,跳舞,翅膀", "--n", "2", "--seed", "5", "--json")
	r.wantCode(t, 0)
	ps := poemLines(t, r.stdout)
	if len(ps) != 2 {
		t.Fatalf("%d poems, want 2", len(ps))
	}
	for _, p := range ps {
		if p.Form != "七绝" || len(p.Lines) != 4 || p.Check.Verdict != "合律" || p.Check.RhymeGroup == "" {
			t.Errorf("poem %+v", p)
		}
		if strings.Join(p.Keywords, ",") != "灯,跳舞,翅膀" || len(p.Plan) != 4 || p.Plan[0].Role != "起" || p.Plan[3].Role != "合" {
			t.Errorf("keywords %v plan %+v", p.Keywords, p.Plan)
		}
		if p.Originality.Rule == "" || len(p.Originality.CopiedRuns) != 0 || p.Scores.Perplexity <= 1 {
			t.Errorf("originality %+v scores %+v", p.Originality, p.Scores)
		}
		// The independent checker agrees.
		e.runStdin(t, strings.Join(p.Lines, "，")+"。", "check", "--form", "七绝").wantCode(t, 0)
	}
}

func TestPoemTextAndDeterminism(t *testing.T) {
	e := newEnv(t)
	a := e.run(t, nil, "poem", "-k", "江,月", "--form", "五律", "--seed", "9")
	a.wantCode(t, 0)
	b := e.run(t, nil, "poem", "--seed", "9", "--form", "五律", "-k", "江、月")
	b.wantCode(t, 0)
	if a.stdout != b.stdout {
		t.Errorf("same seed, different poems:\n%s\n%s", a.stdout, b.stdout)
	}
	if n := strings.Count(a.stdout, "\n"); n != 10 {
		t.Errorf("want title, 8 lines and a footer, got %d lines:\n%s", n, a.stdout)
	}
	c := e.run(t, nil, "poem", "-k", "江,月", "--form", "五律", "--seed", "10")
	if c.stdout == a.stdout {
		t.Error("another seed gave the same poem")
	}
	tr := e.run(t, nil, "poem", "-k", "江,月", "--form", "五律", "--seed", "9", "--traditional")
	tr.wantCode(t, 0)
	if tr.stdout == a.stdout || hanzi.ToSimplified(tr.stdout) != a.stdout {
		t.Errorf("--traditional output does not convert back:\n%s\n%s", tr.stdout, a.stdout)
	}
}

func TestPoemForms(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"--acrostic", "春江花月", "--form", "五绝"},
		{"-k", "梅,雪", "--form", "词:浣溪沙"},
		{"-k", "高铁", "--form", "七律", "--rhyme", "xinyun"},
		{"--form", "五绝"},
	} {
		r := e.run(t, nil, append([]string{"poem", "--json"}, args...)...)
		r.wantCode(t, 0)
		p := poemLines(t, r.stdout)[0]
		if p.Check.Verdict != "合律" {
			t.Errorf("%v: %+v", args, p)
		}
	}
}

func TestPoemBadInput(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"poem", "-k", "hello"}, 2, "must be Chinese"},
		{[]string{"poem", "--form", "八绝"}, 2, "unknown form"},
		{[]string{"poem", "--acrostic", "春江花月夜", "--form", "七绝"}, 2, "has 4 lines"},
		{[]string{"poem", "--acrostic", "一一一一", "--form", "五绝"}, 2, "must be 平"},
		{[]string{"poem", "月"}, 2, "unexpected argument"},
		{[]string{"poem", "--n", "x"}, 2, "invalid value"},
		{[]string{"poem", "--n", "51"}, 2, "at most 50"},
		{[]string{"poem", "--rhyme", "foo"}, 2, "rhyme book"},
		{[]string{"poem", "--models", "/nonexistent"}, 1, "--models"},
		{[]string{"couplet"}, 2, "give a 上联"},
		{[]string{"couplet", "明月照高楼"}, 2, "平 character"},
		{[]string{"poem", "alt"}, 2, "--line"},
		{[]string{"train"}, 2, "Usage"},
	}
	for _, tc := range tests {
		r := e.run(t, nil, tc.args...)
		r.wantCode(t, tc.code)
		if !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("miaobi %v: stderr %q does not say %q", tc.args, r.stderr, tc.msg)
		}
	}
	empty := t.TempDir()
	r := e.run(t, nil, "poem", "--models", empty)
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "miaobi train poem") {
		t.Errorf("an empty model directory should say how to train: %q", r.stderr)
	}
}

func TestPoemReviseAndAlt(t *testing.T) {
	e := newEnv(t)
	r := e.runStdin(t, "白日依山尽，黄河入海流。欲穷千里目，更上□□□。", "poem", "revise", "--json")
	r.wantCode(t, 0)
	var rv struct {
		Lines []string `json:"lines"`
		Diff  []struct {
			Line    int    `json:"line"`
			Before  string `json:"before"`
			After   string `json:"after"`
			Changed []int  `json:"changed"`
		} `json:"diff"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rv); err != nil {
		t.Fatal(err, r.stdout)
	}
	if rv.Lines[0] != "白日依山尽" || len(rv.Diff) != 4 || len(rv.Diff[3].Changed) != 3 || rv.Diff[3].Before != "更上□□□" {
		t.Errorf("revision %+v", rv)
	}
	draft := filepath.Join(t.TempDir(), "draft.txt")
	os.WriteFile(draft, []byte("白日依山尽\n黄河入海流\n欲穷千里目\n更上一层楼\n"), 0o644)
	r = e.run(t, nil, "poem", "revise", draft, "--redo", "3-4")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "1  kept      白日依山尽") || !strings.Contains(r.stdout, "3  欲穷千里目 → ") {
		t.Errorf("revise text output:\n%s", r.stdout)
	}
	e.runStdin(t, "床前明月光，疑是地上霜。举头望明月，低头思□□。", "poem", "revise").wantCode(t, 2)
	e.run(t, nil, "poem", "revise", "/nonexistent/draft.txt").wantCode(t, 2)

	r = e.runStdin(t, "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", "poem", "alt", "--line", "3", "--col", "5", "--n", "3")
	r.wantCode(t, 0)
	if n := strings.Count(r.stdout, "合律"); n != 3 {
		t.Errorf("want 3 alternatives:\n%s", r.stdout)
	}
}

func TestCoupletCommand(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "couplet", "海阔凭鱼跃", "--n", "2", "--json")
	r.wantCode(t, 0)
	ps := poemLines(t, r.stdout)
	if len(ps) != 2 || ps[0].Lines[0] != "海阔凭鱼跃" || ps[0].Check.Verdict != "合律" || ps[0].Form != "对联" {
		t.Errorf("couplets %+v", ps)
	}
	r = e.run(t, nil, "couplet", "-k", "春,江", "--chars", "5")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "上联：") || !strings.Contains(r.stdout, "下联：") {
		t.Errorf("couplet text:\n%s", r.stdout)
	}
}

func TestTrainPoem(t *testing.T) {
	e := newEnv(t)
	e.buildCorpus(t)
	out := filepath.Join(t.TempDir(), "model")
	r := e.run(t, nil, "train", "poem", "--out", out)
	r.wantCode(t, 0)
	for _, f := range []string{"kn4.lm.gz", "guard.bloom", "imagery.txt.gz", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("train wrote no %s: %v", f, err)
		}
	}
	var m struct {
		Corpus struct {
			Version string `json:"version"`
			Poems   int    `json:"poems"`
		} `json:"corpus"`
		Model struct {
			Order int `json:"order"`
		} `json:"model"`
		TrainingSeconds float64 `json:"training_seconds"`
	}
	b, _ := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m.Corpus.Version != "2.0.1" || m.Corpus.Poems != fixturePoems || m.Model.Order != 4 || m.TrainingSeconds <= 0 {
		t.Errorf("manifest %+v", m)
	}
	// A model from 14 poems is too small to write with, but it must say so
	// rather than fail obscurely.
	r = e.run(t, nil, "poem", "--models", out, "-k", "月")
	if r.code == 0 {
		return
	}
	if r.stderr == "" {
		t.Errorf("exit %d with no message", r.code)
	}
}
