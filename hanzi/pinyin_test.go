package hanzi

import (
	"strings"
	"testing"
	"unicode"
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

// TestReadingRules holds the rules of alone and readAsVerse to examples
// that are not in the blind test sets.
func TestReadingRules(t *testing.T) {
	for _, c := range []struct {
		text  string
		verse bool
		want  string
	}{
		{"告诉他", false, "gao4 su5 ta1"},            // Miaobi's neutral-tone list
		{"告诉他", true, "gao4 su4 ta1"},             // verse has no neutral tone
		{"难为", true, "nan2 wei2"},                 // … and goes back to the dictionaries' reading
		{"两只黄鹂", false, "liang3 zhi1 huang2 li2"}, // measure word
		{"只有你", false, "zhi3 you3 ni3"},
		{"只在家", false, "zhi3 zai4 jia1"},
		{"读书破万卷", false, "du2 shu1 po4 wan4 juan4"},
		{"讀書破萬卷", false, "du2 shu1 po4 wan4 juan4"}, // traditional neighbours are read simplified
		{"歸朝", true, "gui1 chao2"},
		{"卷起", false, "juan3 qi3"},
		{"应怜", true, "ying1 lian2"},
		{"千骑", true, "qian1 ji4"},
		{"他跑得很快", false, "ta1 pao3 de5 hen3 kuai4"},
		{"不得不", false, "bu4 de2 bu4"},
		{"我得走了", false, "wo3 dei3 zou3 le5"},
		{"高兴地说", false, "gao1 xing4 de5 shuo1"},
		{"天地", false, "tian1 di4"},
		{"看看", false, "kan4 kan5"},
		{"薄雾", true, "bo2 wu4"},
		{"日薄西山", true, "ri4 bo2 xi1 shan1"},
		{"那知", true, "na3 zhi1"},
		{"那时", true, "na4 shi2"},
		{"可怜白发生", true, "ke3 lian2 bai2 fa4 sheng1"}, // the earlier word wins a tie
		{"金日磾", false, "jin1 mi4 di1"},               // a traditional character in the list
	} {
		read := Pinyin
		if c.verse {
			read = ReadVerse
		}
		s, err := read(c.text)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatPinyin(s, false, false); got != c.want {
			t.Errorf("%s (verse %v): %s, want %s", c.text, c.verse, got, c.want)
		}
	}
}

// FuzzPinyin reads any text, as prose and as verse: no panic, one syllable
// a character but for spaces, and every reading a known one.
func FuzzPinyin(f *testing.F) {
	for _, s := range []string{"银行", "千里江陵一日还", "金日磾", "看看 得 地", "朝朝暮暮", "\xff\xfe", "一不一不"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		want := 0
		for _, r := range text {
			if !unicode.IsSpace(r) {
				want++
			}
		}
		for _, read := range []func(string) ([]Syllable, error){Pinyin, ReadVerse} {
			s, err := read(text)
			if err != nil {
				t.Fatal(err)
			}
			if len(s) != want {
				t.Fatalf("%q: %d syllables for %d characters", text, len(s), want)
			}
			for _, x := range s {
				if x.Pinyin != "" && (x.Tone < 1 || x.Tone > 5 || x.Spoken < 1 || x.Spoken > 5) {
					t.Fatalf("%q: %+v", text, x)
				}
			}
		}
	})
}
