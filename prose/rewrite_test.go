package prose

import (
	"errors"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	cs := Diff("我今天去了学校，学习了很多知识。", "我今天去学校，学到了许多知识。")
	del, ins := Changed(cs)
	got := FormatDiff(cs, false)
	var a, b strings.Builder
	for _, c := range cs {
		if c.Op != "+" {
			a.WriteString(c.Text)
		}
		if c.Op != "-" {
			b.WriteString(c.Text)
		}
	}
	if a.String() != "我今天去了学校，学习了很多知识。" || b.String() != "我今天去学校，学到了许多知识。" || del == 0 || ins == 0 {
		t.Errorf("diff %q: del %d ins %d", got, del, ins)
	}
	t.Log(got)
	if cs := Diff("一样", "一样"); len(cs) != 1 || cs[0].Op != "=" {
		t.Errorf("no change: %+v", cs)
	}
}

func TestPrompts(t *testing.T) {
	if p, err := PolishPrompt("草稿", "文言"); err != nil || !strings.Contains(p, "文言文") || !strings.HasSuffix(p, "草稿") {
		t.Errorf("%q %v", p, err)
	}
	if p, _ := PolishPrompt("草稿", "口语"); !strings.Contains(p, "口语的风格") {
		t.Errorf("%q", p)
	}
	if _, err := PolishPrompt("  ", ""); !errors.Is(err, ErrText) {
		t.Errorf("empty draft: %v", err)
	}
	if _, err := StoryPrompt(nil, 0, ""); !errors.Is(err, ErrText) {
		t.Errorf("no keywords: %v", err)
	}
	if p, _ := StoryPrompt([]string{"灯", "跳舞"}, 0, "童话"); !strings.Contains(p, "灯、跳舞") || !strings.Contains(p, "约800字") || !strings.Contains(p, "童话") {
		t.Errorf("%q", p)
	}
	if got := Reply("<think>hmm</think>\n```text\n正文\n```"); got != "正文" {
		t.Errorf("reply %q", got)
	}
}
