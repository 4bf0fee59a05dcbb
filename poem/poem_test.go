package poem_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"miaobi/models"
	"miaobi/poem"
	"miaobi/prosody"
)

var engine = sync.OnceValues(func() (*poem.Engine, error) { return poem.Load(models.Poem()) })

func load(t testing.TB) *poem.Engine {
	t.Helper()
	e, err := engine()
	if errors.Is(err, poem.ErrNoModel) {
		t.Skip("no trained model in models/poem")
	}
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// verify checks a generated poem independently of the generator.
func verify(t *testing.T, p *poem.Poem, rhyme string) {
	t.Helper()
	verifyForm(t, p, rhyme)
	if len(p.Originality.CopiedRuns) > 0 {
		t.Errorf("%v copies %v", p.Lines, p.Originality.CopiedRuns)
	}
}

// verifyForm checks the form and repeats but not originality (for poems
// that keep a person's text, which may quote the corpus).
func verifyForm(t *testing.T, p *poem.Poem, rhyme string) {
	t.Helper()
	c, err := prosody.NewChecker(rhyme, p.Form)
	if err != nil {
		t.Fatal(err)
	}
	res := c.Check(&prosody.Poem{Lines: p.Lines})
	if res.Verdict != prosody.VerdictOK {
		t.Errorf("%s %v: verdict %s %+v", p.Form, p.Lines, res.Verdict, res.Problems)
	}
	seen := map[rune]bool{}
	for _, l := range p.Lines {
		for _, r := range l {
			if seen[r] {
				t.Errorf("%v repeats 「%c」", p.Lines, r)
			}
			seen[r] = true
		}
	}
}

func TestGenerate(t *testing.T) {
	e := load(t)
	tests := []struct {
		name string
		req  poem.Request
		want []string // images that must appear
	}{
		{"七绝 modern keywords", poem.Request{Keywords: []string{"灯", "跳舞", "翅膀"}, Seed: 1}, nil},
		{"五绝", poem.Request{Form: "五绝", Keywords: []string{"月"}, Seed: 2}, []string{"月"}},
		{"五律", poem.Request{Form: "五律", Keywords: []string{"秋", "雁"}, Seed: 3}, []string{"秋", "雁"}},
		{"七律 xinyun", poem.Request{Form: "七律", Keywords: []string{"高铁", "故乡"}, Rhyme: "xinyun", Seed: 4}, nil},
		{"traditional keywords", poem.Request{Form: "七绝", Keywords: []string{"燈", "雲"}, Seed: 5}, []string{"灯", "云"}},
		{"no keywords: a theme", poem.Request{Form: "五绝", Seed: 6}, nil},
		{"acrostic", poem.Request{Form: "七绝", Acrostic: "春江花月", Seed: 7}, nil},
		{"acrostic shorter than the poem", poem.Request{Form: "五律", Acrostic: "山水", Seed: 8}, nil},
		{"词", poem.Request{Form: "词:浣溪沙", Keywords: []string{"梅", "雪"}, Seed: 9}, nil},
		{"词 with two rhyme sets", poem.Request{Form: "词:菩萨蛮", Keywords: []string{"春"}, Seed: 10}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := e.Generate(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			p := ps[0]
			rhyme := tc.req.Rhyme
			verify(t, p, rhyme)
			text := strings.Join(p.Lines, "")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%v lacks 「%s」", p.Lines, w)
				}
			}
			for i, r := range []rune(tc.req.Acrostic) {
				if []rune(p.Lines[i])[0] != r {
					t.Errorf("line %d of %v does not open with 「%c」", i+1, p.Lines, r)
				}
			}
			for _, pl := range p.Plan {
				if pl.Image != "" && pl.Placed != strings.Contains(p.Lines[pl.Line-1], pl.Image) {
					t.Errorf("plan line %d says placed=%v for 「%s」 in %s", pl.Line, pl.Placed, pl.Image, p.Lines[pl.Line-1])
				}
			}
			again, err := e.Generate(tc.req)
			if err != nil || !reflect.DeepEqual(again[0].Lines, p.Lines) {
				t.Errorf("same seed gave %v then %v (%v)", p.Lines, again[0].Lines, err)
			}
		})
	}
}

func TestGenerateN(t *testing.T) {
	e := load(t)
	ps, err := e.Generate(poem.Request{Form: "七绝", Keywords: []string{"江", "舟"}, N: 5, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 5 {
		t.Fatalf("asked for 5 poems, got %d", len(ps))
	}
	for i, p := range ps {
		verify(t, p, "")
		if i > 0 && p.Scores.Score > ps[i-1].Scores.Score {
			t.Errorf("not ranked: %.3f after %.3f", p.Scores.Score, ps[i-1].Scores.Score)
		}
		for _, q := range ps[:i] {
			for k := range p.Lines {
				if p.Lines[k] == q.Lines[k] {
					t.Errorf("near-duplicate candidates share line %d: %s", k+1, p.Lines[k])
				}
			}
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	e := load(t)
	tests := []struct {
		name string
		req  poem.Request
		kind error
		msg  string
	}{
		{"latin keyword", poem.Request{Keywords: []string{"hello"}}, poem.ErrBadKeyword, "must be Chinese"},
		{"mixed keyword", poem.Request{Keywords: []string{"月abc"}}, poem.ErrBadKeyword, "mixes"},
		{"empty keyword", poem.Request{Keywords: []string{" "}}, poem.ErrBadKeyword, "empty"},
		{"unknown keyword", poem.Request{Keywords: []string{"䶵䶴"}}, poem.ErrBadKeyword, "no classical image"},
		{"too many keywords", poem.Request{Form: "五绝", Keywords: strings.Split("春夏秋冬风花雪月江", "")}, poem.ErrBadKeyword, "at most 8"},
		{"unknown form", poem.Request{Form: "八绝"}, poem.ErrForm, `unknown form "八绝": choose 五绝, 七绝, 五律, 七律 or 词:TUNE`},
		{"排律", poem.Request{Form: "五言排律"}, poem.ErrForm, "not generated"},
		{"acrostic too long", poem.Request{Form: "五绝", Acrostic: "春江花月夜"}, poem.ErrAcrostic, "has 4 lines"},
		{"acrostic head of the wrong tone", poem.Request{Form: "五绝", Acrostic: "一一一一"}, poem.ErrAcrostic, "must be 平"},
		{"acrostic latin", poem.Request{Acrostic: "ab"}, poem.ErrAcrostic, "not a Chinese character"},
		{"bad rhyme book", poem.Request{Rhyme: "cilin"}, nil, "rhyme book"},
		{"too many poems", poem.Request{N: 1000}, nil, "at most"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Generate(tc.req)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("error %q is not %v", err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func TestRevise(t *testing.T) {
	e := load(t)
	draft := "白日依山尽，黄河入海流。欲穷千里目，更上□□□。"
	revs, err := e.Revise(poem.ReviseRequest{Request: poem.Request{Seed: 1, N: 2}, Draft: draft})
	if err != nil {
		t.Fatal(err)
	}
	for _, rv := range revs {
		verifyForm(t, rv.Poem, "")
		if len(rv.Originality.CopiedRuns) != 3 {
			t.Errorf("the three kept lines quote 登鹳雀楼, the written one must not: %v", rv.Originality.CopiedRuns)
		}
		if rv.Lines[0] != "白日依山尽" || rv.Lines[2] != "欲穷千里目" || !strings.HasPrefix(rv.Lines[3], "更上") {
			t.Errorf("locked text changed: %v", rv.Lines)
		}
		if !reflect.DeepEqual(rv.Diff[3].Changed, []int{3, 4, 5}) || len(rv.Diff[0].Changed) != 0 {
			t.Errorf("diff %+v", rv.Diff)
		}
		if rv.Diff[3].Before != "更上□□□" {
			t.Errorf("diff before %q", rv.Diff[3].Before)
		}
	}
	// --redo rewrites whole lines; the kept lines keep their rhyme.
	revs, err = e.Revise(poem.ReviseRequest{Request: poem.Request{Seed: 2}, Draft: "白日依山尽\n黄河入海流\n欲穷千里目\n更上一层楼", Redo: []int{3, 4}})
	if err != nil {
		t.Fatal(err)
	}
	verifyForm(t, revs[0].Poem, "")
	if revs[0].Lines[2] == "欲穷千里目" {
		t.Errorf("line 3 not rewritten: %v", revs[0].Lines)
	}
	if revs[0].Check.RhymeGroup != "下平十一尤" {
		t.Errorf("rhyme group %s; the kept 流 is in 下平十一尤", revs[0].Check.RhymeGroup)
	}

	// A line asked to be rewritten never comes back as it was, even when
	// the same seed would write it again (the poem is Miaobi's own).
	for seed := int64(1); seed <= 40; seed++ {
		ps, err := e.Generate(poem.Request{Form: "五绝", Keywords: []string{"灯", "跳舞", "翅膀"}, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		revs, err := e.Revise(poem.ReviseRequest{Request: poem.Request{Keywords: []string{"灯", "跳舞", "翅膀"}, Seed: seed}, Draft: strings.Join(ps[0].Lines, "\n"), Redo: []int{3}})
		if err != nil {
			t.Fatal(err)
		}
		if revs[0].Lines[2] == ps[0].Lines[2] || revs[0].Lines[0] != ps[0].Lines[0] {
			t.Errorf("seed %d: redo of line 3 gave %v from %v", seed, revs[0].Lines, ps[0].Lines)
		}
	}

	bad := []struct {
		name, draft, form, msg string
		redo                   []int
	}{
		{"locked chars break the form", "床前明月光，疑是地上霜。举头望明月，低头思□□。", "", "no pattern of 五绝", nil},
		{"rhymes that share no group", "□□□□□，□□□□东。□□□□□，□□□□西。", "", "share no rhyme group", nil},
		{"nothing to revise", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", "", "nothing to revise", nil},
		{"odd shape", "春风□□\n□□□", "", "not a regulated form", nil},
		{"shape differs from the form", "春风□□□\n□□□□□\n□□□□□\n□□□□□", "七绝", "does not match", nil},
		{"foreign characters", "春风abc□□", "", "neither a Chinese character", nil},
		{"no text", "", "", "no Chinese characters", nil},
		{"redo out of range", "春风□□□\n□□□□□\n□□□□□\n□□□□□", "", "lines 1 to 4", []int{9}},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.Revise(poem.ReviseRequest{Request: poem.Request{Form: tc.form}, Draft: tc.draft, Redo: tc.redo})
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want one saying %q", err, tc.msg)
			}
		})
	}
}

func TestAlternatives(t *testing.T) {
	e := load(t)
	src := "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
	for _, col := range []int{5, 0} {
		alts, err := e.Alternatives(poem.AltRequest{Poem: src, Line: 3, Col: col, K: 4})
		if err != nil {
			t.Fatal(err)
		}
		if len(alts) < 2 {
			t.Fatalf("col %d: only %d alternatives", col, len(alts))
		}
		seen := map[string]bool{}
		for _, a := range alts {
			verifyForm(t, &poem.Poem{Form: "五绝", Lines: a.Lines}, "")
			if seen[a.Text] || a.Text == "目" || a.Text == "欲穷千里目" {
				t.Errorf("alternative %q repeats or keeps the original", a.Text)
			}
			seen[a.Text] = true
			if a.Lines[0] != "白日依山尽" || a.Lines[3] != "更上一层楼" {
				t.Errorf("other lines changed: %v", a.Lines)
			}
			if col > 0 && !strings.HasPrefix(a.Lines[2], "欲穷千里") {
				t.Errorf("other characters of the line changed: %v", a.Lines[2])
			}
		}
	}
	if _, err := e.Alternatives(poem.AltRequest{Poem: src, Line: 9}); err == nil {
		t.Error("line 9 of a 4-line poem gave no error")
	}
}

func TestCouplet(t *testing.T) {
	e := load(t)
	book, _ := prosody.LoadBook("pingshui")
	ps, err := e.Couplet("海阔凭鱼跃", nil, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Lines[0] != "海阔凭鱼跃" || len([]rune(p.Lines[1])) != 5 {
			t.Errorf("couplet %v", p.Lines)
		}
		if res := prosody.CheckCouplet(book, p.Lines[0], p.Lines[1]); res.Verdict != prosody.VerdictOK {
			t.Errorf("%v: %+v", p.Lines, res.Problems)
		}
	}
	kp, err := e.CoupletFromKeywords([]string{"春", "江"}, 7, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res := prosody.CheckCouplet(book, kp[0].Lines[0], kp[0].Lines[1]); res.Verdict != prosody.VerdictOK {
		t.Errorf("%v: %+v", kp[0].Lines, res.Problems)
	}
	for _, bad := range []string{"春风", "明月照高楼", "abc"} {
		if _, err := e.Couplet(bad, nil, 1, 1); err == nil {
			t.Errorf("上联 %q gave no error", bad)
		}
	}
}

func TestTitleKeywords(t *testing.T) {
	e := load(t)
	for title, want := range map[string]string{
		"送友人":       "送,友",
		"秋夜寄邱员外":    "秋,夜",
		"中秋月二首 其一":  "中秋,月",
		"和张二十丈春日三首": "春,日",
	} {
		if got := strings.Join(e.TitleKeywords(title), ","); got != want {
			t.Errorf("TitleKeywords(%q) = %v, want %v", title, got, want)
		}
	}
}

func BenchmarkGenerate七绝(b *testing.B) {
	e := load(b)
	for i := 0; i < b.N; i++ {
		if _, err := e.Generate(poem.Request{Form: "七绝", Keywords: []string{"江", "月"}, Seed: int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate七律(b *testing.B) {
	e := load(b)
	for i := 0; i < b.N; i++ {
		if _, err := e.Generate(poem.Request{Form: "七律", Keywords: []string{"江", "月"}, Seed: int64(i)}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEveryTune(t *testing.T) {
	e := load(t)
	tunes, err := prosody.Tunes()
	if err != nil {
		t.Fatal(err)
	}
	for i, tune := range tunes {
		ps, err := e.Generate(poem.Request{Form: "词:" + tune.Name, Keywords: []string{"春"}, Seed: int64(i)})
		if err != nil {
			t.Errorf("%s: %v", tune.Name, err)
			continue
		}
		verify(t, ps[0], "")
		if ps[0].Variant != tune.Variants[0].Name {
			t.Errorf("%s: variant %s, want the standard %s", tune.Name, ps[0].Variant, tune.Variants[0].Name)
		}
	}
}

// TestConcurrent: one engine serves requests from many goroutines with the
// same results as one at a time.
func TestConcurrent(t *testing.T) {
	e := load(t)
	reqs := []poem.Request{
		{Form: "五绝", Keywords: []string{"月"}, Seed: 1},
		{Form: "七绝", Keywords: []string{"高铁"}, Seed: 2},
		{Form: "词:如梦令", Keywords: []string{"春"}, Seed: 3},
		{Form: "五绝", Keywords: []string{"山"}, Rhyme: "xinyun", Seed: 4},
	}
	want := make([][]string, len(reqs))
	for i, r := range reqs {
		ps, err := e.Generate(r)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = ps[0].Lines
	}
	var wg sync.WaitGroup
	for round := 0; round < 2; round++ {
		for i, r := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ps, err := e.Generate(r)
				if err != nil || !reflect.DeepEqual(ps[0].Lines, want[i]) {
					t.Errorf("request %d concurrently: %v %v, alone: %v", i, ps, err, want[i])
				}
			}()
		}
	}
	wg.Wait()
}

// TestSeasonKept: an autumn poem stays in autumn. Before the frame, 7 of 8
// poems for these keywords had a spring word (春, 桃, 杏, 燕, 絮) in them.
func TestSeasonKept(t *testing.T) {
	e := load(t)
	for seed := int64(1); seed <= 8; seed++ {
		ps, err := e.Generate(poem.Request{Form: "七律", Keywords: []string{"秋风", "落叶", "思念"}, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(ps[0].Lines, ""); strings.ContainsAny(text, "春桃杏燕絮夏冬") {
			t.Errorf("seed %d: an autumn poem strays into another season: %v", seed, ps[0].Lines)
		}
	}
}

// TestWordsKeepUnits: no two-character word that poets keep inside one
// rhythmic unit is split by the caesura (一夕|阳明月).
func TestWordsKeepUnits(t *testing.T) {
	e := load(t)
	if e.Frame == nil {
		t.Skip("no frame in the model")
	}
	for seed := int64(1); seed <= 12; seed++ {
		for _, form := range []string{"五绝", "七律"} {
			ps, err := e.Generate(poem.Request{Form: form, Keywords: []string{"夕阳", "明月"}, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ps[0].Lines {
				rs := []rune(l)
				for _, j := range map[int][]int{5: {2}, 7: {2, 4}}[len(rs)] {
					if v, ok := e.Frame.Words[rs[j-1]][rs[j]]; ok && v > 4 {
						t.Errorf("seed %d %s: 「%c%c」 split across the caesura in %s", seed, form, rs[j-1], rs[j], l)
					}
				}
			}
		}
	}
}

// TestReviseRareReading: a draft that keeps the form only by a reading
// poets rarely give (花 as 仄) is refused as locked text the form cannot
// hold, with the reason, not written into a poem the checker would call 出律.
func TestReviseRareReading(t *testing.T) {
	e := load(t)
	_, err := e.Revise(poem.ReviseRequest{Request: poem.Request{Form: "五绝", Seed: 1}, Draft: "梅花开寒夜，□□□□□。□□□□□，□□□□□。"})
	if !errors.Is(err, poem.ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
}

// TestSeasonWords: a word of another season than the poem's is steered
// away even when its characters are not (寒食 is spring; 寒 and 食 are not).
func TestSeasonWords(t *testing.T) {
	e := load(t)
	if e.Frame == nil || e.Frame.SeasonWords['寒']['食'][0] <= 0 {
		t.Fatalf("寒食 is not a spring word in the frame")
	}
	for seed := int64(40); seed <= 47; seed++ {
		ps, err := e.Generate(poem.Request{Form: "七律", Keywords: []string{"秋风", "落叶", "思念"}, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(ps[0].Lines, ""); strings.Contains(text, "寒食") || strings.Contains(text, "清明") {
			t.Errorf("seed %d: a spring festival in an autumn poem: %v", seed, ps[0].Lines)
		}
	}
}
