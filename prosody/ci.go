package prosody

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"miaobi/hanzi"
)

// Tune is one 词牌 with its variants (体), the first being the standard one.
type Tune struct {
	Name     string
	Aliases  []string
	Variants []*Variant
}

// Variant is one form (体) of a tune: its verse lines with per-character tone
// codes and rhyme marks.
type Variant struct {
	Name        string
	Description string
	Example     string
	Lines       []CiLine
	Chars       int
}

// CiLine is one line (句) of a 词谱. Pattern holds 平, 仄 or Either (中) per
// character; Rhyme is 0 for no rhyme, or a letter naming the rhyme set the
// line's last character belongs to. StanzaStart marks the first line of the
// second stanza (下片).
type CiLine struct {
	Pattern     []Tone
	Rhyme       byte
	StanzaStart bool
}

var (
	tunesOnce sync.Once
	tunes     []*Tune
	tuneIndex map[string]*Tune
	tunesErr  error
)

func loadTunes() {
	tuneIndex = map[string]*Tune{}
	var cur *Tune
	var v *Variant
	stanza := false
	tunesErr = eachDataLine("data/cipu.txt", func(_ int, fields []string) error {
		line := strings.Join(fields, " ")
		key, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch {
		case key == "tune":
			cur = &Tune{Name: rest}
			tunes = append(tunes, cur)
			tuneIndex[rest] = cur
		case cur == nil:
			return fmt.Errorf("%q before the first tune line", key)
		case key == "alias":
			for _, a := range strings.Fields(rest) {
				cur.Aliases = append(cur.Aliases, a)
				if _, taken := tuneIndex[a]; !taken {
					tuneIndex[a] = cur
				}
			}
		case key == "variant":
			name, desc, _ := strings.Cut(rest, " ")
			v = &Variant{Name: name, Description: strings.TrimSpace(desc)}
			stanza = false
		case v == nil:
			return fmt.Errorf("%q outside a variant", key)
		case key == "example":
			v.Example = rest
		case key == "/":
			stanza = true
		case key == "end":
			if len(v.Lines) == 0 {
				return fmt.Errorf("variant %s of %s has no lines", v.Name, cur.Name)
			}
			cur.Variants = append(cur.Variants, v)
			v = nil
		default:
			cl := CiLine{StanzaStart: stanza}
			stanza = false
			for _, r := range key {
				switch r {
				case '平':
					cl.Pattern = append(cl.Pattern, Ping)
				case '仄':
					cl.Pattern = append(cl.Pattern, Ze)
				case '中':
					cl.Pattern = append(cl.Pattern, Either)
				default:
					return fmt.Errorf("pattern %q: %q is not 平, 仄 or 中", key, r)
				}
			}
			switch {
			case rest == "-":
			case len(rest) == 1 && rest[0] >= 'A' && rest[0] <= 'Z':
				cl.Rhyme = rest[0]
			default:
				return fmt.Errorf("pattern %q: rhyme mark %q must be - or a letter A-Z", key, rest)
			}
			v.Lines = append(v.Lines, cl)
			v.Chars += len(cl.Pattern)
		}
		return nil
	})
}

// Tunes returns every 词牌 the checker knows, in data-file order.
func Tunes() ([]*Tune, error) {
	tunesOnce.Do(loadTunes)
	if tunesErr != nil {
		return nil, fmt.Errorf("prosody: 词谱: %w", tunesErr)
	}
	return tunes, nil
}

// LookupTune finds a tune by name or alias, in simplified or traditional
// characters; it returns nil, nil when there is none.
func LookupTune(name string) (*Tune, error) {
	if _, err := Tunes(); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if t, ok := tuneIndex[name]; ok {
		return t, nil
	}
	if t, ok := tuneIndex[hanzi.ToSimplified(name)]; ok {
		return t, nil
	}
	return nil, nil
}

// tuneInTitle finds a tune named at the start of a title such as
// 浣溪沙·一曲新词酒一杯 or 水调歌头 明月几时有.
func tuneInTitle(title string) *Tune {
	if title == "" {
		return nil
	}
	if _, err := Tunes(); err != nil {
		return nil
	}
	s := hanzi.ToSimplified(title)
	var best *Tune
	bestLen := 0
	for name, t := range tuneIndex {
		if strings.HasPrefix(s, name) && len(name) > bestLen {
			best, bestLen = t, len(name)
		}
	}
	return best
}

// tuneByShape finds the tune whose variant has exactly the poem's line
// lengths, for poems given without a title.
func tuneByShape(lines [][]rune) *Tune {
	ts, err := Tunes()
	if err != nil || len(lines) < 2 {
		return nil
	}
	for _, t := range ts {
		for _, v := range t.Variants {
			if len(v.Lines) != len(lines) {
				continue
			}
			same := true
			for i, l := range v.Lines {
				if len(l.Pattern) != len(lines[i]) {
					same = false
					break
				}
			}
			if same {
				return t
			}
		}
	}
	return nil
}

// checkCi checks a 词 against its tune: the character count picks the
// variant, each 平 or 仄 slot must hold a character of that tone, and each
// rhyme set must share one rhyme family (词林正韵 部 by default). 诗 rules such
// as 粘, 对 and 孤平 do not apply to 词.
func (c *Checker) checkCi(res *Result, t *Tune, lines [][]rune) {
	b := c.CiBook
	res.Form = "词:" + t.Name
	res.Book = b.Title
	var text []rune
	for _, l := range lines {
		text = append(text, l...)
	}
	var fits []*Variant
	var counts []string
	for _, v := range t.Variants {
		counts = append(counts, fmt.Sprint(v.Chars))
		if v.Chars == len(text) {
			fits = append(fits, v)
		}
	}
	if len(fits) == 0 {
		res.Lines = plainLines(b, lines)
		res.Problems = append(res.Problems, Problem{Rule: RuleForm, Level: LevelError,
			Message: fmt.Sprintf("%s has %s characters; this text has %d", t.Name, strings.Join(counts, " or "), len(text))})
		return
	}
	// 词 were rhymed by 词林正韵 or by the 诗韵 (平水韵); a poem that keeps
	// either is accepted, and the report names the book it keeps best.
	ciBooks := []*Book{b}
	if b.Name == "cilin" && c.Book != nil && c.Book.Name == "pingshui" {
		ciBooks = append(ciBooks, c.Book)
	}
	var best ciOutcome
	first := true
	for _, bk := range ciBooks {
		for _, v := range fits {
			o := checkVariant(bk, c.Usage, v, text)
			if first || o.cost < best.cost {
				best, first = o, false
				b = bk
			}
		}
	}
	res.Book = b.Title
	res.Variant = best.v.Name
	res.Lines = best.lines
	res.Problems = append(res.Problems, best.problems...)
	var segs [][]rune
	for _, l := range best.lines {
		segs = append(segs, []rune(l.Text))
	}
	res.Problems = append(res.Problems, unknownChars(b, segs)...)
	sortProblems(res.Problems)
}

type ciOutcome struct {
	v        *Variant
	lines    []LineReport
	problems []Problem
	cost     int
}

func checkVariant(b *Book, u *Usage, v *Variant, text []rune) ciOutcome {
	o := ciOutcome{v: v}
	// Rhyme sets: pick, for each letter, the family most of its lines share.
	type end struct {
		line int
		r    rune
		want Tone
	}
	sets := map[byte][]end{}
	pos := 0
	segs := make([][]rune, len(v.Lines))
	for i, l := range v.Lines {
		segs[i] = text[pos : pos+len(l.Pattern)]
		pos += len(l.Pattern)
		if l.Rhyme != 0 {
			sets[l.Rhyme] = append(sets[l.Rhyme], end{i, segs[i][len(segs[i])-1], l.Pattern[len(l.Pattern)-1]})
		}
	}
	family := map[byte]string{}
	letters := make([]byte, 0, len(sets))
	for k := range sets {
		letters = append(letters, k)
	}
	sort.Slice(letters, func(i, j int) bool { return letters[i] < letters[j] })
	for _, k := range letters {
		score := map[string]int{}
		for _, e := range sets[k] {
			for _, f := range b.Families(e.r, e.want) {
				score[f]++
			}
		}
		family[k] = MajorityFamily(score)
	}
	for i, l := range v.Lines {
		seg := segs[i]
		rep := LineReport{Text: string(seg), Tones: toneString(b, seg)}
		var exp, resolved strings.Builder
		for j, want := range l.Pattern {
			exp.WriteString(want.String())
			got := b.ToneOf(seg[j])
			switch {
			case got.allows(want):
				if want != Either && got == Either {
					got = want
					// A rare reading is worth a warning in 词, whose
					// tunes are sung less strictly than 律诗 are read.
					if rare, why := u.Rare(seg, j, want); rare {
						o.problems = append(o.problems, Problem{Line: i + 1, Col: j + 1, Rule: RuleRare, Level: LevelWarn,
							Message: fmt.Sprintf("「%c」is read %s here, a reading poets rarely give it (%s)", seg[j], want, why)})
					}
				}
			default:
				o.problems = append(o.problems, Problem{Line: i + 1, Col: j + 1, Rule: RuleTone, Level: LevelError,
					Message: fmt.Sprintf("「%c」is %s; the tune wants %s here", seg[j], got, want)})
				o.cost += 100
			}
			resolved.WriteString(got.String())
		}
		rep.Expected = exp.String()
		if l.Rhyme != 0 {
			last := seg[len(seg)-1]
			want := l.Pattern[len(l.Pattern)-1]
			f := family[l.Rhyme]
			if f != "" && b.Rhymes(last, f, want) {
				rep.Rhyme = familyLabel(b, last, f, want)
			} else {
				rep.Rhyme = familyLabel(b, last, "", want)
				where := "the rhyme of this set"
				if f != "" {
					where = f
				}
				o.problems = append(o.problems, Problem{Line: i + 1, Col: len(seg), Rule: RuleChuyun, Level: LevelError,
					Message: fmt.Sprintf("「%c」%s does not rhyme with %s", last, groupsOf(b, last, want), where)})
				o.cost += 100
			}
		}
		rep.Read = resolved.String()
		o.lines = append(o.lines, rep)
	}
	return o
}

func familyLabel(b *Book, r rune, family string, want Tone) string {
	for _, x := range b.Readings(r) {
		g := b.Groups[x.Group]
		if (family == "" || g.Family == family) && (want == Either || x.Tone == want) {
			return g.Label()
		}
	}
	return ""
}
