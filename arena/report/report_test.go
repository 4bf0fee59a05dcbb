package report

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/models"
	"miaobi/poem"
)

var (
	engineOnce sync.Once
	testEngine *poem.Engine
	fixture    map[string]*corpus.Poem
	fixtureIx  *judge.Refs
)

// measurer is Miaobi's embedded poem engine with the fixture of Tang
// poems (testdata/tang.jsonl) as the corpus.
func measurer(t *testing.T) (Measurer, map[string]*corpus.Poem) {
	t.Helper()
	engineOnce.Do(func() {
		e, err := poem.Load(models.Poem())
		if err != nil {
			t.Fatal(err)
		}
		testEngine = e
		data, err := os.ReadFile("../testdata/tang.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		fixture = map[string]*corpus.Poem{}
		var ps []*corpus.Poem
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var p corpus.Poem
			if err := json.Unmarshal([]byte(l), &p); err != nil {
				t.Fatal(err)
			}
			fixture[p.Title] = &p
			ps = append(ps, &p)
		}
		fixtureIx = judge.NewRefs(slices.Values(ps))
	})
	if testEngine == nil {
		t.Fatal("no engine")
	}
	return Measurer{Poems: testEngine, Refs: fixtureIx}, fixture
}

func trait(ts []Trait, name string) Trait {
	for _, t := range ts {
		if t.Name == name {
			return t
		}
	}
	return Trait{Name: "missing " + name}
}

func TestTraits(t *testing.T) {
	m, fx := measurer(t)
	// A Tang poem measured against a corpus that holds it: regular, but
	// not unique.
	p := fx["早发白帝城"]
	ts, err := m.Traits(p.Form, "", p.Lines)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		t.Logf("%s: %.2f %s %v", tr.Name, tr.Value, tr.Label, tr.Detail)
		if tr.How == "" || tr.Label == "" || tr.Value < 0 || tr.Value > 1 {
			t.Errorf("trait %+v", tr)
		}
	}
	if len(ts) != 7 {
		t.Fatalf("%d traits", len(ts))
	}
	if v := trait(ts, "metre"); v.Value != 1 || v.Label != "合律" {
		t.Errorf("metre of 早发白帝城: %+v", v)
	}
	if v := trait(ts, "uniqueness"); v.Value > 0.01 || !strings.Contains(v.Label, "7") {
		t.Errorf("uniqueness of a corpus poem: %+v", v)
	}
	// The same text with rare characters: less readable.
	rare, _ := m.Traits("", "", []string{"龘靐齉爩", "朝辞白帝"})
	if r, c := trait(rare, "readability"), trait(ts, "readability"); r.Value >= c.Value || !strings.Contains(r.Detail[0], "龘") {
		t.Errorf("readability: rare %+v against %+v", r, c)
	}
	if _, err := m.Traits("", "", nil); err == nil {
		t.Error("an empty poem was measured")
	}
}

// TestTraitsCi checks a 词 by its tune, as the studio's review does.
func TestTraitsCi(t *testing.T) {
	m, _ := measurer(t)
	ps, err := m.Poems.Generate(poem.Request{Form: "词:如梦令", Keywords: []string{"春", "雨"}, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := m.Traits("词:如梦令", "", ps[0].Lines)
	if err != nil {
		t.Fatal(err)
	}
	if f := trait(ts, "form"); !strings.Contains(f.Label, "如梦令") {
		t.Errorf("form of a 如梦令: %+v", f)
	}
}

func TestTone(t *testing.T) {
	m, fx := measurer(t)
	// 杜甫's 春望 grieves; his 闻官军收河南河北 is "喜欲狂".
	sad, _ := m.Tone(hanOf(fx["春望"].Lines))
	glad, _ := m.Tone(hanOf(fx["闻官军收河南河北"].Lines))
	t.Logf("春望 %+.2f, 闻官军收河南河北 %+.2f", sad, glad)
	if sad >= glad || sad >= 0 {
		t.Errorf("春望 %+.2f should be sorrowful and below 闻官军收河南河北 %+.2f", sad, glad)
	}
}

func TestLovelace(t *testing.T) {
	m, fx := measurer(t)
	copied := []string{"床前明月光", "疑是地上霜", "孤灯照夜雨", "何处是归程"}
	rep := m.Lovelace([]string{"月", "霜"}, copied, []string{"the person typed lines 1 and 2"})
	if rep.LongestLen != 5 || rep.Longest != "床前明月光" || !strings.Contains(rep.LongestFrom, "静夜思") || len(rep.Nearest) == 0 {
		t.Errorf("longest %q (%d) from %q; nearest %+v", rep.Longest, rep.LongestLen, rep.LongestFrom, rep.Nearest)
	}
	if !strings.Contains(rep.Summary, "床前明月光") || !strings.Contains(rep.Summary, "the person typed") {
		t.Errorf("summary %q", rep.Summary)
	}
	// A generated poem shares little, and its images are measured against
	// the keywords' usual ones.
	ps, err := m.Poems.Generate(poem.Request{Form: "七绝", Keywords: []string{"秋风", "落叶"}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	rep = m.Lovelace([]string{"秋风", "落叶"}, ps[0].Lines, nil)
	t.Logf("%s: %s", strings.Join(ps[0].Lines, "，"), rep.Summary)
	if rep.LongestLen >= 5 || len(rep.Images) == 0 || len(rep.Usual)+len(rep.Novel) != len(rep.Images) || rep.Novelty < 0 || rep.Novelty > 1 {
		t.Errorf("report %+v", rep)
	}
	_ = fx
	none := Measurer{Poems: m.Poems}.Lovelace(nil, []string{"春眠不觉晓"}, nil)
	if !strings.Contains(none.Corpus, "not installed") || none.Nearest == nil {
		t.Errorf("without the corpus: %+v", none)
	}
}

// TestToneAgainstTitles measures the tone lexicon against labels it never
// saw: held-out corpus poems whose titles name grief (哭 悼 挽 悲 哀 伤 愁
// 恨) or joy (喜 贺 欢 乐 庆), tone read from the lines only. It reports
// the AUC — the chance that a grieving poem reads sadder than a joyful
// one — and needs the corpus ('miaobi corpus fetch'; skipped without it).
func TestToneAgainstTitles(t *testing.T) {
	dir, err := corpus.DataDir()
	if err != nil {
		t.Skip(err)
	}
	path := corpus.DefaultPath(dir)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("the corpus is not installed (%v): run 'miaobi corpus fetch'", err)
	}
	m, _ := measurer(t)
	var sad, glad []float64
	err = corpus.Read(path, func(p *corpus.Poem) error {
		if corpus.SplitOf(p.ID) != corpus.Test || p.Form == "词" || p.Form == "曲" {
			return nil
		}
		s := strings.ContainsAny(p.Title, "哭悼挽悲哀伤愁恨")
		g := strings.ContainsAny(p.Title, "喜贺欢乐庆")
		if s == g {
			return nil
		}
		v, _ := m.Tone(hanOf(p.Lines))
		if s {
			sad = append(sad, v)
		} else {
			glad = append(glad, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sad) < 50 || len(glad) < 50 {
		t.Fatalf("too few labelled poems: %d grieving, %d joyful", len(sad), len(glad))
	}
	slices.Sort(glad)
	wins := 0.0
	for _, s := range sad {
		i, _ := slices.BinarySearch(glad, s)
		j := i
		for j < len(glad) && glad[j] == s {
			j++
		}
		wins += float64(len(glad)-j) + 0.5*float64(j-i)
	}
	auc := wins / float64(len(sad)*len(glad))
	mean := func(xs []float64) float64 {
		s := 0.0
		for _, x := range xs {
			s += x
		}
		return s / float64(len(xs))
	}
	t.Logf("held-out poems: %d grieving (mean tone %+.3f), %d joyful (%+.3f); AUC %.3f", len(sad), mean(sad), len(glad), mean(glad), auc)
	if auc < 0.6 {
		t.Errorf("AUC %.3f: the tone lexicon barely tells grief from joy", auc)
	}
}

func TestChinese(t *testing.T) {
	m, fx := measurer(t)
	m.Chinese = true
	rep := m.Lovelace([]string{"月", "霜"}, []string{"床前明月光", "疑是地上霜", "孤灯照夜雨", "何处是归程"}, []string{"第 1 行由人写"})
	t.Log(rep.Summary)
	for _, want := range []string{"最长的共有字串为 5 字：「床前明月光」", "个意象中有", "做法：第 1 行由人写。"} {
		if !strings.Contains(rep.Summary, want) {
			t.Errorf("summary %q lacks %q", rep.Summary, want)
		}
	}
	if strings.Contains(rep.Summary, "%!") {
		t.Errorf("a bad format in %q", rep.Summary)
	}
	p := fx["早发白帝城"]
	ts, err := m.Traits(p.Form, "", p.Lines)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range ts {
		if strings.Contains(tr.Label, "%!") || tr.Name != "metre" && tr.Name != "rhyme" && !strings.ContainsFunc(tr.Label, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			t.Errorf("%s: label %q is not Chinese", tr.Name, tr.Label)
		}
	}
}
