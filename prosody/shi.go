package prosody

import (
	"fmt"
	"strings"
)

// Regulated verse (近体诗) is built from four line types, named here by their
// five-character core (a seven-character line puts two opposite tones first):
//
//	A 仄仄平平仄   B 平平仄仄平   C 平平平仄仄   D 仄仄仄平平
//
// A line's type follows from its pivot (the core's second character) and
// its ending (平 at a rhyme position, 仄 elsewhere). Couplets oppose their
// pivots (对) and each couplet's first line repeats the pivot of the line
// before (粘). Inside a line, 一三五不论 frees the odd positions except where
// that makes 孤平 (B with a 仄 first character), 三平尾 or 三仄尾. The
// accepted 拗救 are 孤平拗救 (仄平平仄平), 对句相救 (an A line whose fourth
// character is 仄, repaired by a 平 third character in the B line after it)
// and 特拗 (平平仄平仄 for C).
type lineType int

const (
	typeA lineType = iota
	typeB
	typeC
	typeD
)

var corePattern = [4][5]Tone{
	{Ze, Ze, Ping, Ping, Ze},
	{Ping, Ping, Ze, Ze, Ping},
	{Ping, Ping, Ping, Ze, Ze},
	{Ze, Ze, Ze, Ping, Ping},
}

// coreExpected is the pattern people are shown, 中 marking free positions.
var coreExpected = [4]string{"中仄中平仄", "平平中仄平", "中平平仄仄", "中仄仄平平"}

func typeFor(pivot, end Tone) lineType {
	switch {
	case end == Ze && pivot == Ze:
		return typeA
	case end == Ze:
		return typeC
	case pivot == Ping:
		return typeB
	}
	return typeD
}

// opts is the set of tones a character may take: bit 1 平, bit 2 仄.
type opts uint8

const (
	optPing opts = 1 << iota
	optZe
)

func (o opts) has(t Tone) bool {
	switch t {
	case Ping:
		return o&optPing != 0
	case Ze:
		return o&optZe != 0
	}
	return true
}

func charOpts(b *Book, r rune) opts {
	var o opts
	for _, x := range b.Readings(r) {
		if x.Tone == Ping {
			o |= optPing
		} else {
			o |= optZe
		}
	}
	if o == 0 {
		o = optPing | optZe // unknown: benefit of the doubt
	}
	return o
}

// shiState carries what one line's evaluation hands to the next.
type shiLine struct {
	pivot Tone
	tones []Tone
	// shown is tones as reported: 中 where a true 两读 character stands
	// at a place the form leaves free and no word decides its reading.
	shown      []Tone
	problems   []Problem
	cost       int
	needRescue bool // an A line with 仄 at core position 4
}

func (c *Checker) checkShi(res *Result, form string, lines [][]rune) {
	res.Form = form
	b := c.Book
	res.Book = b.Title
	wantLines, wantChars := 0, 0
	for _, f := range shiForms {
		if f.name == form {
			wantLines, wantChars = f.lines, f.chars
		}
	}
	okShape := true
	n := len(lines[0])
	for _, l := range lines {
		if len(l) != n {
			okShape = false
		}
	}
	switch form {
	case "五言排律", "七言排律":
		wantChars = 5
		if form == "七言排律" {
			wantChars = 7
		}
		okShape = okShape && len(lines) >= 10 && len(lines)%2 == 0 && n == wantChars
	default:
		okShape = okShape && len(lines) == wantLines && n == wantChars
	}
	if !okShape {
		res.Lines = plainLines(b, lines)
		want := fmt.Sprintf("%d lines of %d characters", wantLines, wantChars)
		if wantLines == 0 {
			want = fmt.Sprintf("an even number (10 or more) of lines of %d characters", wantChars)
		}
		res.Problems = append(res.Problems, Problem{Rule: RuleForm, Level: LevelError,
			Message: fmt.Sprintf("%s needs %s; this text has %s", form, want, shapeWords(lines))})
		return
	}

	o := make([][]opts, len(lines))
	for i, l := range lines {
		o[i] = make([]opts, len(l))
		for j, r := range l {
			o[i][j] = charOpts(b, r)
		}
	}
	group := pickRhymeGroup(b, lines)
	if group >= 0 {
		res.RhymeGroup = b.Groups[group].Label()
	}

	// Rhyme positions: every even line, and the first line when it rhymes.
	firstRhymes, firstNote := false, (*Problem)(nil)
	last := lines[0][n-1]
	if group >= 0 {
		fam := b.Groups[group].Family
		switch {
		case b.Rhymes(last, fam, Ping) && !rareFirst(c.Usage, lines[0], o[0][n-1]):
			// A first line rhymes when its last character can rhyme — but
			// not by a reading poets rarely give it (折 in 八齐).
			firstRhymes = true
		case o[0][n-1] == optPing:
			// A level-tone ending must rhyme; a neighbouring group is an
			// accepted licence (首句借邻韵), anything else is 出韵.
			firstRhymes = true
			if g, ok := neighbourReading(b, last, group); ok {
				firstNote = &Problem{Line: 1, Col: n, Rule: RuleLinyun, Level: LevelWarn,
					Message: fmt.Sprintf("「%c」(%s) borrows a neighbouring group of %s in the first line (首句借邻韵)", last, b.Groups[g].Label(), b.Groups[group].Label())}
			} else {
				firstNote = &Problem{Line: 1, Col: n, Rule: RuleChuyun, Level: LevelError,
					Message: fmt.Sprintf("「%c」%s is not in %s, the poem's rhyme", last, groupsOf(b, last, Ping), b.Groups[group].Label())}
			}
		}
	}

	var best []shiLine
	bestCost := -1
	pivotIdx := n - 4
	for _, p0 := range []Tone{Ping, Ze} {
		if !o[0][pivotIdx].has(p0) {
			continue
		}
		ls, cost := c.evalShi(lines, o, p0, firstRhymes, group)
		if bestCost < 0 || cost < bestCost {
			best, bestCost = ls, cost
		}
	}

	for i, l := range lines {
		rep := LineReport{Text: string(l), Tones: toneString(b, l)}
		sl := best[i]
		t := typeFor(sl.pivot, endTone(i, firstRhymes))
		exp := coreExpected[t]
		if n == 7 {
			exp = "中" + opposite(sl.pivot).String() + exp
		}
		rep.Expected = exp
		if i%2 == 1 || (i == 0 && firstRhymes) {
			rep.Rhyme = rhymeLabel(b, l[n-1], group)
		}
		var sb strings.Builder
		shown := sl.shown
		if shown == nil {
			shown = sl.tones
		}
		for _, x := range shown {
			sb.WriteString(x.String())
		}
		rep.Read = sb.String()
		res.Lines = append(res.Lines, rep)
		res.Problems = append(res.Problems, sl.problems...)
	}
	if firstNote != nil {
		res.Problems = append(res.Problems, *firstNote)
	}
	qi := best[0].pivot
	if n == 7 {
		qi = opposite(qi)
	}
	res.Variant = qi.String() + "起首句"
	if firstRhymes {
		res.Variant += "入韵"
	} else {
		res.Variant += "不入韵"
	}
	res.Problems = append(res.Problems, repeatedChars(lines)...)
	if len(lines) >= 8 {
		for k := 2; k+1 < len(lines)-2; k += 2 {
			res.Problems = append(res.Problems, parallelism(lines, k)...)
		}
	}
	res.Problems = append(res.Problems, unknownChars(b, lines)...)
	sortProblems(res.Problems)
}

// rareFirst reports whether reading the first line's last character as 平
// would take a rare reading, where it also has a 仄 one.
func rareFirst(u *Usage, line []rune, o opts) bool {
	if o != optPing|optZe {
		return false
	}
	rare, _ := u.Rare(line, len(line)-1, Ping)
	return rare
}

func endTone(i int, firstRhymes bool) Tone {
	if i%2 == 1 || (i == 0 && firstRhymes) {
		return Ping
	}
	return Ze
}

// evalShi evaluates every line given the first line's pivot, returning the
// per-line findings and a total cost (errors weigh most).
func (c *Checker) evalShi(lines [][]rune, o [][]opts, p0 Tone, firstRhymes bool, group int) ([]shiLine, int) {
	b := c.Book
	out := make([]shiLine, len(lines))
	total := 0
	n := len(lines[0])
	pivotIdx := n - 4
	for i := range lines {
		expect := p0
		rule := ""
		switch {
		case i == 0:
		case i%2 == 1:
			expect, rule = opposite(out[i-1].pivot), RuleShidui
		default:
			expect, rule = out[i-1].pivot, RuleShinian
		}
		pivot := expect
		var pre []Problem
		if !o[i][pivotIdx].has(expect) {
			pivot = opposite(expect)
			what := "oppose"
			ref := "the line before it in the couplet (对)"
			if rule == RuleShinian {
				what, ref = "match", "the last line of the couplet before (粘)"
			}
			pre = append(pre, Problem{Line: i + 1, Col: pivotIdx + 1, Rule: rule, Level: LevelError,
				Message: fmt.Sprintf("「%c」is %s; character %d must %s %s and be %s", lines[i][pivotIdx], pivot, pivotIdx+1, what, ref, expect)})
		}
		end := endTone(i, firstRhymes)
		rescue := i > 0 && out[i-1].needRescue
		sl := evalLine(b, c.Usage, lines[i], o[i], i, pivot, end, group, rescue)
		sl.problems = append(pre, sl.problems...)
		sl.cost += 100 * len(pre)
		if rescue {
			// Settle the previous line's 大拗 now that its couplet partner is known.
			prevCol := n - 1
			prev := &out[i-1]
			if typeFor(pivot, end) == typeB && len(sl.tones) == n && sl.tones[n-3] == Ping {
				prev.problems = append(prev.problems, Problem{Line: i, Col: prevCol, Rule: RuleAojiu, Level: LevelAo,
					Message: fmt.Sprintf("character %d is 仄 where 平 is due (拗), repaired by the 平 of「%c」at character %d of the next line (对句相救)", prevCol, lines[i][n-3], n-2)})
				total += 10
			} else {
				prev.problems = append(prev.problems, Problem{Line: i, Col: prevCol, Rule: RuleTone, Level: LevelError,
					Message: fmt.Sprintf("character %d must be 平; a 仄 here needs the next line's character %d to be 平 (对句相救), which it is not", prevCol, n-2)})
				total += 100
			}
		}
		out[i] = sl
		total += sl.cost
	}
	return out, total
}

// evalLine picks the reading of each ambiguous character that best fits the
// line type and returns the line's findings.
func evalLine(b *Book, u *Usage, l []rune, o []opts, idx int, pivot, end Tone, group int, rescueDue bool) shiLine {
	n := len(l)
	t := typeFor(pivot, end)
	best := shiLine{pivot: pivot, cost: -1}
	tones := make([]Tone, n)
	// Which readings of the line's 多音字 are rare, once for every way of
	// reading the line: why it is rare, per tone, or nil for none.
	rare := make([]*[2]string, n)
	// prefer is the reading assumed where the form leaves a 多音字 free.
	prefer := make([]Tone, n)
	if u != nil {
		for k := range l {
			if o[k] != optPing|optZe {
				continue
			}
			prefer[k] = u.Preferred(l, k)
			var why [2]string
			for _, x := range []Tone{Ping, Ze} {
				if r, w := u.Rare(l, k, x); r {
					why[toneIndex(x)] = w
				}
			}
			if why != [2]string{} {
				rare[k] = &why
			}
		}
	}
	var try func(k int)
	try = func(k int) {
		if k == n {
			sl := judgeLine(b, rare, l, tones, idx, t, pivot, end, group, rescueDue)
			// Among equally good readings, the one a reader assumes.
			sl.cost += costOfPrefer(prefer, tones)
			if best.cost < 0 || sl.cost < best.cost {
				sl.tones = append([]Tone(nil), tones...)
				best = sl
			}
			return
		}
		// The first character of a seven-character line is always free, and
		// the pivot is fixed by the caller.
		switch {
		case n == 7 && k == 0, k == n-4:
			tones[k] = pivot
			if k == 0 {
				tones[k] = firstTone(o[k])
				if tones[k] == Either && prefer[0] != Unknown {
					tones[k] = prefer[0]
				}
			}
			try(k + 1)
			return
		}
		for _, cand := range []Tone{Ping, Ze} {
			if o[k].has(cand) {
				tones[k] = cand
				try(k + 1)
			}
		}
	}
	try(0)
	// A true 两读 character where the form takes either reading and no
	// word decides is reported as 中, not as whichever the search tried
	// first.
	if best.tones != nil && u != nil {
		for k := range l {
			x := best.tones[k]
			if prefer[k] != Either || o[k] != optPing|optZe || (x != Ping && x != Ze) || k == n-4 || k == n-1 {
				continue
			}
			copy(tones, best.tones)
			tones[k] = opposite(x)
			if judgeLine(b, rare, l, tones, idx, t, pivot, end, group, rescueDue).cost == best.cost-costOfPrefer(prefer, best.tones) {
				if best.shown == nil {
					best.shown = append([]Tone(nil), best.tones...)
				}
				best.shown[k] = Either
			}
		}
	}
	return best
}

// costOfPrefer is the tie-break cost evalLine adds for readings against
// the preferred ones.
func costOfPrefer(prefer, tones []Tone) int {
	c := 0
	for x, tn := range tones {
		if prefer[x] != Unknown && prefer[x] != Either && tn != Either && tn != prefer[x] {
			c++
		}
	}
	return c
}

func firstTone(o opts) Tone {
	if o.has(Ping) && !o.has(Ze) {
		return Ping
	}
	if o.has(Ze) && !o.has(Ping) {
		return Ze
	}
	return Either
}

// judgeLine applies the line rules to one reading of the line. A 多音字 read
// in a reading poets rarely give it (rare, from Usage) is an error of its
// own: the search over readings then settles on the common reading wherever
// the form allows it, so a rare reading is reported only where the line
// needs it.
func judgeLine(b *Book, rare []*[2]string, l []rune, tones []Tone, idx int, t lineType, pivot, end Tone, group int, rescueDue bool) shiLine {
	n := len(l)
	off := n - 5
	c := tones[off:]
	sl := shiLine{pivot: pivot}
	add := func(col int, rule, level, msg string) {
		sl.problems = append(sl.problems, Problem{Line: idx + 1, Col: col, Rule: rule, Level: level, Message: msg})
		switch level {
		case LevelError:
			sl.cost += 100
		case LevelAo:
			sl.cost += 10
		}
	}
	ch := func(k int) rune { return l[off+k] }
	col := func(k int) int { return off + k + 1 }
	for k, x := range tones {
		if rare[k] == nil || (x != Ping && x != Ze) || rare[k][toneIndex(x)] == "" {
			continue
		}
		add(k+1, RuleRare, LevelError, fmt.Sprintf("「%c」is read %s here, a reading poets rarely give it (%s); heard as %s, the line breaks the form", l[k], x, rare[k][toneIndex(x)], opposite(x)))
	}

	// The last character: a rhyme position needs a 平 reading in the group.
	last := l[n-1]
	if end == Ping {
		switch {
		case group >= 0 && b.Rhymes(last, b.Groups[group].Family, Ping):
			c[4] = Ping
		case c[4] == Ping || charOpts(b, last).has(Ping):
			c[4] = Ping
			if group >= 0 {
				add(n, RuleChuyun, LevelError, fmt.Sprintf("「%c」%s is not in %s, the poem's rhyme", last, groupsOf(b, last, Ping), b.Groups[group].Label()))
			}
		default:
			add(n, RuleYunjiao, LevelError, fmt.Sprintf("「%c」is 仄; a rhyming line must end in a 平 character of the poem's rhyme", last))
		}
	} else if c[4] != Ze {
		add(n, RuleTone, LevelError, fmt.Sprintf("「%c」is 平; a line that does not rhyme must end in 仄", last))
	}

	// Seven-character lines: the second character opposes the pivot (二四六分明).
	if n == 7 && tones[1] != opposite(pivot) {
		add(2, RuleErsi, LevelError, fmt.Sprintf("「%c」is %s; character 2 must be %s to alternate with character 4", l[1], tones[1], opposite(pivot)))
	}
	p := corePattern[t]
	switch {
	case c[3] == p[3]:
	case t == typeA:
		sl.needRescue = true
		sl.cost += 5
	case t == typeC && c[2] == Ze:
		add(col(2), RuleAojiu, LevelAo, fmt.Sprintf("平平仄平仄 (特拗): characters %d and %d trade tones, an accepted variant", col(2), col(3)))
	default:
		add(col(3), RuleErsi, LevelError, fmt.Sprintf("「%c」is %s; character %d must be %s to alternate with character %d", ch(3), c[3], col(3), p[3], col(1)))
	}
	switch {
	case end == Ping && c[2] == Ping && c[3] == Ping && c[4] == Ping:
		add(col(2), RuleSanping, LevelError, "the last three characters are all 平 (三平尾)")
	case end == Ze && c[2] == Ze && c[3] == Ze && c[4] == Ze:
		// Common in Tang 律诗 and no fault under 王力 (a line that does not
		// rhyme may end 仄仄仄): a note, not a break.
		add(col(2), RuleSanze, LevelNote, "the last three characters are all 仄 (三仄尾): allowed in a line that does not rhyme (王力), though some teachers avoid it")
	}
	if t == typeB && c[0] == Ze {
		if c[2] == Ping {
			add(col(0), RuleAojiu, LevelAo, fmt.Sprintf("「%c」is 仄 where 平 is due; the 平「%c」at character %d repairs the 孤平 (孤平拗救)", ch(0), ch(2), col(2)))
		} else {
			add(col(0), RuleGuping, LevelError, fmt.Sprintf("「%c」is 仄, leaving the rhyme as the only other 平 (孤平); make character %d or %d 平", ch(0), col(0), col(2)))
		}
	}
	if rescueDue && !(t == typeB && c[2] == Ping) {
		sl.cost += 100 // the caller reports the unrescued line
	}
	return sl
}

// pickRhymeGroup chooses the 平 group that most even-line endings share;
// on a tie, the group that rhymes first wins.
func pickRhymeGroup(b *Book, lines [][]rune) int {
	score := map[int]int{}
	var order []int
	for i, l := range lines {
		w := 2
		if i%2 == 0 {
			if i > 0 {
				continue
			}
			w = 1
		}
		seen := map[int]bool{}
		for _, x := range b.Readings(l[len(l)-1]) {
			if x.Tone == Ping && !seen[x.Group] {
				seen[x.Group] = true
				if _, ok := score[x.Group]; !ok {
					order = append(order, x.Group)
				}
				score[x.Group] += w
			}
		}
	}
	best, bestScore := -1, 0
	for _, g := range order {
		if score[g] > bestScore {
			best, bestScore = g, score[g]
		}
	}
	return best
}

func neighbourReading(b *Book, r rune, group int) (int, bool) {
	for _, x := range b.Readings(r) {
		if x.Tone == Ping && b.Neighbour(group, x.Group) {
			return x.Group, true
		}
	}
	return 0, false
}

func rhymeLabel(b *Book, r rune, group int) string {
	if group >= 0 && b.Rhymes(r, b.Groups[group].Family, Ping) {
		return b.Groups[group].Label()
	}
	for _, x := range b.Readings(r) {
		if x.Tone == Ping {
			return b.Groups[x.Group].Label()
		}
	}
	return ""
}

// groupsOf names r's groups of tone t, e.g. (下平一先).
func groupsOf(b *Book, r rune, t Tone) string {
	var names []string
	for _, x := range b.Readings(r) {
		if x.Tone == t || t == Either {
			names = append(names, b.Groups[x.Group].Label())
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "(" + strings.Join(names, "/") + ")"
}

// repeatedChars reports characters used more than once (重字); adjacent
// reduplication (叠字) is an accepted device and not reported.
func repeatedChars(lines [][]rune) []Problem {
	type pos struct{ line, col int }
	seen := map[rune]pos{}
	var out []Problem
	for i, l := range lines {
		for j, r := range l {
			if j > 0 && l[j-1] == r || j+1 < len(l) && l[j+1] == r {
				continue
			}
			if p, ok := seen[r]; ok {
				out = append(out, Problem{Line: i + 1, Col: j + 1, Rule: RuleChongzi, Level: LevelWarn,
					Message: fmt.Sprintf("「%c」repeats line %d character %d (重字)", r, p.line, p.col)})
				continue
			}
			seen[r] = pos{i + 1, j + 1}
		}
	}
	return out
}

// Word classes whose members are expected to face each other in a 对仗
// couplet.
var wordClasses = []struct{ name, chars string }{
	{"number", "一二三四五六七八九十百千万两双孤独半几数"},
	{"colour", "红黄青白黑绿紫碧翠丹朱苍金银素玄赤"},
	{"direction", "东西南北上下左右前后中内外"},
}

func classOf(r rune) string {
	for _, c := range wordClasses {
		if strings.ContainsRune(c.chars, r) {
			return c.name
		}
	}
	return ""
}

// parallelism reports where a 律诗 middle couplet (lines k+1, k+2) falls short
// of 对仗: the same character facing itself, reduplication on one side only,
// or a number, colour or direction facing a word of another kind.
func parallelism(lines [][]rune, k int) []Problem {
	a, bl := lines[k], lines[k+1]
	var out []Problem
	warn := func(col int, msg string) {
		out = append(out, Problem{Line: k + 2, Col: col, Rule: RuleDuizhang, Level: LevelWarn, Message: msg})
	}
	for j := range a {
		if a[j] == bl[j] {
			warn(j+1, fmt.Sprintf("「%c」faces itself at character %d of this couplet (对仗 wants different words)", a[j], j+1))
			continue
		}
		if j+1 < len(a) && (a[j] == a[j+1]) != (bl[j] == bl[j+1]) {
			warn(j+1, fmt.Sprintf("reduplication at characters %d-%d appears in only one line of the couplet", j+1, j+2))
		}
		ca, cb := classOf(a[j]), classOf(bl[j])
		if ca != cb && (ca != "" && cb != "" || ca == "number" || cb == "number") {
			warn(j+1, fmt.Sprintf("「%c」and「%c」at character %d are of different kinds (%s/%s)", a[j], bl[j], j+1, orDash(ca), orDash(cb)))
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "other"
	}
	return s
}

func sortProblems(ps []Problem) {
	// Stable insertion sort by line then column: lists are short.
	for i := 1; i < len(ps); i++ {
		for j := i; j > 0 && (ps[j].Line < ps[j-1].Line || ps[j].Line == ps[j-1].Line && ps[j].Col < ps[j-1].Col); j-- {
			ps[j], ps[j-1] = ps[j-1], ps[j]
		}
	}
}
