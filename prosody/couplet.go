package prosody

import (
	"fmt"
	"strings"
)

// FormCouplet is the form name of a 对联 in a Result.
const FormCouplet = "对联"

// CoupletTemplate returns the template of the 下联 that answers upper: the
// same length, the opposite tone at every rhythm position (the even
// characters and the last), and a 平 ending for a 仄 ending (仄起平收).
// Line 0 of the template is the 上联, all free, for the decoder to hold.
func CoupletTemplate(b *Book, upper []rune) (Template, error) {
	if len(upper) < 3 || len(upper) > 15 {
		return Template{}, fmt.Errorf("a 上联 of %d characters: give 3 to 15", len(upper))
	}
	last := upper[len(upper)-1]
	if p, z := b.CharTones(last); p && !z {
		return Template{}, fmt.Errorf("the 上联 ends in 「%c」, a 平 character; a 上联 ends in 仄 and its 下联 in 平 (仄起平收) — if this is the 下联, write the 上联 first", last)
	}
	up := make([]Slot, len(upper))
	down := make([]Slot, len(upper))
	for j, r := range upper {
		up[j] = Slot{Tone: Either}
		down[j] = Slot{Tone: Either}
		if j%2 == 1 || j == len(upper)-1 {
			p, z := b.CharTones(r)
			switch {
			case p && !z:
				down[j].Tone = Ze
			case z && !p:
				down[j].Tone = Ping
			}
		}
	}
	down[len(down)-1].Tone = Ping
	return Template{Form: FormCouplet, Variant: "仄起平收", Lines: [][]Slot{up, down}, RhymeTone: map[byte]Tone{}}, nil
}

// CheckCouplet checks a 上联 and 下联: equal length, the 上联 ending 仄 and
// the 下联 平, opposite tones at the rhythm positions (even characters and
// the last), and no character of one repeated in the other.
func CheckCouplet(b *Book, upper, lower string) Result {
	u, l := []rune(upper), []rune(lower)
	res := Result{Index: 1, Form: FormCouplet, Book: b.Title, Variant: "仄起平收"}
	res.Lines = plainLines(b, [][]rune{u, l})
	add := func(line, col int, rule, msg string) {
		res.Problems = append(res.Problems, Problem{Line: line, Col: col, Rule: rule, Level: LevelError, Message: msg})
	}
	if len(u) != len(l) {
		add(2, 0, RuleForm, fmt.Sprintf("the 下联 has %d characters; the 上联 has %d", len(l), len(u)))
	} else if len(u) > 0 {
		var exp strings.Builder
		for j := range u {
			pu, zu := b.CharTones(u[j])
			pl, zl := b.CharTones(l[j])
			want := "中"
			rhythm := j%2 == 1 || j == len(u)-1
			if rhythm && pu != zu {
				if pu {
					want = "仄"
				} else {
					want = "平"
				}
			}
			if j == len(u)-1 {
				want = "平"
				if !zu {
					add(1, j+1, RuleTone, fmt.Sprintf("the 上联 should end in 仄; 「%c」 is 平", u[j]))
				}
			}
			exp.WriteString(want)
			if (want == "平" && !pl) || (want == "仄" && !zl) {
				add(2, j+1, RuleTone, fmt.Sprintf("「%c」 should be %s, against 「%c」 in the 上联", l[j], want, u[j]))
			}
			if strings.ContainsRune(upper, l[j]) {
				res.Problems = append(res.Problems, Problem{Line: 2, Col: j + 1, Rule: RuleChongzi, Level: LevelWarn,
					Message: fmt.Sprintf("「%c」 appears in both lines", l[j])})
			}
		}
		res.Lines[1].Expected = exp.String()
	}
	res.Verdict = verdict(res.Problems)
	if res.Problems == nil {
		res.Problems = []Problem{}
	}
	return res
}
