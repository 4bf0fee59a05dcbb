package judge

import "testing"

func TestLexiconFind(t *testing.T) {
	lx, err := ParseLexicon("# comment\n赌博\tgambling\n恐怖\tfear\n恐怖袭击\tterrorism\n\n毒\n")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []string
	}{
		{"春风又绿江南岸", nil},
		{"夜半赌博声", []string{"赌博/gambling@2"}},
		{"恐怖袭击后", []string{"恐怖袭击/terrorism@0"}},
		{"賭博", []string{"赌博/gambling@0"}}, // traditional text
		{"毒酒毒", []string{"毒/review@0", "毒/review@2"}},
		{"", nil},
		{"\xff\xfe", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, h := range lx.Find(tc.text) {
			got = append(got, h.Word+"/"+h.Category+"@"+itoa(h.Offset))
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: got %v, want %v", tc.text, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: got %v, want %v", tc.text, got, tc.want)
			}
		}
	}
}

func itoa(n int) string { return string(rune('0' + n)) }

func TestDefaultLexicon(t *testing.T) {
	lx := DefaultLexicon()
	if lx.Len() < 10 {
		t.Fatalf("default lexicon has %d words", lx.Len())
	}
	if h := lx.Find("明月", "吸毒"); len(h) != 1 || h[0].Line != 1 || h[0].Category != "drugs" {
		t.Fatalf("hits %+v", h)
	}
}

func TestParseLexiconErrors(t *testing.T) {
	for _, text := range []string{"\xff\xfe词\n", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五\n"} {
		if _, err := ParseLexicon(text); err == nil {
			t.Errorf("%q: no error", text)
		}
	}
}

func FuzzParseLexicon(f *testing.F) {
	f.Add("赌博\tgambling\n# c\n毒\n")
	f.Add("\t\t\n")
	f.Fuzz(func(t *testing.T, text string) {
		lx, err := ParseLexicon(text)
		if err != nil {
			return
		}
		lx.Find(text, "春风赌博")
	})
}
