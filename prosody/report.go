package prosody

// The checker's result as text for a terminal.

import (
	"fmt"
	"io"
	"strings"
)

// ANSI colours for the terminal report.
const (
	cReset  = "\x1b[0m"
	cRed    = "\x1b[31m"
	cGreen  = "\x1b[32m"
	cYellow = "\x1b[33m"
	cDim    = "\x1b[2m"
	cBold   = "\x1b[1m"
	cULine  = "\x1b[4m"
)

// WriteText writes the result as 'miaobi check' prints it: a head line
// (index, title, form, rhyme book and group, verdict), each line with its
// tones and its pattern, the rhyme marked, then every problem; with color,
// ANSI colours mark errors red, 拗 yellow and notes dim.
func (r Result) WriteText(w io.Writer, color bool) {
	paint := func(code, s string) string {
		if !color || code == "" {
			return s
		}
		return code + s + cReset
	}
	verdictColor := map[string]string{VerdictOK: cGreen, VerdictAo: cYellow, VerdictFail: cRed}[r.Verdict]
	head := fmt.Sprintf("#%d", r.Index)
	if r.Title != "" {
		head += " 《" + r.Title + "》"
	}
	form := r.Form
	if form == "" {
		form = "未知体裁"
	}
	parts := []string{form}
	if r.Variant != "" {
		parts = append(parts, r.Variant)
	}
	book := r.Book
	if r.RhymeGroup != "" {
		book += " " + r.RhymeGroup
	}
	parts = append(parts, book)
	fmt.Fprintf(w, "%s  %s  %s\n", paint(cBold, head), strings.Join(parts, " · "), paint(cBold+verdictColor, r.Verdict))

	// Mark each character by its worst finding.
	mark := map[[2]int]string{}
	for _, p := range r.Problems {
		k := [2]int{p.Line, p.Col}
		switch p.Level {
		case LevelError:
			mark[k] = cRed
		case LevelAo:
			if mark[k] != cRed {
				mark[k] = cYellow
			}
		}
	}
	width := 0
	for _, l := range r.Lines {
		if n := len([]rune(l.Text)); n > width {
			width = n
		}
	}
	for i, l := range r.Lines {
		var text strings.Builder
		rs := []rune(l.Text)
		for j, c := range rs {
			code := mark[[2]int{i + 1, j + 1}]
			if code == "" && mark[[2]int{i + 1, 0}] != "" {
				code = mark[[2]int{i + 1, 0}]
			}
			if l.Rhyme != "" && j == len(rs)-1 {
				code += cULine
			}
			text.WriteString(paint(code, string(c)))
		}
		pad := strings.Repeat("　", width-len(rs))
		rhyme := ""
		if l.Rhyme != "" {
			rhyme = "  韵 " + l.Rhyme
		}
		// Where the book lists both readings (中), show the one assumed.
		tones := l.Tones
		if l.Read != "" && strings.ContainsRune(l.Tones, '中') {
			tones = l.Read
		}
		fmt.Fprintf(w, "  %2d  %s%s  %s%s  %s%s\n", i+1, text.String(), pad, tones, pad, paint(cDim, "谱 "+l.Expected), rhyme)
	}
	for _, p := range r.Problems {
		code := map[string]string{LevelError: cRed, LevelAo: cYellow, LevelWarn: cDim, LevelNote: cDim}[p.Level]
		where := "    "
		switch {
		case p.Line > 0 && p.Col > 0:
			where = fmt.Sprintf("%d:%d", p.Line, p.Col)
		case p.Line > 0:
			where = fmt.Sprintf("%d", p.Line)
		}
		fmt.Fprintf(w, "  %-5s %s %s\n", where, paint(code, "["+p.Rule+"]"), p.Message)
	}
	fmt.Fprintln(w)
}

// WriteTunes lists the 词牌 the checker knows, one a line: the name, its
// other names, and its variants with their lengths.
func WriteTunes(w io.Writer) error {
	ts, err := Tunes()
	if err != nil {
		return err
	}
	for _, t := range ts {
		var vs []string
		for _, v := range t.Variants {
			vs = append(vs, fmt.Sprintf("%s %d字", v.Name, v.Chars))
		}
		alias := ""
		if len(t.Aliases) > 0 {
			alias = " (" + strings.Join(t.Aliases, " ") + ")"
		}
		fmt.Fprintf(w, "%s%s: %s\n", t.Name, alias, strings.Join(vs, "; "))
	}
	return nil
}
