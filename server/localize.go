package server

import (
	"strings"
	"unicode"
)

// notes translates the studio's English notes and job messages, which the
// store keeps as written, for the Chinese pages. A pattern's # stands for
// a number (digits, or two joined by ×) and * for the rest of the text.
var notes = map[string][][2]string{
	"zh": {
		{"started", "已开始"},
		{"writing # poems", "正在写 # 首诗"},
		{"wrote # poems", "已写好 # 首诗"},
		{"ranked by your taste", "已按你的喜好排序"},
		{"painting", "正在作画"},
		{"painted", "画好了"},
		{"reviewing", "正在审核"},
		{"publishing", "正在发布"},
		{"re-queued", "已重新排队"},
		{"finished", "完成"},
		{"finished *", "完成 *"},
		{"edited", "修改"},
		{"chose candidate #", "选用第 # 首候选"},
		{"# candidates (seed #)", "# 首候选（种子 #）"},
		{"regenerated the unlocked characters (seed #)", "重新生成未锁定的字（种子 #）"},
		{"painting # (seed #)", "画作 #（种子 #）"},
		{"line #: chose alternative *", "第 # 行：选用建议「*」"},
		{"moved to plan", "回到构思"},
		{"moved to create", "回到生成"},
		{"moved to edit", "回到修改"},
		{"moved to review", "进入审核"},
		{"published *", "发布 *"},
		{"painting adjusted *", "调整画作 *"},
		{"the person's photo #; read as *", "作者的照片 #；读作 *"},
		{"the person's draft, # characters left to fill", "作者的草稿，留 # 字待补"},
		{"brief: *", "构思：*"},
		{"reference poems and the closest-poem search need the corpus: run 'miaobi corpus fetch' and restart the studio", "参考诗作与相近古诗检索需要语料库：运行 miaobi corpus fetch，再重启创作室"},
		{"the corpus is loading; reload in a few seconds", "语料库正在加载，请过几秒刷新"},
	},
}

// localize translates s for lang, or returns it as it is.
func localize(lang, s string) string {
	for _, p := range notes[lang] {
		if args, ok := matchNote(p[0], s); ok {
			return fillNote(p[1], args)
		}
	}
	return s
}

// matchNote matches s against a pattern and returns what # and * stood for.
func matchNote(pattern, s string) ([]string, bool) {
	var args []string
	for pattern != "" {
		switch pattern[0] {
		case '#':
			n := 0
			for n < len(s) && (s[n] >= '0' && s[n] <= '9' || strings.HasPrefix(s[n:], "×") && n > 0) {
				if s[n] >= '0' && s[n] <= '9' {
					n++
				} else {
					n += len("×")
				}
			}
			if n == 0 {
				return nil, false
			}
			args = append(args, s[:n])
			s, pattern = s[n:], pattern[1:]
		case '*':
			if strings.TrimFunc(s, unicode.IsSpace) == "" {
				return nil, false
			}
			return append(args, s), pattern == "*"
		default:
			if s == "" || s[0] != pattern[0] {
				return nil, false
			}
			s, pattern = s[1:], pattern[1:]
		}
	}
	return args, s == ""
}

func fillNote(t string, args []string) string {
	var b strings.Builder
	for _, r := range t {
		if (r == '#' || r == '*') && len(args) > 0 {
			b.WriteString(args[0])
			args = args[1:]
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
