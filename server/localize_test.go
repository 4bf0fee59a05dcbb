package server

import "testing"

func TestLocalize(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"zh", "writing 5 poems", "正在写 5 首诗"},
		{"zh", "5 candidates (seed 33)", "5 首候选（种子 33）"},
		{"zh", "painting 1024×512 (seed 7)", "画作 1024×512（种子 7）"},
		{"zh", "line 2: chose alternative 月", "第 2 行：选用建议「月」"},
		{"zh", "brief: 灯、跳舞 · 七绝", "构思：灯、跳舞 · 七绝"},
		{"zh", "painting", "正在作画"},
		{"zh", "something new", "something new"},
		{"zh", "you edited version 3 but the work is at version 5 now; reload it", "你修改的是第 3 版，作品已到第 5 版；请刷新后再改"},
		{"zh", `line 2: '，' is not a Chinese character; write lines without punctuation or spaces`, "第 2 行：'，' 不是汉字；诗句请不要带标点或空格"},
		{"zh", "writing poems", "writing poems"},
		{"zh", "", ""},
		{"en", "writing 5 poems", "writing 5 poems"},
	}
	for _, tc := range tests {
		if got := localize(tc.lang, tc.in); got != tc.want {
			t.Errorf("localize(%q, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}
