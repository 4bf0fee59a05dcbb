package film

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Cue is one subtitle: its text from Start to End seconds.
type Cue struct {
	Start, End float64
	Text       string
}

// Limits of a subtitle file.
const (
	maxCues    = 5000
	maxCueText = 400 // characters
)

// ParseSRT reads SubRip subtitles: numbered blocks, a "HH:MM:SS,mmm -->
// HH:MM:SS,mmm" line, the text (one or more lines), a blank line. A UTF-8
// byte-order mark and Windows line ends are accepted; anything else that
// is wrong is an error naming the line.
func ParseSRT(r io.Reader) ([]Cue, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 8192), 8192)
	var cues []Cue
	var cur *Cue
	var text []string
	line := 0
	flush := func() {
		if cur != nil {
			cur.Text = strings.Join(text, "\n")
			cues = append(cues, *cur)
		}
		cur, text = nil, nil
	}
	for sc.Scan() {
		line++
		s := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			s = strings.TrimPrefix(s, "\ufeff")
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("srt: line %d is not UTF-8; save the subtitles as UTF-8", line)
		}
		switch {
		case strings.TrimSpace(s) == "":
			flush()
		case cur == nil && strings.Contains(s, "-->"):
			a, b, _ := strings.Cut(s, "-->")
			start, err1 := srtTime(a)
			end, err2 := srtTime(strings.Fields(b + " x")[0])
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("srt: line %d: %q is not a time range like 00:00:01,000 --> 00:00:03,500", line, s)
			}
			if end <= start {
				return nil, fmt.Errorf("srt: line %d: the cue ends at or before it starts", line)
			}
			cur = &Cue{Start: start, End: end}
		case cur == nil:
			if _, err := strconv.Atoi(strings.TrimSpace(s)); err != nil {
				return nil, fmt.Errorf("srt: line %d: %q: a cue's number or its time range belongs here", line, s)
			}
		default:
			text = append(text, s)
			if n := utf8.RuneCountInString(strings.Join(text, "\n")); n > maxCueText {
				return nil, fmt.Errorf("srt: line %d: a cue of over %d characters", line, maxCueText)
			}
		}
		if len(cues) > maxCues {
			return nil, fmt.Errorf("srt: over %d cues", maxCues)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("srt: line %d: %v", line+1, err)
	}
	flush()
	if len(cues) == 0 {
		return nil, fmt.Errorf("srt: no subtitles in the file")
	}
	return cues, nil
}

// srtTime reads HH:MM:SS,mmm (or with a dot).
func srtTime(s string) (float64, error) {
	s = strings.TrimSpace(strings.Replace(s, ",", ".", 1))
	p := strings.Split(s, ":")
	if len(p) != 3 {
		return 0, fmt.Errorf("time %q", s)
	}
	h, err1 := strconv.Atoi(p[0])
	m, err2 := strconv.Atoi(p[1])
	sec, err3 := strconv.ParseFloat(p[2], 64)
	if err1 != nil || err2 != nil || err3 != nil || h < 0 || m < 0 || m > 59 || !(sec >= 0 && sec < 60) || h > 99 {
		return 0, fmt.Errorf("time %q", s)
	}
	return float64(h*3600+m*60) + sec, nil
}

// WriteSRT writes cues as SubRip.
func WriteSRT(w io.Writer, cues []Cue) error {
	var b bytes.Buffer
	for i, c := range cues {
		fmt.Fprintf(&b, "%d\n%s --> %s\n%s\n\n", i+1, srtStamp(c.Start), srtStamp(c.End), c.Text)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func srtStamp(t float64) string {
	ms := int64(t*1000 + 0.5)
	return fmt.Sprintf("%02d:%02d:%02d,%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// CuesOfText spreads a text over length seconds as subtitles: one cue a
// phrase (cut at the punctuation that ends a clause), each on screen for a
// time in proportion to its characters.
func CuesOfText(text string, length float64) []Cue {
	var phrases []string
	var cur []rune
	for _, r := range text {
		if strings.ContainsRune("，。！？；、,.!?;\n", r) {
			if s := strings.TrimSpace(string(cur)); s != "" {
				phrases = append(phrases, s)
			}
			cur = cur[:0]
			continue
		}
		if unicode.IsPrint(r) {
			cur = append(cur, r)
		}
	}
	if s := strings.TrimSpace(string(cur)); s != "" {
		phrases = append(phrases, s)
	}
	total := 0
	for _, p := range phrases {
		total += utf8.RuneCountInString(p) + 2
	}
	var out []Cue
	t := 0.5
	span := max(0, length-1)
	for _, p := range phrases {
		d := span * float64(utf8.RuneCountInString(p)+2) / float64(max(1, total))
		out = append(out, Cue{Start: t, End: t + d*0.92, Text: p})
		t += d
	}
	return out
}
