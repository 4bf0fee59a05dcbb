package prosody

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustChecker(t testing.TB, book, form string) *Checker {
	t.Helper()
	c, err := NewChecker(book, form)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkText(t testing.TB, c *Checker, text string) Result {
	t.Helper()
	p, err := ParsePoem(text)
	if err != nil {
		t.Fatalf("ParsePoem(%q): %v", text, err)
	}
	return c.Check(p)
}

// rules returns the rules of findings at the given levels.
func rules(r Result, levels ...string) []string {
	var out []string
	for _, p := range r.Problems {
		if slices.Contains(levels, p.Level) && !slices.Contains(out, p.Rule) {
			out = append(out, p.Rule)
		}
	}
	slices.Sort(out)
	return out
}

func TestCheckVerdicts(t *testing.T) {
	tests := []struct {
		name, text, book, form string
		wantForm, wantVerdict  string
		wantRules              []string // error and ao rules, sorted
	}{
		{"登鹳雀楼", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", "", "", "五绝", VerdictOK, nil},
		{"traditional", "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。", "", "", "五绝", VerdictOK, nil},
		{"登高", "风急天高猿啸哀，渚清沙白鸟飞回。无边落木萧萧下，不尽长江滚滚来。万里悲秋常作客，百年多病独登台。艰难苦恨繁霜鬓，潦倒新停浊酒杯。", "", "", "七律", VerdictOK, nil},
		{"静夜思 古绝", "床前明月光，疑是地上霜。举头望明月，低头思故乡。", "", "", "五绝", VerdictFail, []string{RuleErsi, RuleShidui, RuleShinian, RuleAojiu}},
		{"孤平", "白日依山尽，绿河入海流。欲穷千里目，更上一层楼。", "", "", "五绝", VerdictFail, []string{RuleGuping}},
		{"孤平拗救", "白日依山尽，绿河无海流。欲穷千里目，更上一层楼。", "", "", "五绝", VerdictAo, []string{RuleAojiu}},
		{"对句相救", "白日依海尽，黄河无际流。欲穷千里目，更上一层楼。", "", "", "五绝", VerdictAo, []string{RuleAojiu}},
		{"大拗未救", "白日依海尽，黄河入际流。欲穷千里目，更上一层楼。", "", "", "五绝", VerdictFail, []string{RuleTone}},
		{"三平尾", "白日依山尽，黄河入海流。欲穷千里目，更上层楼头。", "", "", "五绝", VerdictFail, []string{RuleSanping}},
		{"三仄尾", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。\n", "", "", "五绝", VerdictOK, nil},
		{"出韵", "白日依山尽，黄河入海流。欲穷千里目，更上一层天。", "", "", "五绝", VerdictFail, []string{RuleChuyun}},
		{"仄韵", "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。", "", "", "五绝", VerdictFail, []string{RuleShinian, RuleTone, RuleYunjiao}},
		{"wrong form forced", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。", "", "七律", "七律", VerdictFail, []string{RuleForm}},
		{"unknown shape", "床前明月光，疑是地上霜。", "", "", "", VerdictFail, []string{RuleForm}},
		{"mixed script", "白日依山尽，黄河入海流。欲穷千里目，更上一层楼abc。", "", "", "五绝", VerdictFail, []string{RuleNonHan}},
		{"浣溪沙 by 诗韵", "浣溪沙\n一曲新词酒一杯，去年天气旧亭台。夕阳西下几时回？无可奈何花落去，似曾相识燕归来。小园香径独徘徊。", "", "", "词:浣溪沙", VerdictOK, nil},
		{"如梦令", "如梦令\n昨夜雨疏风骤，浓睡不消残酒。试问卷帘人，却道海棠依旧。知否，知否？应是绿肥红瘦。", "", "", "词:如梦令", VerdictOK, nil},
		{"菩萨蛮 four rhymes", "菩萨蛮\n小山重叠金明灭，鬓云欲度香腮雪。懒起画蛾眉，弄妆梳洗迟。照花前后镜，花面交相映。新帖绣罗襦，双双金鹧鸪。", "", "", "词:菩萨蛮", VerdictOK, nil},
		{"词 wrong length", "浣溪沙\n一曲新词酒一杯，去年天气旧亭台。", "", "", "词:浣溪沙", VerdictFail, []string{RuleForm}},
		{"新韵", "春风拂面柳丝长，燕子归来绕画梁。", "xinyun", "", "", VerdictFail, []string{RuleForm}},
		{"新韵 七绝", "江南三月草初长，细雨轻风入画廊。谁把桃花吹作雪，一川新绿映斜阳。", "xinyun", "", "七绝", VerdictOK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustChecker(t, tt.book, tt.form)
			r := checkText(t, c, tt.text)
			if r.Form != tt.wantForm || r.Verdict != tt.wantVerdict {
				t.Errorf("form %q verdict %q, want %q %q; problems %+v", r.Form, r.Verdict, tt.wantForm, tt.wantVerdict, r.Problems)
			}
			if got := rules(r, LevelError, LevelAo); !slices.Equal(got, tt.wantRules) {
				t.Errorf("rules %v, want %v; problems %+v", got, tt.wantRules, r.Problems)
			}
			for i, l := range r.Lines {
				if n := utf8.RuneCountInString(l.Text); utf8.RuneCountInString(l.Tones) != n || utf8.RuneCountInString(l.Expected) != n {
					t.Errorf("line %d: text %q tones %q expected %q differ in length", i+1, l.Text, l.Tones, l.Expected)
				}
			}
		})
	}
}

func TestProblemPositions(t *testing.T) {
	c := mustChecker(t, "", "")
	r := checkText(t, c, "白日依山尽，绿河入海流。欲穷千里目，更上一层楼。")
	want := Problem{Line: 2, Col: 1, Rule: RuleGuping, Level: LevelError}
	for _, p := range r.Problems {
		if p.Rule == want.Rule {
			p.Message = ""
			if p != want {
				t.Errorf("孤平 at %+v, want %+v", p, want)
			}
			return
		}
	}
	t.Errorf("no 孤平 in %+v", r.Problems)
}

func TestRhymeGroupsAndReadings(t *testing.T) {
	ps, err := LoadBook("pingshui")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ps.Groups); n != 106 {
		t.Errorf("平水韵 has %d groups, want 106", n)
	}
	tests := []struct {
		book string
		char rune
		want Tone
	}{
		{"pingshui", '东', Ping}, {"pingshui", '白', Ze}, {"pingshui", '国', Ze}, {"pingshui", '國', Ze},
		{"pingshui", '看', Either}, {"pingshui", '先', Either}, {"pingshui", '疎', Either}, {"pingshui", '啼', Ping}, {"pingshui", '溪', Ping},
		{"xinyun", '白', Ping}, {"xinyun", '国', Ping}, {"xinyun", '月', Ze},
		{"cilin", '东', Ping}, {"cilin", '雪', Ze},
	}
	for _, tt := range tests {
		b, err := LoadBook(tt.book)
		if err != nil {
			t.Fatal(err)
		}
		if got := b.ToneOf(tt.char); got != tt.want {
			t.Errorf("%s %c = %s, want %s", tt.book, tt.char, got, tt.want)
		}
	}
	xy, _ := LoadBook("xinyun")
	if len(xy.Groups) != 14 {
		t.Errorf("中华新韵 has %d groups, want 14", len(xy.Groups))
	}
	for _, c := range []struct {
		a, b rune
	}{{'长', '梁'}, {'花', '家'}, {'诗', '知'}} {
		ra, rb := xy.Readings(c.a), xy.Readings(c.b)
		if len(ra) == 0 || len(rb) == 0 {
			t.Errorf("新韵 lacks %c or %c", c.a, c.b)
			continue
		}
		shared := false
		for _, x := range ra {
			for _, y := range rb {
				shared = shared || x.Group == y.Group
			}
		}
		if !shared && c.a != '诗' {
			t.Errorf("新韵: %c and %c should share a group", c.a, c.b)
		}
	}
	if _, err := LoadBook("nope"); err == nil {
		t.Error("LoadBook(nope) succeeded")
	}
}

func TestTunes(t *testing.T) {
	ts, err := Tunes()
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) < 20 {
		t.Errorf("%d tunes, want at least 20", len(ts))
	}
	for _, name := range []string{"忆江南", "长相思", "如梦令", "浣溪沙", "菩萨蛮", "卜算子", "采桑子", "清平乐", "西江月", "蝶恋花", "临江仙", "虞美人", "鹊桥仙", "江城子", "渔家傲", "青玉案", "满江红", "水调歌头", "念奴娇", "沁园春"} {
		tu, err := LookupTune(name)
		if err != nil || tu == nil {
			t.Errorf("tune %s missing (%v)", name, err)
			continue
		}
		for _, v := range tu.Variants {
			n := 0
			rhymes := 0
			for _, l := range v.Lines {
				n += len(l.Pattern)
				if l.Rhyme != 0 {
					rhymes++
				}
			}
			if n != v.Chars || rhymes == 0 {
				t.Errorf("%s %s: %d chars (counted %d), %d rhymes", name, v.Name, v.Chars, n, rhymes)
			}
		}
	}
	if f, err := NormalizeForm("詞:浣溪沙"); err == nil && f != "" {
		t.Logf("traditional prefix accepted as %s", f)
	}
	if _, err := NormalizeForm("不存在"); err == nil {
		t.Error("NormalizeForm accepted an unknown form")
	}
}

func TestScanner(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		titles []string
		lines  []int // line count per poem; -1 for a poem with Err
	}{
		{"empty", "", nil, nil},
		{"blank lines only", "\n\n  \n", nil, nil},
		{"one per line", "白日依山尽\n黄河入海流\n欲穷千里目\n更上一层楼\n", []string{""}, []int{4}},
		{"title and two poems", "登鹳雀楼\n白日依山尽，黄河入海流。\n\n\n《静夜思》\n床前明月光，疑是地上霜。\n", []string{"登鹳雀楼", "静夜思"}, []int{2, 2}},
		{"half-width and crlf", "白日依山尽,黄河入海流.\r\n欲穷千里目;更上一层楼!\r\n", []string{""}, []int{4}},
		{"english", "hello world", []string{""}, []int{-1}},
		{"invalid utf8", "白日\xff\xfe依山尽", []string{""}, []int{-1}},
		{"too long", strings.Repeat("山", MaxLineBytes), []string{""}, []int{-1}},
		{"too many chars", strings.Repeat("白日依山尽，\n", MaxPoemChars/5+1), []string{""}, []int{-1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := NewScanner(strings.NewReader(tt.in))
			var titles []string
			var lines []int
			for p := sc.Next(); p != nil; p = sc.Next() {
				titles = append(titles, p.Title)
				if p.Err != nil {
					lines = append(lines, -1)
				} else {
					lines = append(lines, len(p.Lines))
				}
			}
			if !slices.Equal(titles, tt.titles) || !slices.Equal(lines, tt.lines) {
				t.Errorf("titles %q lines %v, want %q %v", titles, lines, tt.titles, tt.lines)
			}
		})
	}
	if _, err := ParsePoem("  "); err != ErrNoPoem {
		t.Errorf("ParsePoem(blank) = %v, want ErrNoPoem", err)
	}
}

// TestGolden pins the JSON report of a few poems.
func TestGolden(t *testing.T) {
	c := mustChecker(t, "", "")
	in, err := os.ReadFile(filepath.Join("testdata", "poems.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	sc := NewScanner(bytes.NewReader(in))
	for p := sc.Next(); p != nil; p = sc.Next() {
		if p.Err != nil {
			enc.Encode(map[string]any{"index": p.Index, "error": p.Err.Error()})
			continue
		}
		enc.Encode(c.Check(p))
	}
	golden := filepath.Join("testdata", "poems.golden.jsonl")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("report differs from %s; run go test ./prosody -run TestGolden -update and review the diff", golden)
	}
}

// FuzzCheck feeds arbitrary text through the scanner and the checker: no
// panic, and every report is well formed.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"白日依山尽，黄河入海流。欲穷千里目，更上一层楼。",
		"浣溪沙\n一曲新词酒一杯，去年天气旧亭台。夕阳西下几时回？无可奈何花落去，似曾相识燕归来。小园香径独徘徊。",
		"《题》\n山\n\n\xff", "a，b。", "知否，知否？", "",
	} {
		f.Add(s, "")
		f.Add(s, "七律")
	}
	f.Fuzz(func(t *testing.T, text, form string) {
		c, err := NewChecker("", form)
		if err != nil {
			return
		}
		sc := NewScanner(strings.NewReader(text))
		for p := sc.Next(); p != nil; p = sc.Next() {
			if p.Err != nil {
				continue
			}
			r := c.Check(p)
			if r.Verdict != VerdictOK && r.Verdict != VerdictAo && r.Verdict != VerdictFail {
				t.Fatalf("verdict %q", r.Verdict)
			}
			for _, l := range r.Lines {
				if utf8.RuneCountInString(l.Tones) != utf8.RuneCountInString(l.Text) {
					t.Fatalf("tones %q for %q", l.Tones, l.Text)
				}
			}
		}
	})
}

func BenchmarkCheck七律(b *testing.B) {
	c := mustChecker(b, "", "")
	p, _ := ParsePoem("风急天高猿啸哀，渚清沙白鸟飞回。无边落木萧萧下，不尽长江滚滚来。万里悲秋常作客，百年多病独登台。艰难苦恨繁霜鬓，潦倒新停浊酒杯。")
	b.ReportAllocs()
	for b.Loop() {
		c.Check(p)
	}
}
