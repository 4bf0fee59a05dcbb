package poem

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"miaobi/hanzi"
)

//go:embed data/lexicon.txt
var lexiconText string

// Lexicon maps keywords, modern or classical, to classical images (words of
// one or two characters used in Tang and Song verse), best first.
type Lexicon struct {
	entries    map[string][]string
	singleOnce sync.Once
	single     map[rune]bool
}

// ParseLexicon reads "keyword<TAB>image image …" lines; '#' starts a comment.
func ParseLexicon(text string) (*Lexicon, error) {
	lx := &Lexicon{entries: map[string][]string{}}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "\t")
		imgs := strings.Fields(v)
		if !ok || k == "" || len(imgs) == 0 || !utf8.ValidString(line) {
			return nil, fmt.Errorf("poem: lexicon line %d: want KEYWORD<TAB>IMAGE IMAGE…", i+1)
		}
		lx.entries[strings.TrimSpace(k)] = imgs
	}
	return lx, nil
}

// DefaultLexicon is the lexicon shipped in poem/data/lexicon.txt.
var DefaultLexicon = sync.OnceValues(func() (*Lexicon, error) { return ParseLexicon(lexiconText) })

// Images returns the images listed for a keyword (simplified or
// traditional), or nil.
func (lx *Lexicon) Images(keyword string) []string {
	if v, ok := lx.entries[keyword]; ok {
		return v
	}
	return lx.entries[hanzi.ToSimplified(keyword)]
}

// Imageable reports whether a single character is a keyword of the
// lexicon or one of its single-character images: a thing or a feeling a
// poem can show, rather than a name or a function word.
func (lx *Lexicon) Imageable(r rune) bool {
	lx.singleOnce.Do(func() {
		lx.single = map[rune]bool{}
		for k, imgs := range lx.entries {
			if rs := []rune(k); len(rs) == 1 {
				lx.single[rs[0]] = true
			}
			for _, img := range imgs {
				if rs := []rune(img); len(rs) == 1 {
					lx.single[rs[0]] = true
				}
			}
		}
	})
	return lx.single[r]
}

// Len is the number of keywords.
func (lx *Lexicon) Len() int { return len(lx.entries) }

// Keywords lists the lexicon's keywords in sorted order.
func (lx *Lexicon) Keywords() []string {
	out := make([]string, 0, len(lx.entries))
	for k := range lx.entries {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
