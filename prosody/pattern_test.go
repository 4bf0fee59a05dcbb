package prosody

import (
	"strings"
	"testing"
)

// fill builds a poem for a template from characters of one tone only, a
// different one at every position, rhyming in one family, and returns it.
func fill(t *testing.T, b *Book, tp Template) []string {
	t.Helper()
	var pings, zes []rune
	for _, r := range "天光山花云时人春秋年心空红城青文江南溪烟舟楼台松泉霜家门田园亭桥川林峰沙声诗书琴歌衣杯迟芳寒清" {
		if p, z := b.CharTones(r); p && !z {
			pings = append(pings, r)
		}
	}
	for _, r := range "月日水色树雨雪地夜去路石柳客酒鸟草叶故里万古影寺鹤晚野岸竹鼓马剑梦泪海浪岭雁杏菊露径殿阁少老" {
		if p, z := b.CharTones(r); z && !p {
			zes = append(zes, r)
		}
	}
	rhymes := map[byte][]rune{}
	for letter, tone := range tp.RhymeTone {
		src := "东同中风蓬鸿通工弓"
		if tp.Ci && tone == Ze {
			src = "月雪别绝灭说切阙"
		}
		for _, r := range src {
			rhymes[letter] = append(rhymes[letter], r)
		}
	}
	used := map[rune]bool{}
	take := func(list []rune) rune {
		for _, r := range list {
			if !used[r] {
				used[r] = true
				return r
			}
		}
		t.Fatalf("ran out of characters for %s %s", tp.Form, tp.Variant)
		return 0
	}
	var lines []string
	for _, row := range tp.Lines {
		var sb strings.Builder
		for _, s := range row {
			switch {
			case s.Rhyme != 0:
				sb.WriteRune(take(rhymes[s.Rhyme]))
			case s.Tone == Ping:
				sb.WriteRune(take(pings))
			default:
				sb.WriteRune(take(zes))
			}
		}
		lines = append(lines, sb.String())
	}
	return lines
}

func TestTemplatesAreHelu(t *testing.T) {
	c, err := NewChecker("", "")
	if err != nil {
		t.Fatal(err)
	}
	forms := []string{"五绝", "七绝", "五律", "七律", "词:浣溪沙"}
	for _, f := range forms {
		tps, err := Templates(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range tps {
			if tp.Ci && len(tp.RhymeTone) > 1 {
				continue
			}
			lines := fill(t, c.Book, tp)
			c.Form = f
			res := c.Check(&Poem{Lines: lines})
			if res.Verdict != VerdictOK {
				t.Errorf("%s %s filled as %v: %s %+v", f, tp.Variant, lines, res.Verdict, res.Problems)
			}
			if !tp.Ci && res.Variant != tp.Variant {
				t.Errorf("%s template %s is read back as %s", f, tp.Variant, res.Variant)
			}
		}
	}
	if _, err := Templates("八绝"); err == nil {
		t.Error("Templates(八绝) gave no error")
	}
}
