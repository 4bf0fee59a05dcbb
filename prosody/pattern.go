package prosody

import (
	"fmt"
	"strings"
)

// Slot is what one character position of a form requires: a tone (Either
// where the form leaves it free) and, at a rhyme position, the letter of
// the rhyme set the character must belong to.
type Slot struct {
	Tone  Tone
	Rhyme byte // 0, or 'A'.. for the rhyme set
}

// Template is one complete way (格) to fill a form: the slots of every line.
// A poem whose characters take the required tones, whose rhyme sets each
// keep one rhyme family, and which repeats no character, is 合律 for the
// form — generators fill templates and the checker confirms.
type Template struct {
	Form    string // canonical form name, e.g. 七绝 or 词:浣溪沙
	Variant string // 平起首句入韵 …, or the 词 variant name
	Lines   [][]Slot
	// RhymeTone gives, per rhyme-set letter, the tone its characters take.
	RhymeTone map[byte]Tone
	// Ci marks 词 templates, whose rhymes are read in CiBook.
	Ci bool
}

// Chars is the number of characters the template holds.
func (t *Template) Chars() int {
	n := 0
	for _, l := range t.Lines {
		n += len(l)
	}
	return n
}

// Templates returns every template of a form (see NormalizeForm): four for
// regulated verse (平起 or 仄起, first line rhyming or not), one per
// variant for a 词 tune.
func Templates(form string) ([]Template, error) {
	f, err := NormalizeForm(form)
	if err != nil {
		return nil, err
	}
	if f == "" {
		return nil, fmt.Errorf("no form given: use one of %s, or 词:TUNE", strings.Join(FormNames, ", "))
	}
	if tune, ok := strings.CutPrefix(f, "词:"); ok {
		t, err := LookupTune(tune)
		if err != nil || t == nil {
			return nil, fmt.Errorf("unknown tune %q (%v)", tune, err)
		}
		var out []Template
		for _, v := range t.Variants {
			tp := Template{Form: f, Variant: v.Name, Ci: true, RhymeTone: map[byte]Tone{}}
			for _, l := range v.Lines {
				row := make([]Slot, len(l.Pattern))
				for j, x := range l.Pattern {
					row[j] = Slot{Tone: x}
				}
				if l.Rhyme != 0 && len(row) > 0 {
					row[len(row)-1].Rhyme = l.Rhyme
					if x := l.Pattern[len(l.Pattern)-1]; x != Either {
						tp.RhymeTone[l.Rhyme] = x
					}
				}
				tp.Lines = append(tp.Lines, row)
			}
			for _, l := range v.Lines { // a set marked only 中 rhymes in 平
				if _, ok := tp.RhymeTone[l.Rhyme]; l.Rhyme != 0 && !ok {
					tp.RhymeTone[l.Rhyme] = Ping
				}
			}
			out = append(out, tp)
		}
		return out, nil
	}
	lines, chars := 0, 0
	for _, s := range shiForms {
		if s.name == f {
			lines, chars = s.lines, s.chars
		}
	}
	if lines == 0 {
		return nil, fmt.Errorf("%s: generation supports 五绝, 七绝, 五律, 七律 and 词", f)
	}
	var out []Template
	for _, qiPing := range []bool{true, false} {
		for _, firstRhymes := range []bool{true, false} {
			out = append(out, shiTemplate(f, lines, chars, qiPing, firstRhymes))
		}
	}
	return out, nil
}

// shiTemplate lays out one regulated-verse template. qiPing names the
// variant as the checker does (平起: the first line's second character is
// 平); the core pivot of a seven-character line is opposite that.
func shiTemplate(form string, lines, chars int, qiPing, firstRhymes bool) Template {
	p0 := Ze
	if qiPing {
		p0 = Ping
	}
	if chars == 7 {
		p0 = opposite(p0)
	}
	qi := "仄起"
	if qiPing {
		qi = "平起"
	}
	name := qi + "首句不入韵"
	if firstRhymes {
		name = qi + "首句入韵"
	}
	t := Template{Form: form, Variant: name, RhymeTone: map[byte]Tone{'A': Ping}}
	for i := 0; i < lines; i++ {
		pivot := p0
		if ((i+1)/2)%2 == 1 {
			pivot = opposite(p0)
		}
		end := endTone(i, firstRhymes)
		var row []Slot
		if chars == 7 {
			row = append(row, Slot{Tone: Either}, Slot{Tone: opposite(pivot)})
		}
		for _, r := range coreExpected[typeFor(pivot, end)] {
			s := Slot{Tone: Either}
			switch r {
			case '平':
				s.Tone = Ping
			case '仄':
				s.Tone = Ze
			}
			row = append(row, s)
		}
		if end == Ping {
			row[len(row)-1].Rhyme = 'A'
		}
		t.Lines = append(t.Lines, row)
	}
	return t
}

// CharTones reports which tones a character can take in the book: ping and
// ze; a character the book does not know can take neither.
func (b *Book) CharTones(r rune) (ping, ze bool) {
	for _, x := range b.Readings(r) {
		switch x.Tone {
		case Ping:
			ping = true
		case Ze:
			ze = true
		case Either:
			ping, ze = true, true
		}
	}
	return
}
