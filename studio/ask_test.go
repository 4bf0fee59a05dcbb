package studio_test

import (
	"slices"
	"testing"

	"miaobi/studio"
)

func TestUnderstand(t *testing.T) {
	for _, c := range []struct {
		text     string
		lines    int
		form     string
		keywords []string
		acro     string
		redo     []int
		mood     string
	}{
		{"写一首七绝，关键词：秋风、落叶", 0, "七绝", []string{"秋风", "落叶"}, "", nil, ""},
		{"请写一首五言律诗，关键词是高铁，故乡", 0, "五律", []string{"高铁", "故乡"}, "", nil, ""},
		{"写一首关于秋天的七律", 0, "七律", []string{"秋天"}, "", nil, ""},
		{"写一首七绝", 0, "七绝", nil, "", nil, ""},
		{"填一首浣溪沙，写梅花", 0, "词:浣溪沙", []string{"梅花"}, "", nil, ""},
		{"以《临江仙》写江上明月", 0, "词:临江仙", []string{"江上明月"}, "", nil, ""},
		{"藏头诗：春江花月", 0, "七绝", nil, "春江花月", nil, ""},
		{"寫一首五絕，關鍵詞：燈、跳舞、翅膀", 0, "五绝", []string{"灯", "跳舞", "翅膀"}, "", nil, ""},
		{"第三句再凄凉些", 4, "", nil, "", []int{3}, "凄凉"},
		{"尾联重写", 8, "", nil, "", []int{7, 8}, ""},
		{"末句改得明快一点", 4, "", nil, "", []int{4}, "明快"},
		{"第九句再凄凉些", 4, "七绝", nil, "", nil, ""}, // no ninth line: a new request
	} {
		a, err := studio.Understand(c.text, c.lines)
		if err != nil {
			t.Errorf("%s: %v", c.text, err)
			continue
		}
		if a.Form != c.form || !slices.Equal(a.Keywords, c.keywords) || a.Acrostic != c.acro || !slices.Equal(a.Redo, c.redo) || a.Mood != c.mood {
			t.Errorf("%s: got form %q keywords %q acrostic %q redo %v mood %q", c.text, a.Form, a.Keywords, a.Acrostic, a.Redo, a.Mood)
		}
	}
	if _, err := studio.Understand("\xff\xfe", 0); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}

// FuzzUnderstand: any words are read without panicking, and what is read
// stays within the poem.
func FuzzUnderstand(f *testing.F) {
	for _, s := range []string{"写一首七绝，关键词：秋风、落叶", "第三句再凄凉些", "尾联", "《》", "藏头诗：春江花月夜秋风落叶", "填一首词", ""} {
		f.Add(s, 8)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 17
		a, err := studio.Understand(s, n)
		if err != nil {
			return
		}
		for _, k := range a.Redo {
			if k < 1 || k > n {
				t.Fatalf("line %d of %d", k, n)
			}
		}
	})
}
