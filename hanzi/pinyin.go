package hanzi

// Pinyin: how each character of a text is read in Mandarin, in context.
//
// The readings come from two MIT-licensed npm packages, extracted by
// scripts/pinyin-data.sh into data/pinyin-*.txt.gz: pinyin-pro 3.29.4
// (every character's readings, the commonest first, and about 4 000
// common words with their neutral tones: 头发 tou2 fa5) and, where it
// has nothing, hotoo/pinyin 4.0.0 (whose data is mozillazg's pinyin-data
// and phrase-pinyin-data: 41 000 phrases, 银行 yin2 hang2, 重庆 chong2
// qing4), overruled where @pinyin-pro/data 1.3.1 (ISC; pinyin-pro's
// 349 000-word dictionary) reads a word otherwise — 21 000 words kept,
// 理发 li3 fa4, 曾祖父 zeng1 zu3 fu4, 千乘之国 qian1 sheng4 zhi1 guo2.
// Miaobi's own list, data/pinyin-miaobi.txt, overrules them all: common
// words with a neutral last syllable, which the npm data keeps only where
// a word has a 多音字 (告诉 gao4 su5), names (会稽 kuai4 ji1, 解缙 xie4
// jin4) and words of classical verse (不胜 bu4 sheng1, verse only).
//
// A run of Han characters is cut into phrases by dynamic programming —
// the cut that covers the most characters with phrases of two or more,
// then the fewest pieces, then, in prose, the one whose words are commonest
// in modern text (cppjieba's counts: 他/处理/问题, not 他处/理/问题), then
// the one whose words start earliest (verse: 可怜/白发/生, not 白/发生,
// where modern counts would choose 发生) — and each character takes its
// phrase's reading, or its own first one. Traditional characters are looked up through
// their simplified forms. A few polyphones that no word decides are read
// by their neighbours (see alone: 一只 zhi1 but 只在 zhi3, 万卷 juan4 but
// 卷起 juan3, 认真地 de5), and verse has conventions of its own (see
// ReadVerse).
//
// Tone sandhi, as it is spoken: 一 reads yi2 before a fourth tone and yi4
// before the others, but yi1 at the end, in numbers and ordinals (十一,
// 第一, 一二三); 不 reads bu2 before a fourth tone; in a run of third
// tones, all but the last read second (你好 ni2 hao3).

import (
	"bufio"
	"compress/gzip"
	"embed"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

//go:embed data/pinyin-chars.txt.gz data/pinyin-phrases.txt.gz data/pinyin-words.txt.gz data/pinyin-pro.txt.gz data/pinyin-miaobi.txt data/word-freq.txt.gz
var pinyinFS embed.FS

// Syllable is one character's reading.
type Syllable struct {
	Char   rune
	Pinyin string // letters without the tone, ü as v: "hang", "lv"; "" for a character that is not Han or has no reading
	Tone   int    // citation tone 1–4, 5 neutral; 0 when Pinyin is ""
	Spoken int    // the tone after sandhi

	word   bool // read as part of a dictionary word, not on its own
	simple rune // the character's simplified form, which the rules read
}

// Numbered is the reading with its citation tone as a number: "hang2".
func (s Syllable) Numbered() string {
	if s.Pinyin == "" {
		return string(s.Char)
	}
	return s.Pinyin + string(rune('0'+s.Tone))
}

// Marked is the reading with the tone mark of tone t (the citation tone or
// the spoken one) on the right vowel: "háng", "lǜ".
func (s Syllable) Marked(t int) string {
	if s.Pinyin == "" {
		return string(s.Char)
	}
	return markTone(s.Pinyin, t)
}

// pinyinTables are the readings, loaded once.
type pinyinTables struct {
	once    sync.Once
	chars   map[rune][]string // numbered readings, commonest first
	phrases map[string][]string
	verse   map[string][]string // words read otherwise in verse (不胜 bu4 sheng1)
	maxLen  int
	err     error

	// freq is how often a phrase occurs in modern text (jieba's counts),
	// loaded apart on the first prose read: verse does not use it.
	freqOnce sync.Once
	freq     map[string]uint32
	freqErr  error
}

var pinyinData pinyinTables

func loadPinyin() error {
	d := &pinyinData
	d.once.Do(func() {
		d.chars = map[rune][]string{}
		d.phrases = map[string][]string{}
		d.err = readGz("data/pinyin-chars.txt.gz", func(k, v string) {
			r := []rune(k)
			if len(r) != 1 {
				return
			}
			for _, p := range strings.Split(v, ",") {
				if n := numbered(p); n != "" {
					d.chars[r[0]] = append(d.chars[r[0]], n)
				}
			}
		})
		if d.err != nil {
			return
		}
		// hotoo's phrases, then the words of pinyin-pro's large dictionary
		// that read otherwise (and overrule them: 理发 li3 fa4, not fa1).
		phrase := func(k, v string) {
			syl := strings.Fields(v)
			if len([]rune(k)) != len(syl) {
				return
			}
			for i, p := range syl {
				if syl[i] = numbered(p); syl[i] == "" {
					return
				}
			}
			d.phrases[k] = syl
			d.maxLen = max(d.maxLen, len(syl))
		}
		for _, name := range []string{"data/pinyin-phrases.txt.gz", "data/pinyin-words.txt.gz"} {
			if d.err = readGz(name, phrase); d.err != nil {
				return
			}
		}
		// pinyin-pro's data, where it has a word or a character, comes
		// first: its characters' first readings are the commonest, and its
		// 4 000 common words carry their neutral tones (头发 tou2 fa5).
		d.err = readGz("data/pinyin-pro.txt.gz", func(kind, rest string) {
			k, v, ok := strings.Cut(rest, "\t")
			if !ok {
				return
			}
			var syl []string
			for _, p := range strings.Fields(v) {
				if n := numbered(p); n != "" {
					syl = append(syl, n)
				}
			}
			switch {
			case kind == "C" && len([]rune(k)) == 1 && len(syl) > 0:
				r := []rune(k)[0]
				rest := d.chars[r]
				d.chars[r] = syl
				for _, x := range rest {
					if !slices.Contains(syl, x) {
						d.chars[r] = append(d.chars[r], x)
					}
				}
			case kind == "P" && len([]rune(k)) == len(syl):
				d.phrases[k] = syl
				d.maxLen = max(d.maxLen, len(syl))
			}
		})
		if d.err != nil {
			return
		}
		d.err = readMiaobi(d)
	})
	return d.err
}

// loadFreq reads the phrases' counts in modern text, which prose's cut
// into words needs.
func loadFreq() error {
	d := &pinyinData
	d.freqOnce.Do(func() {
		d.freq = map[string]uint32{}
		d.freqErr = readGz("data/word-freq.txt.gz", func(k, v string) {
			if n, err := strconv.ParseUint(v, 10, 32); err == nil {
				d.freq[k] = uint32(n)
			}
		})
	})
	return d.freqErr
}

// readMiaobi reads data/pinyin-miaobi.txt, Miaobi's own list, which
// overrules the npm data: common words with a neutral last syllable (告诉
// gao4 su5), names with readings of their own (会稽 kuai4 ji1) and words
// of classical verse (不胜 bu4 sheng1, for verse only).
func readMiaobi(d *pinyinTables) error {
	b, err := pinyinFS.ReadFile("data/pinyin-miaobi.txt")
	if err != nil {
		return err
	}
	d.verse = map[string][]string{}
	for n, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || len([]rune(f[0])) != len(strings.Fields(f[1])) {
			return fmt.Errorf("hanzi: data/pinyin-miaobi.txt:%d: want word, one syllable a character, and all or verse: %q", n+1, line)
		}
		syl := strings.Fields(f[1])
		// Looked up as readRun looks: by the simplified form (金日磾's
		// 磾 is 䃅).
		w := ToSimplified(f[0])
		if len([]rune(w)) != len(syl) {
			w = f[0]
		}
		switch f[2] {
		case "all":
			// Verse reads a word this list makes neutral with the full
			// tones the dictionaries gave it (难为 nan2 wei2, not wei4).
			if old, ok := d.phrases[w]; ok && len(old) == len(syl) && slices.ContainsFunc(syl, func(p string) bool { return strings.HasSuffix(p, "5") }) {
				d.verse[w] = old
			}
			d.phrases[w] = syl
		case "verse":
			d.verse[w] = syl
		default:
			return fmt.Errorf("hanzi: data/pinyin-miaobi.txt:%d: %q is neither all nor verse", n+1, f[2])
		}
		d.maxLen = max(d.maxLen, len(syl))
	}
	return nil
}

func readGz(name string, fn func(k, v string)) error {
	f, err := pinyinFS.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "\t"); ok {
			fn(k, v)
		}
	}
	return sc.Err()
}

// toneVowels maps a tone-marked vowel to its plain letter and tone.
var toneVowels = map[rune]struct {
	v    rune
	tone int
}{}

func init() {
	for _, row := range []struct {
		plain rune
		marks string
	}{{'a', "āáǎà"}, {'e', "ēéěè"}, {'i', "īíǐì"}, {'o', "ōóǒò"}, {'u', "ūúǔù"}, {'v', "ǖǘǚǜ"}, {'n', "ńňǹ"}, {'m', "ḿ"}} {
		for i, r := range []rune(row.marks) {
			t := i + 1
			if row.plain == 'n' {
				t = i + 2 // ń ň ǹ
			} else if row.plain == 'm' {
				t = 2
			}
			toneVowels[r] = struct {
				v    rune
				tone int
			}{row.plain, t}
		}
	}
}

// numbered turns "háng" into "hang2", "lǜ" into "lv4", "de" into "de5".
func numbered(p string) string {
	var b strings.Builder
	tone := 5
	for _, r := range strings.TrimSpace(p) {
		switch {
		case r == 'ü':
			b.WriteRune('v')
		case toneVowels[r].v != 0:
			b.WriteRune(toneVowels[r].v)
			tone = toneVowels[r].tone
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + string(rune('0'+tone))
}

// markTone puts tone t's mark on the vowel pinyin's rules choose: a or e
// if present, o in ou, else the last vowel.
func markTone(p string, t int) string {
	rs := []rune(p)
	at := -1
	for i, r := range rs {
		if r == 'a' || r == 'e' {
			at = i
			break
		}
	}
	if at < 0 {
		if i := strings.Index(p, "ou"); i >= 0 {
			at = len([]rune(p[:i]))
		}
	}
	if at < 0 {
		for i := len(rs) - 1; i >= 0; i-- {
			if strings.ContainsRune("iouv", rs[i]) {
				at = i
				break
			}
		}
	}
	out := make([]rune, 0, len(rs))
	for i, r := range rs {
		if r == 'v' && (i != at || t < 1 || t > 4) {
			out = append(out, 'ü')
			continue
		}
		if i == at && t >= 1 && t <= 4 {
			out = append(out, markOf(r, t))
			continue
		}
		out = append(out, r)
	}
	return string(out)
}

func markOf(v rune, t int) rune {
	for r, tv := range toneVowels {
		if tv.v == v && tv.tone == t && v != 'n' && v != 'm' {
			return r
		}
	}
	return v
}

// Pinyin reads text: one Syllable a character (spaces dropped; other
// characters that are not Han kept with an empty Pinyin).
func Pinyin(text string) ([]Syllable, error) {
	return read(text, false)
}

// ReadVerse reads a line of verse as a reciter does. It differs from
// Pinyin in these ways, each a convention of reciting classical verse:
//
//   - no neutral tones: every syllable keeps a full tone (路上 lu4 shang4,
//     妻子 qi1 zi3, 着 zhuo2), but for the particles (的, 么 …) and 了
//     within a line (做了土), which ends a line as the verb liao3 (何时了);
//   - the words of verse in data/pinyin-miaobi.txt (不胜 bu4 sheng1, 飞将
//     fei1 jiang4, 还家 huan2 jia1);
//   - a character with a literary and a colloquial reading (文白异读),
//     standing on its own, takes the literary one (薄 bo2, 剥 bo1, 色 se4,
//     血 xue4, 落 luo4); 没 is mo4 (to sink; the negation mei2 came later),
//     著 zhuo2, 塞 sai4 (the frontier), and 那 is the
//     question na3 ("how", 那得) but before a measure word or noun of time
//     (那边, 那时);
//   - 还 at the end of a line or half-line reads huan2, "to return", since
//     the adverb hai2 ("still") cannot end a clause (千里江陵一日还);
//   - 朝 reads zhao1, the morning, except in the words of the court and of
//     dynasties (see courtWord).
//
// It has Pinyin's signature, so a reader can take either.
//
// Deciding a 多音字 by the tone class its place in the metre demands (胜
// sheng1 in 浑欲不胜簪) was tried and left out: a modern tone does not
// always carry the old class (不教胡马度阴山 reads jiao4 where the metre
// has 平), and a single line's metre is unsure in old-style verse (锄禾日
// 当午), so on the development set it mended three lines and broke five.
func ReadVerse(line string) ([]Syllable, error) {
	return read(line, true)
}

func read(text string, verse bool) ([]Syllable, error) {
	if err := loadPinyin(); err != nil {
		return nil, err
	}
	if !verse {
		if err := loadFreq(); err != nil {
			return nil, err
		}
	}
	var out []Syllable
	var run []rune
	flush := func() {
		out = append(out, readRun(run, verse)...)
		run = run[:0]
	}
	for _, r := range text {
		if IsHan(r) {
			run = append(run, r)
			continue
		}
		flush()
		if !unicode.IsSpace(r) {
			out = append(out, Syllable{Char: r})
		}
	}
	flush()
	alone(out, verse)
	if verse {
		readAsVerse(out)
	}
	sandhi(out)
	return out, nil
}

// phrase is the reading of a word of two or more characters, if the data
// has one: in verse, the words of verse first.
func phrase(w string, verse bool) ([]string, bool) {
	d := &pinyinData
	if verse {
		if p, ok := d.verse[w]; ok {
			return p, true
		}
	}
	p, ok := d.phrases[w]
	return p, ok
}

// readRun reads a run of Han characters by the best cut into phrases.
func readRun(run []rune, verse bool) []Syllable {
	n := len(run)
	if n == 0 {
		return nil
	}
	d := &pinyinData
	simp := []rune(ToSimplified(string(run)))
	if len(simp) != n {
		simp = run
	}
	// best[i]: the best cut of simp[i:]: the most characters covered by
	// phrases, then the fewest pieces, then, in prose, the words' highest
	// summed log counts in modern text, and last the cut whose word starts
	// earlier.
	type cut struct {
		covered, pieces, next int
		common                float64
	}
	best := make([]cut, n+1)
	for i := n - 1; i >= 0; i-- {
		best[i] = cut{best[i+1].covered, best[i+1].pieces + 1, i + 1, best[i+1].common}
		for l := 2; l <= d.maxLen && i+l <= n; l++ {
			w := string(simp[i : i+l])
			if _, ok := phrase(w, verse); !ok {
				continue
			}
			c := cut{best[i+l].covered + l, best[i+l].pieces + 1, i + l, best[i+l].common}
			if !verse {
				c.common += math.Log1p(float64(d.freq[w]))
			}
			b := best[i]
			if c.covered > b.covered || c.covered == b.covered && (c.pieces < b.pieces || c.pieces == b.pieces && c.common >= b.common) {
				best[i] = c
			}
		}
	}
	out := make([]Syllable, 0, n)
	for i := 0; i < n; i = best[i].next {
		j := best[i].next
		if j-i > 1 {
			p, _ := phrase(string(simp[i:j]), verse)
			for k, r := range p {
				s := syllable(run[i+k], r)
				s.word, s.simple = true, simp[i+k]
				out = append(out, s)
			}
			continue
		}
		p := ""
		if rs := d.chars[simp[i]]; len(rs) > 0 {
			p = rs[0]
		} else if rs := d.chars[run[i]]; len(rs) > 0 {
			p = rs[0]
		}
		s := syllable(run[i], p)
		s.simple = simp[i]
		out = append(out, s)
	}
	return out
}

func syllable(c rune, p string) Syllable {
	if len(p) < 2 {
		return Syllable{Char: c}
	}
	// The phrase data writes some sandhi in (一个 yí gè, 不要 bú yào): the
	// citation tones of 一 and 不 are 1 and 4, and sandhi is worked out
	// below.
	switch {
	case c == '一' && p[:len(p)-1] == "yi":
		p = "yi1"
	case c == '不' && p[:len(p)-1] == "bu":
		p = "bu4"
	}
	t := int(p[len(p)-1] - '0')
	return Syllable{Char: c, Pinyin: p[:len(p)-1], Tone: t, Spoken: t}
}

// numerals are the characters around which 一 keeps its first tone.
const numerals = "零一二三四五六七八九十百千万亿两第"

// sandhi sets each syllable's Spoken tone.
func sandhi(s []Syllable) {
	next := func(i int) *Syllable {
		if i+1 < len(s) && s[i+1].Pinyin != "" {
			return &s[i+1]
		}
		return nil
	}
	for i := range s {
		s[i].Spoken = s[i].Tone
	}
	for i := range s {
		x := &s[i]
		if x.Pinyin == "" {
			continue
		}
		n := next(i)
		switch x.Char {
		case '一':
			prevNum := i > 0 && strings.ContainsRune(numerals, s[i-1].Char)
			switch {
			case n == nil || prevNum || strings.ContainsRune(numerals, n.Char):
				x.Spoken = 1
			case n.Tone == 4 || n.Tone == 5 && n.Pinyin == "ge":
				x.Spoken = 2
			default:
				x.Spoken = 4
			}
		case '不':
			if n != nil && n.Tone == 4 {
				x.Spoken = 2
			}
		}
	}
	// Third tones: in a run, all but the last read second.
	for i := 0; i < len(s); {
		if s[i].Spoken != 3 {
			i++
			continue
		}
		j := i
		for j+1 < len(s) && s[j+1].Spoken == 3 && s[j+1].Pinyin != "" {
			j++
		}
		for k := i; k < j; k++ {
			s[k].Spoken = 2
		}
		i = j + 1
	}
}

// FormatPinyin writes readings as 'miaobi pinyin' prints them: one
// syllable a character, separated by spaces, punctuation left out, other
// characters as they are; tones as numbers, or marks; citation tones, or
// spoken (after sandhi).
func FormatPinyin(syl []Syllable, marks, spoken bool) string {
	var out []string
	for _, s := range syl {
		if s.Pinyin == "" && (unicode.IsPunct(s.Char) || unicode.IsSymbol(s.Char)) {
			continue
		}
		t := s.Tone
		if spoken {
			t = s.Spoken
		}
		switch {
		case s.Pinyin == "":
			out = append(out, string(s.Char))
		case marks:
			out = append(out, s.Marked(t))
		default:
			out = append(out, s.Pinyin+string(rune('0'+t)))
		}
	}
	return strings.Join(out, " ")
}
