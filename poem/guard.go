package poem

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"miaobi/hanzi"
	"miaobi/prosody"
)

// The guard: a poem written by another model — any language model behind
// an engine — becomes a poem Miaobi can stand behind. The model writes;
// the poem is cut out of its reply (a title, notes or a reasoning model's
// <think> block around it are left aside); the checker reads it against
// the form's template it fits best. Failing characters are repaired in two
// hands: first the model is asked again with every good character locked
// and the failing ones masked (〇), each with the tone or rhyme it needs,
// and its answer is taken at the masked places only; what still fails, and
// any run the model copied from a corpus line, is rewritten by Miaobi's own
// decoder with every other character locked (as Mend does), so the result
// is 合律 and original whatever the model wrote. Each character keeps its
// hand: the engine's, the engine's repair, or Miaobi's.

// A Poet writes text for a prompt: a language model behind an engine (see
// package engine, whose Poet adapts any configured server).
type Poet interface {
	Write(ctx context.Context, prompt string) (Writing, error)
}

// Writing is a poet's answer and who wrote it.
type Writing struct {
	Text   string
	Engine string // the engine's configured name
	Model  string // the model the server says answered
}

// Hands of a character.
const (
	HandEngine       = "engine"        // written by the engine
	HandEngineRepair = "engine-repair" // rewritten by the engine when asked to mend
	HandMiaobi       = "miaobi"        // rewritten by Miaobi's decoder
)

// Source says where an engine's poem came from and whose each character
// is.
type Source struct {
	Engine string `json:"engine"`
	Model  string `json:"model"`
	// Written is the poem as the engine first wrote it (□ where a
	// reflowed reply ran short).
	Written []string `json:"written"`
	// Hands gives, per line, the hand of each character.
	Hands [][]string `json:"hands"`
	// Repairs lists every character changed, with why.
	Repairs []Repair `json:"repairs"`
	// Asks counts the requests made to the engine.
	Asks int `json:"asks"`
	// Reflowed is true when the engine's replies held no poem of the
	// form, and the characters of its last reply were laid into the
	// form's lines (Miaobi filling the places it left short).
	Reflowed bool `json:"reflowed"`
}

// Repair is one character the guard changed.
type Repair struct {
	Line int    `json:"line"` // from 1
	Col  int    `json:"col"`  // from 1
	From string `json:"from"`
	To   string `json:"to"`
	By   string `json:"by"` // engine-repair or miaobi
	Why  string `json:"why"`
}

// ErrPoet marks an engine whose reply holds no poem of the form asked.
var ErrPoet = errors.New("engine poem")

// GuardAsks is how many times the engine is asked to mend its own poem
// before Miaobi's decoder takes over.
const GuardAsks = 1

// FromPoet asks poet for a poem of req's form on req's keywords and brings
// it to 合律 and originality, changing as few characters as it can; the
// poem's Source says who wrote what.
// Generated forms only (五绝, 七绝, 五律, 七律, 词:TUNE; 藏头 by Acrostic).
func (e *Engine) FromPoet(ctx context.Context, poet Poet, req Request) (*Poem, error) {
	req.N = 1
	j, err := e.newJob(req)
	if err != nil {
		return nil, err
	}
	if j.acrostic = req.Acrostic != ""; j.acrostic {
		j.heads = []rune(hanzi.ToSimplified(req.Acrostic))
		if len(j.heads) != len(j.templates[0].Lines) {
			return nil, fmt.Errorf("%w: %d acrostic characters for %d lines", ErrAcrostic, len(j.heads), len(j.templates[0].Lines))
		}
	}
	shape := j.shape()
	g := &Source{Repairs: []Repair{}}
	prompt := poetPrompt(j, req)
	var d [][]rune
	var title string
	for try := 0; ; try++ {
		w, err := poet.Write(ctx, prompt)
		g.Asks++
		if err != nil {
			return nil, err
		}
		g.Engine, g.Model = w.Engine, w.Model
		if d, title, err = ExtractPoem(w.Text, shape); err == nil {
			break
		} else if try == 1 {
			// Last resort: the reply's characters laid into the form.
			if d = reflow(w.Text, shape); d == nil {
				return nil, err
			}
			g.Reflowed = true
			break
		}
		prompt += fmt.Sprintf("\n\n注意：只输出诗的正文，共%d句，%s，每句一行，不要其他文字。", len(shape), shapeWords(shape))
	}
	if j.acrostic {
		for i, h := range j.heads {
			d[i][0] = h // the acrostic is the person's, not the engine's
		}
	}
	g.Written = lineStrings(d)
	for i, l := range g.Written {
		g.Written[i] = strings.ReplaceAll(l, "\x00", "□")
	}
	g.Hands = make([][]string, len(d))
	whys := map[[2]int]string{}
	var empty [][2]int // places a reflow left short
	for i, l := range d {
		g.Hands[i] = slices.Repeat([]string{HandEngine}, len(l))
		for ci, r := range l {
			if r == 0 {
				g.Hands[i][ci] = HandMiaobi
				empty = append(empty, [2]int{i, ci})
				whys[[2]int{i, ci}] = "the engine's reply was too short for the form"
			}
		}
	}

	// The engine mends its own poem, good characters locked.
	for ask := 0; ask < GuardAsks && !g.Reflowed; ask++ {
		miss, err := j.bestFit(d)
		if err != nil {
			return nil, err
		}
		if len(miss) == 0 {
			break
		}
		w, err := poet.Write(ctx, maskPrompt(j, d, miss))
		g.Asks++
		if err != nil {
			return nil, err
		}
		got, _, err := ExtractPoem(w.Text, shape)
		if err != nil {
			break // the engine could not; Miaobi's decoder will
		}
		next := make([][]rune, len(d))
		for i := range d {
			next[i] = slices.Clone(d[i])
		}
		for _, m := range miss {
			if !(j.acrostic && m.ci == 0) {
				next[m.li][m.ci] = got[m.li][m.ci]
			}
		}
		if after, err := j.bestFit(next); err != nil || len(after) >= len(miss) {
			break
		}
		for _, m := range miss {
			if next[m.li][m.ci] != d[m.li][m.ci] {
				g.Hands[m.li][m.ci] = HandEngineRepair
				g.Repairs = append(g.Repairs, Repair{m.li + 1, m.ci + 1, string(d[m.li][m.ci]), string(next[m.li][m.ci]), HandEngineRepair, m.why})
			}
		}
		d = next
	}

	// Miaobi rewrites what still fails, and any run copied from a corpus
	// line (its last character, where the decoder's guard reads the run);
	// a rewrite can leave another run, so this goes round until none is
	// left.
	var p *Poem
	for round := 0; p == nil; round++ {
		if round == 4 {
			return nil, fmt.Errorf("%w: the engine's poem could not be made original and 合律 (after %d rewrites); try again with another seed", ErrMend, round)
		}
		miss, err := j.bestFit(d)
		if err != nil {
			return nil, err
		}
		free := slices.Clone(empty)
		empty = nil
		for _, m := range miss {
			free = append(free, [2]int{m.li, m.ci})
			whys[[2]int{m.li, m.ci}] = m.why
		}
		for li, at := range e.copiedEnds(d) {
			if at < 0 || (j.acrostic && at == 0) {
				continue
			}
			if q := [2]int{li, at}; !slices.Contains(free, q) {
				free = append(free, q)
				whys[q] = fmt.Sprintf("line %d copied a run of a corpus line", li+1)
			}
		}
		lines := lineStrings(d)
		if len(free) == 0 {
			res, err := e.check(j.rhymeName, j.form, lines)
			if err != nil {
				return nil, err
			}
			if res.Verdict == prosody.VerdictOK {
				p = &Poem{Form: j.form, Variant: res.Variant, Lines: lines, Check: res, Imagery: []Keyword{}, Plan: []PlanLine{}}
				break
			}
			// The template fits but the checker disagrees (a repeated
			// rhyme character, say): the decoder writes the rhyme
			// positions afresh.
			for li, row := range j.templates[0].Lines {
				for ci, slot := range row {
					if slot.Rhyme != 0 && li < len(d) && ci < len(d[li]) {
						free = append(free, [2]int{li, ci})
						whys[[2]int{li, ci}] = "the checker: " + res.Verdict
					}
				}
			}
		}
		poems, err := e.rewrite(j, d, free)
		if err != nil {
			return nil, err
		}
		next := make([][]rune, len(d))
		for li, l := range poems[0].Lines {
			next[li] = []rune(l)
			for ci, r := range next[li] {
				if ci < len(d[li]) && r != d[li][ci] {
					g.Hands[li][ci] = HandMiaobi
				}
			}
		}
		d = next
		if e.copiedEnds(d) == nil {
			p = poems[0]
		}
	}
	// The repairs, from the engine's first poem to the last.
	var repairs []Repair
	for _, r := range g.Repairs {
		if r.By == HandEngineRepair && g.Hands[r.Line-1][r.Col-1] == HandEngineRepair {
			repairs = append(repairs, r)
		}
	}
	for li, l := range p.Lines {
		w := []rune(g.Written[li])
		for ci, r := range []rune(l) {
			if g.Hands[li][ci] == HandMiaobi && r != w[ci] {
				repairs = append(repairs, Repair{li + 1, ci + 1, string(w[ci]), string(r), HandMiaobi,
					cmp.Or(whys[[2]int{li, ci}], "rewritten with the characters around it")})
			} else if r == w[ci] {
				g.Hands[li][ci] = HandEngine // rewritten, but back to the engine's own
			}
		}
	}
	g.Repairs = repairs
	if g.Repairs == nil {
		g.Repairs = []Repair{}
	}
	p.Keywords = req.Keywords
	if p.Keywords == nil {
		p.Keywords = []string{}
	}
	p.Seed = req.Seed
	p.Title = title
	if p.Title == "" {
		p.Title = e.title(j, j.keywords, p.Lines)
	}
	p.Originality = e.originality(p.Lines)
	slices.SortFunc(g.Repairs, func(a, b Repair) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	p.Source = g
	return p, nil
}

// shape is the characters per line of the form's first template.
func (j *job) shape() []int {
	out := make([]int, len(j.templates[0].Lines))
	for i, row := range j.templates[0].Lines {
		out[i] = len(row)
	}
	return out
}

func lineStrings(d [][]rune) []string {
	out := make([]string, len(d))
	for i, l := range d {
		out[i] = string(l)
	}
	return out
}

// copiedEnds gives, per line, the position of the last character of a
// run the line shares with a corpus line, or -1; nil when no line copies.
func (e *Engine) copiedEnds(d [][]rune) []int {
	if e.Guard == nil {
		return nil
	}
	var out []int
	for li, l := range d {
		run := e.Guard.Copied(l)
		if run == nil {
			continue
		}
		if out == nil {
			out = slices.Repeat([]int{-1}, len(d))
		}
		for i := 0; i+len(run) <= len(l); i++ {
			if slices.Equal(l[i:i+len(run)], run) {
				out[li] = i + len(run) - 1
				break
			}
		}
	}
	return out
}

// formWords names a form as a poet would be asked for it.
var formWords = map[string]string{
	"五绝": "五言绝句（五绝）", "七绝": "七言绝句（七绝）", "五律": "五言律诗（五律）", "七律": "七言律诗（七律）",
}

func shapeWords(shape []int) string {
	same := true
	for _, n := range shape {
		same = same && n == shape[0]
	}
	if same {
		return fmt.Sprintf("每句%d字", shape[0])
	}
	parts := make([]string, len(shape))
	for i, n := range shape {
		parts[i] = fmt.Sprint(n)
	}
	return "各句字数依次为" + strings.Join(parts, "、")
}

// poetPrompt asks for the poem in the words a Chinese poet would use.
func poetPrompt(j *job, req Request) string {
	var sb strings.Builder
	shape := j.shape()
	if tune, ok := strings.CutPrefix(j.form, "词:"); ok {
		fmt.Fprintf(&sb, "请填一首词，词牌《%s》", tune)
	} else {
		fmt.Fprintf(&sb, "请写一首%s", formWords[j.form])
	}
	if len(req.Keywords) > 0 {
		fmt.Fprintf(&sb, "，关键词：%s", strings.Join(req.Keywords, "、"))
	}
	sb.WriteString("。\n要求：")
	fmt.Fprintf(&sb, "共%d句，%s；", len(shape), shapeWords(shape))
	book := "平水韵"
	if j.rhymeName == "xinyun" {
		book = "中华新韵"
	}
	if j.templates[0].Ci {
		fmt.Fprintf(&sb, "依词谱平仄，用%s（词林正韵）押韵；", book)
	} else {
		fmt.Fprintf(&sb, "严守平仄、粘对，押%s平声韵，一韵到底", book)
		if len(shape) == 8 {
			sb.WriteString("，颔联、颈联对仗")
		}
		sb.WriteString("；")
	}
	if j.acrostic {
		fmt.Fprintf(&sb, "藏头，各句首字依次为「%s」；", string(j.heads))
	}
	sb.WriteString("全诗意脉贯通，情景交融，不要照搬前人成句。\n只输出诗：第一行是诗题，其后每句一行，句末加标点，不要作者、注释或解释。")
	return sb.String()
}

// maskPrompt asks the poet to mend its own poem: every failing character
// masked with 〇, every other one to be kept.
func maskPrompt(j *job, d [][]rune, miss []misfitAt) string {
	var sb strings.Builder
	name := formWords[j.form]
	if name == "" {
		name = "词"
	}
	fmt.Fprintf(&sb, "下面这首%s有%d个字不合格律，已标为〇。请只把每个〇换成一个合适的字，其余的字一个都不要改，按原样每句一行输出全诗，不要解释。\n\n", name, len(miss))
	for li, l := range d {
		for ci, r := range l {
			if slices.ContainsFunc(miss, func(m misfitAt) bool { return m.li == li && m.ci == ci }) {
				sb.WriteRune('〇')
			} else {
				sb.WriteRune(r)
			}
		}
		if li%2 == 0 {
			sb.WriteString("，\n")
		} else {
			sb.WriteString("。\n")
		}
	}
	sb.WriteString("\n各〇须用：\n")
	for _, m := range miss {
		fmt.Fprintf(&sb, "第%d句第%d字：%s\n", m.li+1, m.ci+1, needWords(m.need))
	}
	return sb.String()
}

func needWords(need string) string {
	switch need {
	case "平":
		return "平声字"
	case "仄":
		return "仄声字（上、去、入声）"
	}
	return need
}

// answer is what a reply says outside a reasoning model's thoughts: at
// most MaxPoetReply bytes, invalid UTF-8 replaced, <think> blocks (and an
// unclosed one to the end) removed, in simplified characters.
func answer(reply string) string {
	if len(reply) > MaxPoetReply {
		reply = reply[:MaxPoetReply]
	}
	reply = thinkBlock.ReplaceAllString(strings.ToValidUTF8(reply, "\uFFFD"), "\n")
	if i := strings.Index(reply, "<think>"); i >= 0 { // never closed: all thought
		reply = reply[:i]
	}
	return hanzi.ToSimplified(reply)
}

// reflow lays the Han characters of a reply that holds no poem of the
// form into the form's lines, in order, 0 where it runs short; nil when
// the reply has fewer than half the form's characters (a refusal, an
// apology: nothing to build on).
func reflow(reply string, shape []int) [][]rune {
	var han []rune
	for _, r := range answer(reply) {
		if hanzi.IsHan(r) {
			han = append(han, r)
		}
	}
	total := 0
	for _, n := range shape {
		total += n
	}
	if 2*len(han) < total {
		return nil
	}
	out := make([][]rune, len(shape))
	k := 0
	for i, n := range shape {
		out[i] = make([]rune, n)
		for c := range out[i] {
			if k < len(han) {
				out[i][c] = han[k]
				k++
			}
		}
	}
	return out
}

// thinkBlock matches a reasoning model's thoughts, which hold drafts.
var thinkBlock = regexp.MustCompile(`(?s)<think>.*?</think>`)

// MaxPoetReply bounds the reply ExtractPoem reads.
const MaxPoetReply = 64 << 10

// ExtractPoem cuts a poem of the given shape (characters per line) out of
// a model's reply: its Han characters in runs broken by anything else
// (punctuation, line breaks, markup, numbering), the first window of runs
// whose lengths are the shape — or, where every line has the same length,
// longer runs cut into lines of it. A short run just before the poem is
// taken as its title. Text in <think> blocks is skipped. The lines come
// back in simplified characters.
func ExtractPoem(reply string, shape []int) (lines [][]rune, title string, err error) {
	if len(shape) == 0 {
		return nil, "", fmt.Errorf("%w: no shape", ErrPoet)
	}
	reply = answer(reply)
	// Runs of Han characters; a run alone on a line without sentence
	// punctuation may be a title (《秋思》, **秋思**, 秋思).
	var runs [][]rune
	var alone []bool
	for _, text := range strings.Split(reply, "\n") {
		first := len(runs)
		var cur []rune
		for _, r := range text {
			if hanzi.IsHan(r) {
				cur = append(cur, r)
				continue
			}
			if len(cur) > 0 {
				runs = append(runs, cur)
				cur = nil
			}
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
		}
		for k := first; k < len(runs); k++ {
			alone = append(alone, len(runs)-first == 1 && !strings.ContainsAny(text, "：:，,。.！!？?；;"))
		}
	}
	same := true
	for _, n := range shape {
		same = same && n == shape[0]
	}
	// Cut runs of several whole lines (a couplet written without a comma).
	var pieces [][]rune
	var starts []bool // a piece that begins a run
	var titled []bool // a piece that could be a title
	for ri, r := range runs {
		if same && len(r) > shape[0] && len(r)%shape[0] == 0 {
			for k := 0; k < len(r); k += shape[0] {
				pieces = append(pieces, r[k:k+shape[0]])
				starts = append(starts, k == 0)
				titled = append(titled, false)
			}
			continue
		}
		pieces = append(pieces, r)
		starts = append(starts, true)
		titled = append(titled, alone[ri])
	}
	for i := 0; i+len(shape) <= len(pieces); i++ {
		ok := starts[i]
		for k, n := range shape {
			ok = ok && len(pieces[i+k]) == n
		}
		if !ok {
			continue
		}
		lines = make([][]rune, len(shape))
		for k := range shape {
			lines[k] = slices.Clone(pieces[i+k])
		}
		if i > 0 && titled[i-1] && len(pieces[i-1]) <= 12 {
			title = string(pieces[i-1])
		}
		return lines, title, nil
	}
	var found []string
	for i, p := range pieces {
		if i == 12 {
			found = append(found, "…")
			break
		}
		found = append(found, fmt.Sprint(len(p)))
	}
	return nil, "", fmt.Errorf("%w: the reply holds no poem of %d lines (%s); its runs of characters had lengths %s",
		ErrPoet, len(shape), shapeWords(shape), cmp.Or(strings.Join(found, ", "), "none"))
}
