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
		// The messages a person meets on the pages most often.
		{"every character is locked; unlock some to regenerate them", "所有字都已锁定；请先解锁一些字再重新生成"},
		{"nothing to change: give lines, locks or a title", "没有要修改的内容"},
		{"there is no poem to revise yet; create one first", "还没有诗作；请先生成"},
		{"there is no poem to review yet; create one first", "还没有诗作可审核；请先生成"},
		{"there is no poem yet; create one first", "还没有诗作；请先生成"},
		{"there is no poem to rate yet", "还没有可评分的诗作"},
		{"there is no painting yet; create or paint one first", "还没有画作；请先生成或作画"},
		{"the work kept changing; try again", "作品正在被修改，请重试"},
		{"you edited version # but the work is at version # now; reload it", "你修改的是第 # 版，作品已到第 # 版；请刷新后再改"},
		{"you reviewed version # but the work is at version # now; review it again", "你审核的是第 # 版，作品已到第 # 版；请重新审核"},
		{"the review asks you to look first: *; publish with ack to go ahead", "审核提示需先查看：*；确认后勾选再发布"},
		{"line #: * is not a Chinese character; write lines without punctuation or spaces", "第 # 行：* 不是汉字；诗句请不要带标点或空格"},
		{"line # has # characters; a line has 1 to #", "第 # 行有 # 个字；每行 1 到 # 字"},
		{"a title has 1 to # characters", "标题为 1 到 # 个字"},
		{"the form has expired or came from another site (CSRF check); reload the page and try again", "表单已过期或来自其他网站；请刷新页面后重试"},
		// The arena.
		{"this item is answered already; an answer cannot be changed", "这一题已经答过；答案不能更改"},
		{"answer every item of the round first", "请先答完本轮所有题目"},
		{"a score is a whole number from 1 to #", "评分是 1 到 # 的整数"},
		{"say which poem is better: better is \"A\" or \"B\"", "请选出更好的一首"},
		{"this item has # poem(s): give human and scores for each, in order A, B", "这一题有 # 首诗：请对每首判断出处并评分"},
		{"you have seen every poem of round * already; wait for a new round", "你已看过场次 * 的全部诗作；请等待新的场次"},
		{"round * is *, not open", "场次 * 未开放（*）"},
		{"round * is *; only an open or closed round can be opened or closed", "场次 * 的状态是 *，只有进行中或已结束的场次可以结束或重开"},
		{"# poems on # prompts", "# 首诗，# 个题目"},
		{"# poems on # prompts; # could not be written (first: *)", "# 首诗，# 个题目；# 首未能写成（第一处：*）"},
		{"wrote on # of # prompts", "已写 # / # 个题目"},
		{"the corpus is still loading; start the round again in a few seconds", "语料库正在加载，请过几秒再新建场次"},
		{"the arena's human poems are the corpus's held-out poems, and the corpus is not installed: run 'miaobi corpus fetch' and restart the studio, or leave out the human source", "擂台中古人的诗取自语料库的留出部分，而语料库尚未安装：请运行 miaobi corpus fetch 并重启创作室，或不选「古人」来源"},
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

// matchNote matches s against a pattern and returns what # and * stood
// for; * takes as little as lets the rest match.
func matchNote(pattern, s string) ([]string, bool) {
	if pattern == "" {
		return nil, s == ""
	}
	switch pattern[0] {
	case '#':
		n := digitsAt(s)
		if n == 0 {
			return nil, false
		}
		rest, ok := matchNote(pattern[1:], s[n:])
		return append([]string{s[:n]}, rest...), ok
	case '*':
		for i := 1; i <= len(s); i++ {
			if strings.TrimFunc(s[:i], unicode.IsSpace) == "" {
				continue
			}
			if rest, ok := matchNote(pattern[1:], s[i:]); ok {
				return append([]string{s[:i]}, rest...), true
			}
		}
		return nil, false
	}
	if s == "" || s[0] != pattern[0] {
		return nil, false
	}
	return matchNote(pattern[1:], s[1:])
}

// digitsAt is the length of the number at the start of s: digits, or two
// runs of digits joined by ×.
func digitsAt(s string) int {
	n := 0
	for n < len(s) {
		switch {
		case s[n] >= '0' && s[n] <= '9':
			n++
		case n > 0 && strings.HasPrefix(s[n:], "×"):
			n += len("×")
		default:
			return n
		}
	}
	return n
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
