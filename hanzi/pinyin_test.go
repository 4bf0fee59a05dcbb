package hanzi

import (
	"strings"
	"testing"
)

func pinyinString(t *testing.T, text string, spoken bool) string {
	t.Helper()
	s, err := Pinyin(text)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, x := range s {
		if spoken && x.Pinyin != "" {
			x.Tone = x.Spoken
		}
		parts = append(parts, x.Numbered())
	}
	return strings.Join(parts, " ")
}

func TestPinyinExamples(t *testing.T) {
	for _, c := range []struct{ text, want, spoken string }{
		{"银行", "yin2 hang2", ""},
		{"行走", "xing2 zou3", ""},
		{"重庆", "chong2 qing4", ""},
		{"重要", "zhong4 yao4", ""},
		{"长江", "chang2 jiang1", ""},
		{"长大", "zhang3 da4", ""},
		{"音乐", "yin1 yue4", ""},
		{"快乐", "kuai4 le4", ""},
		{"还是", "hai2 shi4", ""},
		{"低头思故乡", "di1 tou2 si1 gu4 xiang1", ""},
		{"你好", "ni3 hao3", "ni2 hao3"},
		{"一个", "yi1 ge4", "yi2 ge4"},
		{"一天", "yi1 tian1", "yi4 tian1"},
		{"第一", "di4 yi1", "di4 yi1"},
		{"不要", "bu4 yao4", "bu2 yao4"},
		{"不好", "bu4 hao3", "bu4 hao3"},
		{"白日依山尽，黄河入海流。", "bai2 ri4 yi1 shan1 jin4 ， huang2 he2 ru4 hai3 liu2 。", ""},
		{"銀行", "yin2 hang2", ""},
		{"AI 写诗", "A I xie3 shi1", ""},
	} {
		if got := pinyinString(t, c.text, false); got != c.want {
			t.Errorf("%s: %s, want %s", c.text, got, c.want)
		}
		if c.spoken != "" {
			if got := pinyinString(t, c.text, true); got != c.spoken {
				t.Errorf("%s spoken: %s, want %s", c.text, got, c.spoken)
			}
		}
	}
	s, _ := Pinyin("绿")
	if got := s[0].Marked(s[0].Tone); got != "lǜ" {
		t.Errorf("绿 marked %s", got)
	}
	s, _ = Pinyin("好")
	if got := s[0].Marked(s[0].Tone); got != "hǎo" {
		t.Errorf("好 marked %s", got)
	}
}
