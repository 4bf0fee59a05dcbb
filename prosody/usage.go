package prosody

// Readings as poets use them. The rhyme book lists every reading a
// character has ever had: 鄉 has a 去声 reading (向) beside its 平 one, 花
// sits in 四纸 as well as 六麻. A checker that accepts any listed reading
// blesses lines that every reader hears as 出律, and a generator that trusts
// it leans on such readings. Usage weighs each reading of the characters the
// book lists both ways (中) by how often poets use it, counted from the
// corpus (see data/readings.txt and `miaobi train readings`):
//
//   - in regulated poems that are otherwise 合律, the tone the form demands
//     at a strict place (characters 2, 4, 6 and the line's end) where the
//     character stands;
//   - the corpus's own 平仄 annotations, where they give one tone (not ○);
//   - words: for a character inside a two-character word (相思, 思量, 重陽)
//     whose uses by metre all fall one way, the word decides the reading.
//
// A reading used in under RareShare of a character's counted uses is rare.
// True 两读 characters (看, 望, 思, 听, 忘, 过 …) have both readings above
// that share and stay 中 where no word decides.

import (
	"bufio"
	_ "embed"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"miaobi/hanzi"
)

//go:embed data/readings.txt
var readingsData []byte

// RareShare is the share of a character's uses under which a reading is
// rare; MinUses is how many counted uses a character needs before any of
// its readings is called rare.
const (
	RareShare = 0.05
	MinUses   = 30
	// minWordUses is how many uses a word needs, and wordShare how one-sided
	// they must be, for the word to decide its character's reading.
	minWordUses = 12
	wordShare   = 0.95
)

// Source names where a count of uses comes from.
type Source int

const (
	// Metre counts the tone the form demands where the character stands at
	// a strict place of an otherwise 合律 poem.
	Metre Source = iota
	// Annotation counts the corpus's one-tone 平仄 annotations.
	Annotation
)

// Usage holds the counted uses of the readings of 多音字. The two sources
// are kept apart: the annotations were made by a program whose dictionary
// lacks some readings (it reads 望 always 仄), while the metre count sees
// only strict places. A reading is rare when every source with enough
// evidence finds it rare.
type Usage struct {
	chars map[rune][2][2]uint32 // [source][平, 仄] uses
	words map[wordKey][2]uint32 // 平 and 仄 uses of the character at pos
}

type wordKey struct {
	a, b rune
	pos  uint8 // 0: the word's first character, 1: its second
}

// NewUsage returns an empty Usage to fill with Add and AddWord.
func NewUsage() *Usage {
	return &Usage{chars: map[rune][2][2]uint32{}, words: map[wordKey][2]uint32{}}
}

// Add counts n uses of r read in tone t (Ping or Ze) by source src.
func (u *Usage) Add(r rune, src Source, t Tone, n uint32) {
	c := u.chars[r]
	c[src][toneIndex(t)] += n
	u.chars[r] = c
}

// AddWord counts n uses of the character at pos (0 or 1) of the word a+b
// read in tone t.
func (u *Usage) AddWord(a, b rune, pos int, t Tone, n uint32) {
	k := wordKey{a, b, uint8(pos)}
	c := u.words[k]
	c[toneIndex(t)] += n
	u.words[k] = c
}

func toneIndex(t Tone) int {
	if t == Ze {
		return 1
	}
	return 0
}

// Counts returns the 平 and 仄 uses of r counted by source src. The counts
// are kept by the character as the corpus writes it (mostly traditional);
// a character not found as written is looked up through its other forms —
// a simplified one through every traditional form it stands for, summed.
func (u *Usage) Counts(r rune, src Source) (ping, ze uint32) {
	if u == nil {
		return 0, 0
	}
	if c, ok := u.chars[r]; ok {
		return c[src][0], c[src][1]
	}
	for _, conv := range []*hanzi.Converter{hanzi.T2S(), hanzi.S2T()} {
		found := false
		for _, x := range conv.Candidates(r) {
			if c, ok := u.chars[x]; ok {
				ping += c[src][0]
				ze += c[src][1]
				found = true
			}
		}
		if found {
			return ping, ze
		}
	}
	return 0, 0
}

// Share is the share of r's uses counted by src that read it in tone t,
// and how many uses were counted.
func (u *Usage) Share(r rune, src Source, t Tone) (float64, uint32) {
	p, z := u.Counts(r, src)
	n := p + z
	if n == 0 {
		return 1, 0
	}
	if t == Ze {
		return float64(z) / float64(n), n
	}
	return float64(p) / float64(n), n
}

// rareBy reports whether every source with at least MinUses uses finds
// tone t in under RareShare of them (false when none has enough), with the
// figures of the source that has the most uses.
func (u *Usage) rareBy(r rune, t Tone) (rare bool, share float64, n uint32) {
	for _, src := range []Source{Metre, Annotation} {
		s, m := u.Share(r, src, t)
		if m < MinUses {
			continue
		}
		return s < RareShare, s, m
	}
	return false, 1, 0
}

// word returns the uses of the character at pos of the word a+b, trying
// the other written forms of both characters.
func (u *Usage) word(a, b rune, pos int) ([2]uint32, bool) {
	if c, ok := u.words[wordKey{a, b, uint8(pos)}]; ok {
		return c, true
	}
	for _, x := range [3][]rune{{a}, hanzi.T2S().Candidates(a), hanzi.S2T().Candidates(a)} {
		for _, xa := range x {
			for _, y := range [3][]rune{{b}, hanzi.T2S().Candidates(b), hanzi.S2T().Candidates(b)} {
				for _, yb := range y {
					if c, ok := u.words[wordKey{xa, yb, uint8(pos)}]; ok {
						return c, true
					}
				}
			}
		}
	}
	return [2]uint32{}, false
}

// WordReading returns the reading that a word around line[k] decides for
// it, and the word; ok is false when no word decides.
func (u *Usage) WordReading(line []rune, k int) (t Tone, word string, ok bool) {
	if u == nil || k < 0 || k >= len(line) {
		return Unknown, "", false
	}
	bestN := uint32(0)
	try := func(a, b rune, pos int) {
		c, found := u.word(a, b, pos)
		n := c[0] + c[1]
		if !found || n < minWordUses || n <= bestN {
			return
		}
		switch {
		case float64(c[0]) >= wordShare*float64(n):
			t, word, ok, bestN = Ping, string([]rune{a, b}), true, n
		case float64(c[1]) >= wordShare*float64(n):
			t, word, ok, bestN = Ze, string([]rune{a, b}), true, n
		}
	}
	if k > 0 {
		try(line[k-1], line[k], 1)
	}
	if k+1 < len(line) {
		try(line[k], line[k+1], 0)
	}
	return t, word, ok
}

// Decision is a word that decides the reading of one of its characters.
type Decision struct {
	Word [2]rune
	Pos  int  // which character's reading it decides
	Tone Tone // the reading
}

// Decisions lists every word that decides a reading.
func (u *Usage) Decisions() []Decision {
	var out []Decision
	for k, c := range u.words {
		n := c[0] + c[1]
		if n < minWordUses {
			continue
		}
		d := Decision{Word: [2]rune{k.a, k.b}, Pos: int(k.pos)}
		switch {
		case float64(c[0]) >= wordShare*float64(n):
			d.Tone = Ping
		case float64(c[1]) >= wordShare*float64(n):
			d.Tone = Ze
		default:
			continue
		}
		out = append(out, d)
	}
	return out
}

// Rare reports whether reading line[k] in tone t is a reading poets rarely
// use there: against the reading a word decides, or, with no word, used in
// under RareShare of the character's counted uses. why says which.
func (u *Usage) Rare(line []rune, k int, t Tone) (rare bool, why string) {
	if u == nil || (t != Ping && t != Ze) || k < 0 || k >= len(line) {
		return false, ""
	}
	r := line[k]
	if wt, w, ok := u.WordReading(line, k); ok {
		if wt != t {
			return true, fmt.Sprintf("in 「%s」 poets read「%c」as %s", w, r, wt)
		}
		return false, ""
	}
	if rare, share, n := u.rareBy(r, t); rare {
		return true, fmt.Sprintf("poets read「%c」as %s in %.1f %% of %d counted uses", r, t, 100*share, n)
	}
	return false, ""
}

// Preferred is the reading of line[k] a reader assumes before the form
// says anything: the one a word decides, else the only one that is not
// rare; Either for a true 两读 character (看, 望, 思 …) that no word
// decides, and for characters with too few counted uses.
func (u *Usage) Preferred(line []rune, k int) Tone {
	if u == nil || k < 0 || k >= len(line) {
		return Either
	}
	if t, _, ok := u.WordReading(line, k); ok {
		return t
	}
	pingRare, _, _ := u.rareBy(line[k], Ping)
	zeRare, _, _ := u.rareBy(line[k], Ze)
	switch {
	case pingRare && !zeRare:
		return Ze
	case zeRare && !pingRare:
		return Ping
	}
	return Either
}

// Common reports whether t is a reading of r that poets commonly use, with
// no word context: the generator writes a 多音字 at a strict place only in
// such a reading.
func (u *Usage) Common(r rune, t Tone) bool {
	rare, _, _ := u.rareBy(r, t)
	return !rare
}

// CharUses is one character's counted uses, per source.
type CharUses struct {
	Char rune
	Uses [2][2]uint32 // [Metre, Annotation][平, 仄]
}

// WordUses is the counted uses of the character at Pos of a word.
type WordUses struct {
	Word     [2]rune
	Pos      int
	Ping, Ze uint32
}

// Chars lists every character's uses.
func (u *Usage) Chars() []CharUses {
	out := make([]CharUses, 0, len(u.chars))
	for r, c := range u.chars {
		out = append(out, CharUses{r, c})
	}
	return out
}

// Words lists every word's uses.
func (u *Usage) Words() []WordUses {
	out := make([]WordUses, 0, len(u.words))
	for k, c := range u.words {
		out = append(out, WordUses{[2]rune{k.a, k.b}, int(k.pos), c[0], c[1]})
	}
	return out
}

// Len is the number of characters and words with counted uses.
func (u *Usage) Len() (chars, words int) { return len(u.chars), len(u.words) }

var (
	usageOnce sync.Once
	usage     *Usage
	usageErr  error
)

// DefaultUsage returns the embedded counts (data/readings.txt).
func DefaultUsage() (*Usage, error) {
	usageOnce.Do(func() { usage, usageErr = ParseUsage(readingsData) })
	return usage, usageErr
}

// ParseUsage reads the readings file: lines "c CHAR PING ZE PING ZE" (by
// metre, then by annotation) and "w WORD POS PING ZE", tab-separated; #
// starts a comment.
func ParseUsage(data []byte) (*Usage, error) {
	u := NewUsage()
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		var counts []uint32
		for _, s := range f[min(len(f), 2):] {
			v, err := strconv.ParseUint(s, 10, 32)
			if err != nil {
				return nil, fmt.Errorf("prosody: readings line %d: count %q: %w", n+1, s, err)
			}
			counts = append(counts, uint32(v))
		}
		switch w := []rune(f[min(1, len(f)-1)]); {
		case len(f) == 6 && f[0] == "c" && len(w) == 1:
			u.chars[w[0]] = [2][2]uint32{{counts[0], counts[1]}, {counts[2], counts[3]}}
		case len(f) == 5 && f[0] == "w" && len(w) == 2 && (f[2] == "0" || f[2] == "1") && counts[0] <= 1:
			u.words[wordKey{w[0], w[1], uint8(counts[0])}] = [2]uint32{counts[1], counts[2]}
		default:
			return nil, fmt.Errorf("prosody: readings line %d: want 'c CHAR PING ZE PING ZE' or 'w WORD POS PING ZE'", n+1)
		}
	}
	return u, nil
}

// WriteTo writes u in the format ParseUsage reads, characters and words in
// code-point order so that a rebuild from the same corpus is byte-identical.
func (u *Usage) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	for _, r := range slices.Sorted(maps.Keys(u.chars)) {
		c := u.chars[r]
		fmt.Fprintf(bw, "c\t%c\t%d\t%d\t%d\t%d\n", r, c[0][0], c[0][1], c[1][0], c[1][1])
	}
	words := make([]wordKey, 0, len(u.words))
	for k := range u.words {
		words = append(words, k)
	}
	slices.SortFunc(words, func(x, y wordKey) int {
		if x.a != y.a {
			return int(x.a - y.a)
		}
		if x.b != y.b {
			return int(x.b - y.b)
		}
		return int(x.pos) - int(y.pos)
	})
	for _, k := range words {
		c := u.words[k]
		fmt.Fprintf(bw, "w\t%c%c\t%d\t%d\t%d\n", k.a, k.b, k.pos, c[0], c[1])
	}
	return 0, bw.Flush()
}
