package studio

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"miaobi/hanzi"
	"miaobi/poem"
	"miaobi/prosody"
)

// Requests in words: what a person types to a chat model — 「写一首七绝，
// 关键词：秋风、落叶」, 「填一首浣溪沙，写梅花」, 「藏头诗：春江花月」 — and
// the follow-ups that revise the poem before — 「第三句再凄凉些」,
// 「尾联重写」. Understand reads them with a few patterns; what it cannot
// place it leaves out rather than guessing, and Ask says what it read.

// Ask is a request understood from words.
type Ask struct {
	poem.Request
	// Redo lists the 1-based lines a follow-up asks to rewrite; empty for
	// a new poem.
	Redo []int `json:"redo,omitempty"`
	// Mood is the quality a follow-up asks for (凄凉, 明快), used as a
	// keyword for the rewritten lines.
	Mood string `json:"mood,omitempty"`
}

var (
	askForm      = regexp.MustCompile(`([五七])言?(绝|律)`)
	askTune      = regexp.MustCompile(`《([^》]{1,12})》|词牌[：: ]*([\p{Han}·]{2,8})|填一?首([\p{Han}·]{2,6}?)词?(?:[，。,.：:；;！!\s]|$)`)
	askKeywords  = regexp.MustCompile(`(?:关键词|关键字|主题|题目|意象)(?:是|为|用|：|:|\s)*([^。！!？?\n]+)`)
	askAbout     = regexp.MustCompile(`(?:关于|以|咏|写)([\p{Han}、，, ]{1,24}?)(?:为题|的诗|的词|的七|的五|的一首|$|[。！!，,])`)
	askAcro      = regexp.MustCompile(`藏头(?:诗)?[^\p{Han}]*(?:各句首字|首字)?(?:为|是)?[：: 「“"]*(\p{Han}{4}|\p{Han}{8})`)
	askFormWords = regexp.MustCompile(`关于|[一二两三]首|[五七]言?(?:绝|律)(?:句|诗)?|藏头诗?|诗|词|首`)
	askLine      = regexp.MustCompile(`第([一二三四五六七八1-8])句|(首句|起句|次句|末句|尾句|结句|首联|颔联|颈联|尾联|前两句|后两句)`)
	askFiller    = regexp.MustCompile(`第[一二三四五六七八1-8]句|首句|起句|次句|末句|尾句|结句|首联|颔联|颈联|尾联|前两句|后两句|再|更|些|一些|一点|点儿|一点儿|改得|写得|改成|改为|换成|改|换|写|得|请|把|让|要|能|可以|吗|呢|吧|了|的|重新|重写|加|稍微|多|少|一下|这首诗|这首|诗|句`)
)

var cnDigit = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}

// MaxAsk bounds the words Understand reads.
const MaxAsk = 2000

// Understand reads a request for a new poem, or (with lines > 0, the
// length of the poem before) a follow-up that revises it.
func Understand(text string, lines int) (Ask, error) {
	if !utf8.ValidString(text) {
		return Ask{}, fmt.Errorf("%w: the request is not valid UTF-8", ErrInput)
	}
	if utf8.RuneCountInString(text) > MaxAsk {
		return Ask{}, fmt.Errorf("%w: the request is longer than %d characters; say in a sentence what poem you want", ErrInput, MaxAsk)
	}
	text = hanzi.ToSimplified(strings.TrimSpace(text))
	var a Ask
	if strings.Contains(text, "中华新韵") || strings.Contains(text, "新韵") {
		a.Rhyme = "xinyun"
	}
	if lines > 0 {
		for _, m := range askLine.FindAllStringSubmatch(text, -1) {
			for _, n := range lineRefs(m, lines) {
				if !slices.Contains(a.Redo, n) {
					a.Redo = append(a.Redo, n)
				}
			}
		}
		if len(a.Redo) > 0 {
			slices.Sort(a.Redo)
			mood := askFiller.ReplaceAllString(text, " ")
			for _, f := range strings.FieldsFunc(mood, func(r rune) bool { return !hanzi.IsHan(r) }) {
				if utf8.RuneCountInString(f) >= 1 && utf8.RuneCountInString(f) <= 4 {
					a.Mood = f
					break
				}
			}
			return a, nil
		}
	}
	if m := askTune.FindStringSubmatch(text); m != nil {
		for _, t := range m[1:] {
			if t == "" {
				continue
			}
			if f, err := prosody.NormalizeForm("词:" + t); err == nil {
				a.Form = f
			}
		}
	}
	if a.Form == "" {
		if m := askForm.FindStringSubmatch(text); m != nil {
			a.Form = m[1] + m[2]
		}
	}
	if m := askAcro.FindStringSubmatch(text); m != nil {
		a.Acrostic = m[1]
		if a.Form == "" && utf8.RuneCountInString(m[1]) == 8 {
			a.Form = "七律"
		}
	}
	var kw string
	if m := askKeywords.FindStringSubmatch(text); m != nil {
		kw = m[1]
	} else if m := askAbout.FindStringSubmatch(text); m != nil {
		kw = m[1]
	}
	kw = askFormWords.ReplaceAllString(kw, " ")
	for _, k := range strings.FieldsFunc(kw, func(r rune) bool { return !hanzi.IsHan(r) || r == '和' || r == '与' }) {
		if n := utf8.RuneCountInString(k); n >= 1 && n <= 8 && !slices.Contains(a.Keywords, k) {
			a.Keywords = append(a.Keywords, k)
		}
	}
	if a.Form == "" {
		a.Form = "七绝"
	}
	return a, nil
}

// lineRefs turns a reference to lines (第三句, 尾联) into 1-based numbers
// within a poem of n lines.
func lineRefs(m []string, n int) []int {
	if m[1] != "" {
		k, ok := cnDigit[m[1]]
		if !ok {
			k = int(m[1][0] - '0')
		}
		if k >= 1 && k <= n {
			return []int{k}
		}
		return nil
	}
	var out []int
	switch m[2] {
	case "首句", "起句":
		out = []int{1}
	case "次句":
		out = []int{2}
	case "末句", "尾句", "结句":
		out = []int{n}
	case "首联", "前两句":
		out = []int{1, 2}
	case "颔联":
		out = []int{3, 4}
	case "颈联":
		out = []int{5, 6}
	case "尾联", "后两句":
		out = []int{n - 1, n}
	}
	return slices.DeleteFunc(out, func(k int) bool { return k < 1 || k > n })
}
