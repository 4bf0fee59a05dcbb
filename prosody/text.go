package prosody

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"miaobi/hanzi"
)

// Limits on one poem, so that hostile input cannot exhaust memory.
const (
	MaxLineBytes = 64 << 10 // one physical line of input
	MaxPoemLines = 400      // physical lines in one poem
	MaxPoemChars = 4000     // Chinese characters in one poem
)

// Poem is one poem as read from text: an optional title and its verse lines
// (句), each holding only Chinese characters.
type Poem struct {
	Index int // 1-based position in the input
	Title string
	Lines []string
	// Notes are problems found while reading, such as Latin letters inside a
	// line; the checker reports them with its own findings.
	Notes []Problem
	// Err is set when the text cannot be checked at all: no Chinese
	// characters, invalid UTF-8, or a poem over the size limits.
	Err error
}

// ErrNoPoem is returned by ParsePoem for input without any poem.
var ErrNoPoem = errors.New("no poem found in the input")

// Scanner reads poems one at a time from a stream. Poems are separated by
// one or more blank lines, so arbitrarily large inputs run in constant memory.
type Scanner struct {
	r     *bufio.Reader
	index int
	err   error
	done  bool
}

// NewScanner returns a Scanner reading from r.
func NewScanner(r io.Reader) *Scanner {
	return &Scanner{r: bufio.NewReaderSize(r, MaxLineBytes)}
}

// Err returns the first read error other than io.EOF.
func (s *Scanner) Err() error { return s.err }

// Next returns the next poem, or nil at the end of input.
func (s *Scanner) Next() *Poem {
	if s.done {
		return nil
	}
	var block []string
	var blockErr error
	lines := 0
	for {
		line, tooLong, err := s.readLine()
		if err != nil {
			s.done = true
			if err != io.EOF {
				s.err = err
			}
			break
		}
		if strings.TrimSpace(line) == "" && !tooLong {
			if len(block) > 0 || blockErr != nil {
				break
			}
			continue
		}
		lines++
		switch {
		case blockErr != nil:
		case tooLong:
			blockErr = fmt.Errorf("line %d is longer than %d KiB; put each verse line on its own line", lines, MaxLineBytes>>10)
		case lines > MaxPoemLines:
			blockErr = fmt.Errorf("poem has more than %d lines; separate poems with a blank line", MaxPoemLines)
		default:
			block = append(block, line)
		}
	}
	if len(block) == 0 && blockErr == nil {
		return nil
	}
	s.index++
	if blockErr != nil {
		return &Poem{Index: s.index, Err: blockErr}
	}
	p := parseBlock(block)
	p.Index = s.index
	return p
}

// readLine returns one physical line without its line ending. A line longer
// than the buffer is consumed to its end and reported as tooLong.
func (s *Scanner) readLine() (line string, tooLong bool, err error) {
	b, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		for err == bufio.ErrBufferFull {
			_, err = s.r.ReadSlice('\n')
		}
		if err == io.EOF {
			err = nil
		}
		return "", true, err
	}
	if err == io.EOF && len(b) > 0 {
		err = nil
	}
	if err != nil {
		return "", false, err
	}
	b = bytes.TrimRight(b, "\r\n")
	return string(b), false, nil
}

// ParsePoem reads a single poem from text (extra poems after a blank line
// are ignored); it returns ErrNoPoem for empty input.
func ParsePoem(text string) (*Poem, error) {
	p := NewScanner(strings.NewReader(text)).Next()
	if p == nil {
		return nil, ErrNoPoem
	}
	if p.Err != nil {
		return nil, p.Err
	}
	return p, nil
}

// parseBlock turns the physical lines of one poem into a title and verse
// lines, splitting at sentence punctuation and line ends.
func parseBlock(block []string) *Poem {
	p := &Poem{}
	for i, l := range block {
		if !utf8.ValidString(l) {
			p.Err = fmt.Errorf("line %d is not valid UTF-8; save the text as UTF-8 and try again", i+1)
			return p
		}
	}
	body := block
	if t, ok := titleLine(block); ok {
		p.Title = t
		body = block[1:]
	}
	chars := 0
	for _, l := range body {
		var cur []rune
		flush := func() {
			if len(cur) > 0 {
				p.Lines = append(p.Lines, string(cur))
				cur = cur[:0]
			}
		}
		for _, r := range l {
			switch {
			case hanzi.IsHan(r):
				cur = append(cur, r)
				chars++
			case hanzi.IsSentencePunct(r):
				flush()
			case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) && r != '□' || unicode.Is(unicode.Mn, r) || r == '\ufeff':
				// Quotes, brackets, dashes, spaces: layout, not verse.
			default:
				p.Notes = append(p.Notes, Problem{
					Line: len(p.Lines) + 1, Col: len(cur) + 1, Rule: RuleNonHan, Level: LevelError,
					Message: fmt.Sprintf("%q is not a Chinese character; it was left out of the check", r),
				})
			}
		}
		flush()
		if chars > MaxPoemChars {
			p.Err = fmt.Errorf("poem has more than %d Chinese characters; separate poems with a blank line", MaxPoemChars)
			return p
		}
	}
	if len(p.Lines) == 0 {
		p.Err = errors.New("no Chinese characters found; give a poem in Chinese (simplified or traditional)")
	}
	return p
}

// titleLine reports whether the first physical line of a block is a title:
// it is wrapped in 《》, or it has no sentence punctuation while the lines
// after it do.
func titleLine(block []string) (string, bool) {
	first := strings.TrimSpace(block[0])
	if strings.HasPrefix(first, "《") {
		if end := strings.Index(first, "》"); end > 0 {
			return strings.TrimSpace(first[len("《"):end]), true
		}
	}
	if len(block) < 2 || hasSentencePunct(first) {
		return "", false
	}
	for _, l := range block[1:] {
		if hasSentencePunct(l) {
			return strings.Trim(first, " \t《》"), true
		}
	}
	return "", false
}

func hasSentencePunct(s string) bool {
	for _, r := range s {
		if hanzi.IsSentencePunct(r) {
			return true
		}
	}
	return false
}
