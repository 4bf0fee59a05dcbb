package prosody

import (
	"errors"
	"fmt"
	"strings"
)

// Verdicts, from best to worst.
const (
	VerdictOK   = "合律" // meets the form
	VerdictAo   = "拗"  // breaks a rule that an accepted 拗救 repairs
	VerdictFail = "出律" // breaks the form
)

// Problem levels. Errors make a poem 出律, ao (拗) findings make it 拗, and
// warnings (重字, 对仗 hints, unknown characters) leave the verdict alone.
const (
	LevelError = "error"
	LevelAo    = "ao"
	LevelWarn  = "warn"
	// LevelNote is a remark that breaks no rule of the authority followed
	// (三仄尾 in a line that does not rhyme, under 王力).
	LevelNote = "note"
)

// Rule names used in Problem.Rule.
const (
	RuleTone     = "平仄"
	RuleErsi     = "二四不分"
	RuleGuping   = "孤平"
	RuleSanping  = "三平尾"
	RuleSanze    = "三仄尾"
	RuleShidui   = "失对"
	RuleShinian  = "失粘"
	RuleChuyun   = "出韵"
	RuleYunjiao  = "韵脚"
	RuleChongzi  = "重字"
	RuleDuizhang = "对仗"
	RuleAojiu    = "拗救"
	RuleForm     = "体裁"
	RuleNonHan   = "非汉字"
	RuleUnknown  = "未知字"
	RuleLinyun   = "邻韵"
	// RuleRare is a 多音字 read at a strict place in a reading poets rarely
	// give it (鄉 as 仄, 花 as 仄): 合律 on paper, 出律 to the ear.
	RuleRare = "僻读"
)

// Problem is one finding, at a 1-based line and column (column 0 means the
// whole line; line 0 the whole poem).
type Problem struct {
	Line    int    `json:"line"`
	Col     int    `json:"col"`
	Rule    string `json:"rule"`
	Level   string `json:"level"`
	Message string `json:"message"`
}

// LineReport is one verse line as checked.
type LineReport struct {
	Text string `json:"text"`
	// Tones holds each character's tone class from the rhyme book:
	// 平, 仄, or 中 for characters with both readings (or none known).
	Tones string `json:"tones"`
	// Expected is the form's pattern for the line; 中 where either tone is
	// allowed.
	Expected string `json:"expected"`
	// Rhyme names the rhyme group of the line's last character when the line
	// is a rhyme position; empty otherwise.
	Rhyme string `json:"rhyme"`
	// Read is the reading the checker assumed for each character — the
	// word it sits in, then how poets use it, then what fits the form — 中
	// where the form takes either.
	Read string `json:"read,omitempty"`
}

// Result is the checker's report on one poem.
type Result struct {
	Index      int          `json:"index"`
	Title      string       `json:"title,omitempty"`
	Form       string       `json:"form"`
	Variant    string       `json:"variant,omitempty"`
	Book       string       `json:"rhyme_book"`
	RhymeGroup string       `json:"rhyme_group,omitempty"`
	Verdict    string       `json:"verdict"`
	Lines      []LineReport `json:"lines"`
	Problems   []Problem    `json:"problems"`
}

// Regulated-verse forms and their shapes.
var shiForms = []struct {
	name         string
	lines, chars int
}{
	{"五绝", 4, 5}, {"七绝", 4, 7}, {"五律", 8, 5}, {"七律", 8, 7},
}

// FormNames lists the forms that Checker.Form accepts, besides 词:TUNE.
var FormNames = []string{"五绝", "七绝", "五律", "七律", "五言排律", "七言排律"}

var formAliases = map[string]string{
	"五言绝句": "五绝", "七言绝句": "七绝", "五言律诗": "五律", "七言律诗": "七律",
	"五絕": "五绝", "七絕": "七绝", "五律": "五律", "七律": "七律", "五言絕句": "五绝", "七言絕句": "七绝",
	"五言律詩": "五律", "七言律詩": "七律", "五排": "五言排律", "七排": "七言排律",
	"wujue": "五绝", "qijue": "七绝", "wulv": "五律", "qilv": "七律",
}

// NormalizeForm maps a form name or alias to its canonical name: 五绝, 七绝,
// 五律, 七律, 五言排律, 七言排律 or 词:TUNE.
func NormalizeForm(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil
	}
	if a, ok := formAliases[name]; ok {
		name = a
	}
	for _, f := range FormNames {
		if name == f {
			return f, nil
		}
	}
	tune, isCi := strings.CutPrefix(name, "词:")
	if !isCi {
		tune, isCi = strings.CutPrefix(name, "词：")
	}
	if !isCi {
		tune = name // a bare tune name
	}
	t, err := LookupTune(tune)
	if err != nil {
		return "", err
	}
	if t != nil {
		return "词:" + t.Name, nil
	}
	return "", fmt.Errorf("%w %q: use one of %s, or 词:TUNE (see 'miaobi check --list-tunes')", ErrUnknownForm, name, strings.Join(FormNames, ", "))
}

// ErrUnknownForm is NormalizeForm's error for a name that is no form.
var ErrUnknownForm = errors.New("unknown form")

// Checker checks poems against a form's rules.
type Checker struct {
	// Book is the rhyme book for regulated verse (default 平水韵).
	Book *Book
	// CiBook is the rhyme book for 词 (default 词林正韵).
	CiBook *Book
	// Form forces a form (see NormalizeForm); empty means detect it.
	Form string
	// Usage weighs the readings of 多音字 by how poets use them: a rare
	// reading at a strict place is reported (RuleRare). Nil reads every
	// reading the book lists as equally good. 中华新韵 has none.
	Usage *Usage
}

// NewChecker returns a checker using the named rhyme book for regulated
// verse ("" for 平水韵) and 词林正韵 for 词, or the named book when it is
// xinyun.
func NewChecker(book, form string) (*Checker, error) {
	b, err := LoadBook(book)
	if err != nil {
		return nil, err
	}
	ci := b
	if b.Name == "pingshui" {
		if ci, err = LoadBook("cilin"); err != nil {
			return nil, err
		}
	}
	f, err := NormalizeForm(form)
	if err != nil {
		return nil, err
	}
	c := &Checker{Book: b, CiBook: ci, Form: f}
	if b.Name != "xinyun" {
		if c.Usage, err = DefaultUsage(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Check checks one poem. p.Err must be nil.
func (c *Checker) Check(p *Poem) Result {
	res := Result{Index: p.Index, Title: p.Title}
	runes := make([][]rune, len(p.Lines))
	for i, l := range p.Lines {
		runes[i] = []rune(l)
	}
	form := c.Form
	if form == "" {
		form = detectForm(p.Title, runes)
	}
	switch {
	case strings.HasPrefix(form, "词:"):
		t, _ := LookupTune(strings.TrimPrefix(form, "词:"))
		c.checkCi(&res, t, runes)
	case form != "":
		c.checkShi(&res, form, runes)
	default:
		res.Form = ""
		res.Book = c.Book.Title
		res.Lines = plainLines(c.Book, runes)
		res.Problems = append(res.Problems, Problem{Rule: RuleForm, Level: LevelError,
			Message: fmt.Sprintf("%s match no known form; give the form with --form (e.g. 七绝 or 词:浣溪沙)", shapeWords(runes))})
	}
	res.Problems = append(p.Notes, res.Problems...)
	res.Verdict = verdict(res.Problems)
	if res.Problems == nil {
		res.Problems = []Problem{}
	}
	return res
}

func verdict(ps []Problem) string {
	v := VerdictOK
	for _, p := range ps {
		switch p.Level {
		case LevelError:
			return VerdictFail
		case LevelAo:
			v = VerdictAo
		}
	}
	return v
}

// detectForm names the form a poem's shape and title suggest, or "".
func detectForm(title string, lines [][]rune) string {
	if t := tuneInTitle(title); t != nil {
		return "词:" + t.Name
	}
	if f := shiShape(lines); f != "" {
		return f
	}
	if t := tuneByShape(lines); t != nil {
		return "词:" + t.Name
	}
	return ""
}

// shiShape returns the regulated form whose shape the lines have, or "".
func shiShape(lines [][]rune) string {
	if len(lines) == 0 {
		return ""
	}
	n := len(lines[0])
	for _, l := range lines {
		if len(l) != n {
			return ""
		}
	}
	for _, f := range shiForms {
		if f.lines == len(lines) && f.chars == n {
			return f.name
		}
	}
	if len(lines) >= 10 && len(lines)%2 == 0 && (n == 5 || n == 7) {
		if n == 5 {
			return "五言排律"
		}
		return "七言排律"
	}
	return ""
}

// ShapeForm names the form of a poem by its shape alone: the regulated forms
// by line count and length, 五古/七古/四言 for other even shapes, 杂言 for
// uneven lines. The corpus uses it to label poems.
func ShapeForm(lines []string) string {
	rs := make([][]rune, len(lines))
	for i, l := range lines {
		rs[i] = []rune(l)
	}
	if f := shiShape(rs); f != "" {
		return f
	}
	if len(rs) == 0 {
		return ""
	}
	n := len(rs[0])
	for _, l := range rs {
		if len(l) != n {
			return "杂言"
		}
	}
	switch n {
	case 4:
		return "四言"
	case 5:
		return "五古"
	case 7:
		return "七古"
	case 6:
		return "六言"
	}
	return "杂言"
}

func shapeWords(lines [][]rune) string {
	lens := make([]string, len(lines))
	for i, l := range lines {
		lens[i] = fmt.Sprint(len(l))
	}
	return fmt.Sprintf("%d lines of %s characters", len(lines), strings.Join(lens, ","))
}

// plainLines reports lines with their dictionary tones only.
func plainLines(b *Book, lines [][]rune) []LineReport {
	out := make([]LineReport, len(lines))
	for i, l := range lines {
		out[i] = LineReport{Text: string(l), Tones: toneString(b, l), Expected: strings.Repeat("中", len(l))}
	}
	return out
}

func toneString(b *Book, l []rune) string {
	var sb strings.Builder
	for _, r := range l {
		t := b.ToneOf(r)
		if t == Unknown {
			t = Either
		}
		sb.WriteString(t.String())
	}
	return sb.String()
}

// unknownChars reports characters the book does not list.
func unknownChars(b *Book, lines [][]rune) []Problem {
	var out []Problem
	for i, l := range lines {
		for j, r := range l {
			if len(b.Readings(r)) == 0 {
				out = append(out, Problem{Line: i + 1, Col: j + 1, Rule: RuleUnknown, Level: LevelWarn,
					Message: fmt.Sprintf("「%c」is not in %s; either tone is accepted here", r, b.Title)})
			}
		}
	}
	return out
}
