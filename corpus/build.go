package corpus

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"miaobi/hanzi"
	"miaobi/prosody"
)

// collection describes one part of the package that goes into the corpus.
type collection struct {
	name        string
	dynasty     string
	pattern     *regexp.Regexp // file path inside the tarball
	traditional bool           // source text is in traditional characters
	kind        string         // "shi", "ci", "qu", "sao"
}

// collections are listed in priority order: when two hold the same poem, the
// earlier one keeps it.
var collections = []collection{
	{"tang", "唐", regexp.MustCompile(`^package/dist/quantangshi/poet\.tang\.\d+\.json$`), true, "shi"},
	{"song", "宋", regexp.MustCompile(`^package/dist/quantangshi/poet\.song\.\d+\.json$`), true, "shi"},
	{"songci", "宋", regexp.MustCompile(`^package/dist/songci/ci\.song\.[0-9a-z]+\.json$`), false, "ci"},
	{"huajianji", "五代", regexp.MustCompile(`^package/dist/wudaishici/huajianji/huajianji-[0-9x]+-juan\.json$`), false, "ci"},
	{"nantang", "五代", regexp.MustCompile(`^package/dist/wudaishici/nantang/poetrys\.json$`), false, "ci"},
	{"shijing", "先秦", regexp.MustCompile(`^package/dist/shijing/shijing\.json$`), false, "shi"},
	{"chuci", "先秦", regexp.MustCompile(`^package/dist/chuci/chuci\.json$`), false, "sao"},
	{"caocao", "汉", regexp.MustCompile(`^package/dist/caocaoshiji/caocao\.json$`), false, "shi"},
	{"nalan", "清", regexp.MustCompile(`^package/dist/nalanxingde/.*\.json$`), false, "shi"},
	{"yuanqu", "元", regexp.MustCompile(`^package/dist/yuanqu/yuanqu\.json$`), false, "qu"},
	{"shuimo", "唐", regexp.MustCompile(`^package/dist/shuimotangshi/shuimotangshi\.json$`), false, "shi"},
}

var strainsPattern = regexp.MustCompile(`^package/dist/strains/json/poet\.(tang|song)\.\d+\.json$`)

// record is the union of the source files' poem shapes.
type record struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Author     string   `json:"author"`
	Rhythmic   string   `json:"rhythmic"`
	Paragraphs []string `json:"paragraphs"`
	Content    []string `json:"content"`
	Para       []string `json:"para"`
	Strains    []string `json:"strains"`
}

// Stats counts what a build produced.
type Stats struct {
	Source      string                    `json:"source"`
	Integrity   string                    `json:"integrity"`
	Poems       int                       `json:"poems"`
	Duplicates  int                       `json:"duplicates"`
	Empty       int                       `json:"empty"`
	WithStrains int                       `json:"with_strains"`
	Collections map[string]map[string]int `json:"collections"` // collection → form → count
}

// Build reads the package tarball at tgz and writes the corpus to out
// (gzip-compressed JSON lines).
func Build(tgz string, out io.Writer) (*Stats, error) {
	f, err := os.Open(tgz)
	if err != nil {
		return nil, fmt.Errorf("corpus: build: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("corpus: build: %s is not a gzip tarball: %w", tgz, err)
	}
	tr := tar.NewReader(zr)

	type file struct {
		name  string
		poems []*Poem
	}
	bucket := make([][]file, len(collections))
	st := &Stats{Source: filepath.Base(tgz), Collections: map[string]map[string]int{}}
	strains := map[string][]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("corpus: build: read %s: %w", tgz, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean(h.Name)
		if strainsPattern.MatchString(name) {
			var rs []record
			if err := decodeJSON(tr, &rs); err != nil {
				return nil, fmt.Errorf("corpus: build: %s: %w", name, err)
			}
			for _, r := range rs {
				if r.ID != "" {
					strains[r.ID] = r.Strains
				}
			}
			continue
		}
		for ci, c := range collections {
			if !c.pattern.MatchString(name) {
				continue
			}
			var rs []record
			if err := decodeJSON(tr, &rs); err != nil {
				return nil, fmt.Errorf("corpus: build: %s: %w", name, err)
			}
			fl := file{name: name}
			for i, r := range rs {
				p := normalise(c, r)
				if p == nil {
					st.Empty++
					continue
				}
				if p.ID == "" {
					p.ID = fmt.Sprintf("%s:%s:%d", c.name, strings.TrimSuffix(path.Base(name), ".json"), i)
				}
				fl.poems = append(fl.poems, p)
			}
			bucket[ci] = append(bucket[ci], fl)
			break
		}
	}

	w := gzip.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	seen := map[string]bool{}
	for ci, files := range bucket {
		// Files arrive in tarball order; sort them by name (numbers in
		// numeric order) so that output and de-duplication are stable.
		sort.Slice(files, func(i, j int) bool { return naturalLess(files[i].name, files[j].name) })
		c := collections[ci]
		var ps []*Poem
		for _, fl := range files {
			ps = append(ps, fl.poems...)
		}
		for _, p := range ps {
			key := strings.Join(p.Lines, "")
			if seen[key] {
				st.Duplicates++
				continue
			}
			seen[key] = true
			if s, ok := strains[p.ID]; ok && c.traditional {
				p.Strains = alignStrains(s, p.LinesT)
				if p.Strains != nil {
					st.WithStrains++
				}
			}
			if err := enc.Encode(p); err != nil {
				return nil, fmt.Errorf("corpus: build: write: %w", err)
			}
			st.Poems++
			if st.Collections[c.name] == nil {
				st.Collections[c.name] = map[string]int{}
			}
			st.Collections[c.name][p.Form]++
		}
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("corpus: build: write: %w", err)
	}
	if st.Poems == 0 {
		return nil, fmt.Errorf("corpus: build: %s holds no poems of %s; is it the %s package?", tgz, Package, Package)
	}
	return st, nil
}

func decodeJSON(r io.Reader, v any) error {
	return json.NewDecoder(bufio.NewReader(r)).Decode(v)
}

// normalise turns a source record into a corpus poem, or nil when it has no
// verse text.
func normalise(c collection, r record) *Poem {
	paras := r.Paragraphs
	if len(paras) == 0 {
		paras = r.Content
	}
	if len(paras) == 0 {
		paras = r.Para
	}
	var lines, puncts []string
	for _, para := range paras {
		ls, ps := splitLines(para)
		lines = append(lines, ls...)
		puncts = append(puncts, ps...)
	}
	if len(lines) == 0 {
		return nil
	}
	p := &Poem{ID: r.ID, Collection: c.name, Dynasty: c.dynasty, Puncts: strings.Join(puncts, "")}
	conv := func(s string) (simp, trad string) {
		if c.traditional {
			return hanzi.ToSimplified(s), s
		}
		simp = hanzi.ToSimplified(s)
		return simp, hanzi.ToTraditional(simp)
	}
	p.Title, p.TitleT = conv(strings.TrimSpace(r.Title))
	p.Author, p.AuthorT = conv(strings.TrimSpace(r.Author))
	joined := strings.Join(lines, "\n")
	s, t := conv(joined)
	p.Lines = strings.Split(s, "\n")
	p.LinesT = strings.Split(t, "\n")
	tune := strings.TrimSpace(r.Rhythmic)
	if tune != "" {
		tune, _, _ = strings.Cut(hanzi.ToSimplified(tune), "・")
		tune, _, _ = strings.Cut(tune, "·")
		p.Tune = tune
	}
	switch c.kind {
	case "ci":
		p.Form = "词"
	case "qu":
		p.Form = "曲"
	case "sao":
		p.Form = "骚体"
	default:
		p.Form = prosody.ShapeForm(p.Lines)
		if c.name == "nalan" {
			if t, _ := prosody.LookupTune(firstWord(p.Title)); t != nil {
				p.Form, p.Tune = "词", t.Name
			}
		}
	}
	return p
}

// splitLines cuts a paragraph into verse lines of Chinese characters and the
// punctuation that closes each, normalised to full width.
func splitLines(para string) (lines, puncts []string) {
	var cur []rune
	flush := func(p rune) {
		if len(cur) > 0 {
			lines = append(lines, string(cur))
			puncts = append(puncts, string(fullWidth(p)))
			cur = cur[:0]
		}
	}
	for _, r := range para {
		switch {
		case hanzi.IsHan(r):
			cur = append(cur, r)
		case hanzi.IsSentencePunct(r):
			flush(r)
		}
	}
	flush('。')
	return lines, puncts
}

func fullWidth(r rune) rune {
	switch r {
	case ',', '､':
		return '，'
	case '.', '．', '｡':
		return '。'
	case '?':
		return '？'
	case '!':
		return '！'
	case ';':
		return '；'
	case ':':
		return '：'
	}
	return r
}

// alignStrains cuts the source's per-paragraph 平仄 strings into lines that
// match the traditional text line for line; it returns nil when they do not
// align.
func alignStrains(strains []string, lines []string) []string {
	var out []string
	for _, s := range strains {
		var cur []rune
		for _, r := range s {
			switch {
			case r == '平' || r == '仄' || r == '○' || r == '？' || r == '通' || r == '?':
				cur = append(cur, r)
			case hanzi.IsSentencePunct(r):
				if len(cur) > 0 {
					out = append(out, string(cur))
					cur = nil
				}
			}
		}
		if len(cur) > 0 {
			out = append(out, string(cur))
		}
	}
	if len(out) != len(lines) {
		return nil
	}
	for i := range out {
		if utf8.RuneCountInString(out[i]) != utf8.RuneCountInString(lines[i]) {
			return nil
		}
	}
	return out
}

// naturalLess orders ids so that file names with numbers sort numerically.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da != "" && db != "" {
			if len(da) != len(db) {
				return len(da) < len(db)
			}
			if da != db {
				return da < db
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// firstWord returns a title up to its first separator, e.g. the tune of
// 长相思·山一程.
func firstWord(title string) string {
	f := strings.FieldsFunc(title, func(r rune) bool { return r == '·' || r == '・' || r == ' ' || r == '　' })
	if len(f) == 0 {
		return ""
	}
	return f[0]
}
