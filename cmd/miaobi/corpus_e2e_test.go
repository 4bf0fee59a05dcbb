package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The counts of the corpus built from corpus/testdata/chinese-poetry (see
// corpus/testdata/SOURCES.md).
var fixtureCollections = map[string]map[string]int{
	"tang":    {"五绝": 2, "七绝": 1, "五律": 1, "七律": 1},
	"song":    {"七绝": 3},
	"songci":  {"词": 3},
	"shijing": {"四言": 1},
	"nalan":   {"词": 1},
	"shuimo":  {"五绝": 1},
}

const fixturePoems = 14

func TestCorpusPath(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "corpus", "path")
	r.wantCode(t, 0)
	if got, want := r.stdout, filepath.Join(e.home, "corpus", "chinese-poetry-2.0.1.jsonl.gz")+"\n"; got != want {
		t.Errorf("corpus path = %q, want %q", got, want)
	}
}

func TestCorpusUsage(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "corpus")
	r.wantCode(t, 2)
	if !strings.Contains(r.stderr, "Usage: miaobi corpus") {
		t.Errorf("no usage: %q", r.stderr)
	}
	r = e.run(t, nil, "corpus", "build")
	r.wantCode(t, 2)
	if !strings.Contains(r.stderr, "--from") {
		t.Errorf("corpus build without --from: %q", r.stderr)
	}
}

func TestCorpusStatsBeforeBuild(t *testing.T) {
	r := newEnv(t).run(t, nil, "corpus", "stats")
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "not built yet") || !strings.Contains(r.stderr, "miaobi corpus fetch") {
		t.Errorf("stats before build: stderr %q; want a hint to run 'miaobi corpus fetch'", r.stderr)
	}
}

func TestCorpusBuildAndStats(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "corpus", "build", "--from", fixtureTgz)
	r.wantCode(t, 0)
	path := filepath.Join(e.home, "corpus", "chinese-poetry-2.0.1.jsonl.gz")
	if !strings.Contains(r.stdout, "built "+path+": 14 poems (1 duplicates dropped, 8 with 平仄 annotations)") {
		t.Errorf("build output %q", r.stdout)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("corpus file: %v", err)
	}
	mf, err := os.ReadFile(strings.TrimSuffix(path, ".jsonl.gz") + ".manifest.json")
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var m struct {
		Poems      int    `json:"poems"`
		Duplicates int    `json:"duplicates"`
		Integrity  string `json:"integrity"`
	}
	if err := json.Unmarshal(mf, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if m.Poems != fixturePoems || m.Duplicates != 1 || m.Integrity != "unverified" {
		t.Errorf("manifest %+v: want 14 poems, 1 duplicate, integrity unverified", m)
	}

	r = e.run(t, nil, "corpus", "stats")
	r.wantCode(t, 0)
	want := []string{
		"collection    poems  forms",
		"tang              5  五绝 2, 七律 1, 七绝 1, 五律 1",
		"song              3  七绝 3",
		"songci            3  词 3",
		"total            14",
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w+"\n") {
			t.Errorf("stats do not hold the line %q:\n%s", w, r.stdout)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 1+len(fixtureCollections)+1 {
		t.Errorf("%d lines of stats, want header, %d collections and total:\n%s", len(lines), len(fixtureCollections), r.stdout)
	}
	if !strings.HasPrefix(lines[1], "tang ") {
		t.Errorf("the largest collection should come first:\n%s", r.stdout)
	}

	r = e.run(t, nil, "corpus", "stats", "--json")
	r.wantCode(t, 0)
	var st struct {
		Poems       int                       `json:"poems"`
		Collections map[string]map[string]int `json:"collections"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("stats --json: %v\n%s", err, r.stdout)
	}
	if st.Poems != fixturePoems || !maps.EqualFunc(st.Collections, fixtureCollections, maps.Equal) {
		t.Errorf("stats --json = %+v, want %d poems in %v", st, fixturePoems, fixtureCollections)
	}

	// Rebuilding replaces the corpus in place.
	e.run(t, nil, "corpus", "build", "--from", fixtureTgz).wantCode(t, 0)
	e.run(t, nil, "corpus", "stats").wantCode(t, 0)
}

func TestCorpusBuildBadTarball(t *testing.T) {
	e := newEnv(t)
	bad := filepath.Join(t.TempDir(), "bad.tgz")
	if err := os.WriteFile(bad, []byte("not a tarball"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{bad, filepath.Join(t.TempDir(), "missing.tgz")} {
		r := e.run(t, nil, "corpus", "build", "--from", from)
		r.wantCode(t, 1)
		if !strings.Contains(r.stderr, filepath.Base(from)) {
			t.Errorf("build --from %s: stderr %q does not name the file", from, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(e.home, "corpus", "chinese-poetry-2.0.1.jsonl.gz")); !os.IsNotExist(err) {
		t.Errorf("a failed build left a corpus file (%v)", err)
	}
}

// TestCorpusFetchRejectsFixture checks that fetch verifies a local tarball
// against the published integrity: the fixture is not the real package.
func TestCorpusFetchRejectsFixture(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "corpus", "fetch", "--from", fixtureTgz)
	r.wantCode(t, 1)
	for _, w := range []string{"miaobi corpus fetch", "does not match the published integrity", "chinese-poetry@2.0.1", "sha512-"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr %q does not mention %q", r.stderr, w)
		}
	}
	if _, err := os.Stat(filepath.Join(e.home, "corpus", "chinese-poetry-2.0.1.jsonl.gz")); !os.IsNotExist(err) {
		t.Errorf("fetch of an unverified tarball built a corpus (%v)", err)
	}
	if _, err := os.Stat(fixtureTgz); err != nil {
		t.Errorf("fetch --from removed the user's file: %v", err)
	}
}

func TestBench(t *testing.T) {
	e := newEnv(t)
	path := e.buildCorpus(t)

	r := e.run(t, nil, "bench", "check", "--corpus", path)
	r.wantCode(t, 0)
	for _, w := range []string{"poems/s", "5 Tang regulated-shape poems", "| 五绝 | 2 |", "| 七律 | 1 |"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("bench report does not mention %q:\n%s", w, r.stdout)
		}
	}

	// Without --corpus it reads the one in MIAOBI_HOME.
	r = e.run(t, nil, "bench", "check", "--json")
	r.wantCode(t, 0)
	var rep struct {
		AllPoems       int                       `json:"all_poems"`
		Poems          int                       `json:"poems"`
		Verdicts       map[string]map[string]int `json:"verdicts"`
		PoemsPerSecond float64                   `json:"poems_per_second"`
		Dictionary     struct {
			Chars int `json:"chars"`
		} `json:"dictionary"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("bench --json: %v\n%s", err, r.stdout)
	}
	if rep.AllPoems != 5 || rep.Poems != 5 || rep.PoemsPerSecond <= 0 || rep.Dictionary.Chars == 0 {
		t.Errorf("bench --json = %+v; want 5 Tang poems, all regulated, with annotated characters", rep)
	}
	n := 0
	for _, v := range rep.Verdicts {
		for _, c := range v {
			n += c
		}
	}
	if n != 5 {
		t.Errorf("verdicts %v count %d poems, want 5", rep.Verdicts, n)
	}
}

func TestBenchErrors(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "bench")
	r.wantCode(t, 2)
	if !strings.Contains(r.stderr, "Usage: miaobi bench check") {
		t.Errorf("bench without check: %q", r.stderr)
	}
	r = e.run(t, nil, "bench", "check")
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "miaobi corpus fetch") {
		t.Errorf("bench before the corpus is built: stderr %q; want a hint", r.stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl.gz")
	if err := os.WriteFile(bad, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = e.run(t, nil, "bench", "check", "--corpus", bad)
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "not a corpus file") {
		t.Errorf("bench on a broken corpus: stderr %q", r.stderr)
	}
}

// TestCorpusFetchWithoutNpm runs 'corpus fetch' with no npm on PATH: a clear
// error, exit status 1, no network.
func TestCorpusFetchWithoutNpm(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r := newEnv(t).run(t, nil, "corpus", "fetch")
	r.wantCode(t, 1)
	if !strings.Contains(r.stderr, "needs npm") || !strings.Contains(r.stderr, "--from") {
		t.Errorf("stderr %q; want a hint to install npm or use --from", r.stderr)
	}
}
