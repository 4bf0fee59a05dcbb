package poem

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"unicode"

	"miaobi/hanzi"
	"miaobi/prosody"
)

// Placeholders mark characters of a draft for Miaobi to fill.
const Placeholders = "_＿□〇○*＊"

// Draft limits.
const (
	MaxDraftLines = 16
	MaxDraftLine  = 15
)

// ParseDraft reads a draft: one line of verse per text line or per
// punctuation-separated clause; Chinese characters are kept, placeholder
// characters (_ ＿ □ 〇 ○ * ＊) are to be filled. Returns the lines with 0
// at placeholders, in simplified characters.
func ParseDraft(text string) ([][]rune, error) {
	if !strings.ContainsFunc(text, func(r rune) bool { return hanzi.IsHan(r) || strings.ContainsRune(Placeholders, r) }) {
		return nil, fmt.Errorf("%w: no Chinese characters or placeholders (%s) in it", ErrDraft, Placeholders)
	}
	var lines [][]rune
	var cur []rune
	flush := func() error {
		if len(cur) > 0 {
			if len(cur) > MaxDraftLine {
				return fmt.Errorf("%w: line %d has %d characters; lines have at most %d", ErrDraft, len(lines)+1, len(cur), MaxDraftLine)
			}
			lines = append(lines, cur)
			cur = nil
		}
		if len(lines) > MaxDraftLines {
			return fmt.Errorf("%w: more than %d lines", ErrDraft, MaxDraftLines)
		}
		return nil
	}
	for _, r := range text {
		switch {
		case r == '\uFFFD':
			return nil, fmt.Errorf("%w: the text is not valid UTF-8", ErrDraft)
		case strings.ContainsRune(Placeholders, r):
			cur = append(cur, 0)
		case hanzi.IsHan(r):
			cur = append(cur, []rune(hanzi.ToSimplified(string(r)))[0])
		case r == '\n' || hanzi.IsSentencePunct(r) || strings.ContainsRune("，。？！；：、,.?!;:", r):
			if err := flush(); err != nil {
				return nil, err
			}
		case unicode.IsSpace(r) || strings.ContainsRune("《》〈〉「」『』“”‘’\"'()（）", r):
		default:
			return nil, fmt.Errorf("%w: line %d: %q is neither a Chinese character nor a placeholder (%s)", ErrDraft, len(lines)+1, r, Placeholders)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return lines, nil
}

// formOfShape names the regulated form a draft's shape implies, or "".
func formOfShape(d [][]rune) string {
	if len(d) != 4 && len(d) != 8 {
		return ""
	}
	n := len(d[0])
	for _, l := range d {
		if len(l) != n {
			return ""
		}
	}
	switch {
	case n == 5 && len(d) == 4:
		return "五绝"
	case n == 7 && len(d) == 4:
		return "七绝"
	case n == 5:
		return "五律"
	case n == 7:
		return "七律"
	}
	return ""
}

// Revision is a revised poem and what changed.
type Revision struct {
	*Poem
	Diff []LineDiff `json:"diff"`
}

// LineDiff compares one line of the draft with the revision.
type LineDiff struct {
	Line    int    `json:"line"`
	Before  string `json:"before"` // placeholders shown as □
	After   string `json:"after"`
	Changed []int  `json:"changed"` // 1-based columns Miaobi wrote
}

// ReviseRequest asks to regenerate the unlocked parts of a draft.
type ReviseRequest struct {
	Request
	Draft string
	// Redo lists 1-based lines to rewrite whole, whatever the draft holds.
	Redo []int
}

// Revise keeps every character of the draft except placeholders and the
// Redo lines, and writes the rest so the poem is 合律 and follows on from
// what was kept. It returns req.N revisions, best first.
func (e *Engine) Revise(req ReviseRequest) ([]Revision, error) {
	d, err := ParseDraft(req.Draft)
	if err != nil {
		return nil, err
	}
	orig := make([][]rune, len(d))
	for i, l := range d {
		orig[i] = slices.Clone(l)
	}
	for _, n := range req.Redo {
		if n < 1 || n > len(d) {
			return nil, fmt.Errorf("%w: --redo %d: the draft has lines 1 to %d", ErrDraft, n, len(d))
		}
		clear(d[n-1])
	}
	if req.Form == "" {
		if req.Form = formOfShape(d); req.Form == "" {
			return nil, fmt.Errorf("%w: its shape (%s) is not a regulated form; give the form, e.g. --form 词:浣溪沙", ErrDraft, draftShape(d))
		}
	}
	j, err := e.newJob(req.Request)
	if err != nil {
		return nil, err
	}
	j.draft = d
	for _, n := range req.Redo {
		if !slices.Contains(orig[n-1], 0) {
			if j.redone == nil {
				j.redone = map[int]string{}
			}
			j.redone[n-1] = string(orig[n-1])
		}
	}
	free := 0
	for _, l := range d {
		for _, r := range l {
			if r == 0 {
				free++
			}
		}
	}
	if free == 0 {
		return nil, fmt.Errorf("%w: nothing to revise: mark characters with %s or give --redo LINES", ErrDraft, Placeholders)
	}
	poems, err := e.run(j, nil)
	if err != nil {
		return nil, err
	}
	var out []Revision
	for _, p := range poems {
		rv := Revision{Poem: p}
		for i, l := range p.Lines {
			ld := LineDiff{Line: i + 1, After: l, Changed: []int{}}
			var before strings.Builder
			for c, r := range orig[i] {
				if r == 0 {
					before.WriteRune('□')
				} else {
					before.WriteRune(r)
				}
				if d[i][c] == 0 {
					ld.Changed = append(ld.Changed, c+1)
				}
			}
			ld.Before = before.String()
			rv.Diff = append(rv.Diff, ld)
		}
		out = append(out, rv)
	}
	return out, nil
}

// Alternative is one ranked option for a line or a character.
type Alternative struct {
	Text    string   `json:"text"` // the new line or character
	Lines   []string `json:"lines"`
	Score   float64  `json:"score"`
	Verdict string   `json:"verdict"`
}

// AltRequest asks for alternatives to one line (Col 0) or one character.
type AltRequest struct {
	Form  string
	Rhyme string
	Poem  string // the complete poem
	Line  int    // 1-based
	Col   int    // 1-based; 0 for the whole line
	K     int    // how many (default 5)
	Seed  int64
}

// Alternatives offers up to K replacements for one character or line of a
// complete poem, each leaving the poem 合律, ranked by the model's score of
// the whole poem.
func (e *Engine) Alternatives(req AltRequest) ([]Alternative, error) {
	d, err := ParseDraft(req.Poem)
	if err != nil {
		return nil, err
	}
	if req.Line < 1 || req.Line > len(d) {
		return nil, fmt.Errorf("%w: line %d: the poem has lines 1 to %d", ErrDraft, req.Line, len(d))
	}
	line := d[req.Line-1]
	if req.Col < 0 || req.Col > len(line) {
		return nil, fmt.Errorf("%w: column %d: line %d has %d characters", ErrDraft, req.Col, req.Line, len(line))
	}
	for i, l := range d {
		if slices.Contains(l, 0) && !(i == req.Line-1) {
			return nil, fmt.Errorf("%w: line %d has placeholders; alternatives need a complete poem (use 'revise' to fill it)", ErrDraft, i+1)
		}
	}
	current := string(line)
	if req.Col > 0 {
		current = string(line[req.Col-1])
		line[req.Col-1] = 0
	} else {
		clear(line)
	}
	if req.K <= 0 {
		req.K = 5
	}
	if req.K > maxN {
		return nil, fmt.Errorf("%w: at most %d alternatives", ErrRequest, maxN)
	}
	if req.Form == "" {
		if req.Form = formOfShape(d); req.Form == "" {
			return nil, fmt.Errorf("%w: its shape (%s) is not a regulated form; give the form", ErrDraft, draftShape(d))
		}
	}
	j, err := e.newJob(Request{Form: req.Form, Rhyme: req.Rhyme, Seed: req.Seed})
	if err != nil {
		return nil, err
	}
	j.draft = d
	j.beam = max(defaultBeam, 3*req.K)
	s, err := e.prepare(j, rand.New(rand.NewSource(req.Seed)), nil)
	if err != nil {
		return nil, err
	}
	s.noise = 0
	hyps, derr := e.decode(s)
	if derr != nil {
		return nil, fmt.Errorf("%w: no replacement keeps line %d 合律 with the rest of the poem as it is", ErrLocked, derr.line+1)
	}
	var out []Alternative
	seen := map[string]bool{current: true}
	for _, h := range hyps {
		p, ok := e.finish(j, s, h, req.Seed)
		if !ok {
			continue
		}
		text := p.Lines[req.Line-1]
		if req.Col > 0 {
			text = string([]rune(text)[req.Col-1])
		}
		if seen[text] {
			continue
		}
		seen[text] = true
		out = append(out, Alternative{Text: text, Lines: p.Lines, Score: p.Scores.Score, Verdict: p.Check.Verdict})
		if len(out) == req.K {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no other choice keeps the poem 合律 here", ErrLocked)
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Score > out[b].Score })
	return out, nil
}

// Couplet writes n 下联 for a 上联, best first.
func (e *Engine) Couplet(upper string, keywords []string, seed int64, n int) ([]*Poem, error) {
	var up []rune
	for _, r := range upper {
		switch {
		case hanzi.IsHan(r):
			up = append(up, []rune(hanzi.ToSimplified(string(r)))[0])
		case unicode.IsSpace(r) || unicode.IsPunct(r):
		default:
			return nil, fmt.Errorf("%w: %q in the 上联 is not a Chinese character", ErrDraft, r)
		}
	}
	if len(up) == 0 {
		return nil, fmt.Errorf("%w: the 上联 has no Chinese characters", ErrDraft)
	}
	book, err := prosody.LoadBook("pingshui")
	if err != nil {
		return nil, err
	}
	tpl, err := prosody.CoupletTemplate(book, up)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDraft, err)
	}
	j := &job{req: Request{Seed: seed, N: max(n, 1), Keywords: keywords}, form: prosody.FormCouplet, book: book, rhymeBook: book,
		rhymeName: "pingshui", templates: []prosody.Template{tpl}, beam: defaultBeam, couplet: true}
	j.draft = [][]rune{up, make([]rune, len(up))}
	if j.req.N > maxN {
		return nil, fmt.Errorf("%w: --n %d: at most %d", ErrRequest, n, maxN)
	}
	for _, k := range keywords {
		kw, err := e.mapKeyword(k)
		if err != nil {
			return nil, err
		}
		j.keywords = append(j.keywords, kw)
	}
	return e.run(j, nil)
}

// CoupletFromKeywords writes a whole couplet of 5 or 7 characters a line
// from keywords.
func (e *Engine) CoupletFromKeywords(keywords []string, chars int, seed int64, n int) ([]*Poem, error) {
	if chars != 5 && chars != 7 {
		return nil, fmt.Errorf("%w: a couplet from keywords has 5 or 7 characters a line, not %d", ErrForm, chars)
	}
	form := "七律"
	if chars == 5 {
		form = "五律"
	}
	j, err := e.newJob(Request{Form: form, Keywords: keywords, Seed: seed, N: n})
	if err != nil {
		return nil, err
	}
	// The 颔联 of a 律诗 template: a 仄-ending line and its 平-ending match.
	var tpls []prosody.Template
	for _, t := range j.templates {
		tpls = append(tpls, prosody.Template{Form: prosody.FormCouplet, Variant: "仄起平收", Lines: t.Lines[2:4], RhymeTone: t.RhymeTone})
	}
	j.templates, j.form, j.couplet = tpls, prosody.FormCouplet, true
	return e.run(j, nil)
}
