package poem_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"miaobi/hanzi"
	"miaobi/poem"
)

// FuzzParseDraft: any text either fails with an error or yields lines
// within the limits, holding only Chinese characters and placeholders.
func FuzzParseDraft(f *testing.F) {
	for _, s := range []string{
		"白日依山尽，黄河入海流。欲穷千里目，更上□□□。",
		"春风又绿江南岸\n_______\n", "《题》\n＊＊＊＊＊", "", "abc", "\xff\xfe", "□□□□□□□□□□□□□□□□□□",
		strings.Repeat("月\n", 40),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lines, err := poem.ParseDraft(s)
		if err != nil {
			return
		}
		if len(lines) == 0 || len(lines) > poem.MaxDraftLines {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if len(l) == 0 || len(l) > poem.MaxDraftLine {
				t.Fatalf("line of %d", len(l))
			}
			for _, r := range l {
				if r != 0 && !utf8.ValidRune(r) {
					t.Fatalf("bad rune %q", r)
				}
			}
		}
	})
}

// FuzzRequest: requests built from arbitrary strings never panic, and a
// poem returned is always 合律 with every acrostic head in place.
func FuzzRequest(f *testing.F) {
	f.Add("灯,跳舞,翅膀", "七绝", "", "", int64(1))
	f.Add("", "五绝", "春江花月", "", int64(2))
	f.Add("梅", "词:浣溪沙", "", "xinyun", int64(3))
	f.Add("hello,,月", "八绝", "一一一一一", "cilin", int64(-4))
	f.Add("高铁", "七律", "山", "pingshui", int64(5))
	f.Fuzz(func(t *testing.T, keywords, form, acrostic, rhyme string, seed int64) {
		e := load(t)
		var kws []string
		if keywords != "" {
			kws = strings.Split(keywords, ",")
		}
		ps, err := e.Generate(poem.Request{Form: form, Keywords: kws, Acrostic: acrostic, Rhyme: rhyme, Seed: seed})
		if err != nil {
			return
		}
		p := ps[0]
		verify(t, p, rhyme)
		heads := []rune(hanzi.ToSimplified(strings.Join(strings.Fields(acrostic), "")))
		for i, r := range heads {
			if i < len(p.Lines) && []rune(p.Lines[i])[0] != r {
				t.Errorf("line %d of %v does not open with 「%c」", i+1, p.Lines, r)
			}
		}
	})
}

// FuzzReadHabits: any habits file either fails with an error or reads
// runs of four characters.
func FuzzReadHabits(f *testing.F) {
	for _, s := range []string{"# miaobi habits 1\n今日重来\t17\n", "# miaobi habits 1\n", "", "# miaobi habits 1\n今日\t1\n", "# miaobi habits 1\n今日重来\tx\n",
		"# miaobi habits 2\nF\t不\t10.087\t20.333\n今日重来\t17\n", "# miaobi habits 2\nF\t不\tNaN\t1\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := poem.ReadHabits(bytes.NewReader(gz(s)))
		if err != nil {
			return
		}
		for _, r := range h.Runs() {
			if utf8.RuneCountInString(r.Run) != 4 || r.Poems < 0 {
				t.Fatalf("run %+v", r)
			}
		}
		for _, u := range h.Function() {
			if c := u.Charge(); !(c >= 0) || math.IsInf(c, 0) || !strings.Contains(poem.FunctionChars, u.Char) {
				t.Fatalf("function use %+v: charge %v", u, c)
			}
		}
	})
}
