package prosody

import (
	"bufio"
	"embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/mozillazg/go-pinyin"

	"miaobi/hanzi"
)

//go:embed data/pingshui.txt data/pingshui-extra.txt data/cilin.txt data/cipu.txt
var dataFS embed.FS

// Tone is a character's tone class in classical prosody.
type Tone uint8

const (
	// Unknown marks a character that no rhyme book lists.
	Unknown Tone = iota
	// Ping is the level tone (平).
	Ping
	// Ze is the oblique tones (仄): rising, departing and entering.
	Ze
	// Either marks a character read both ways (多音字), or a pattern slot
	// where either tone is allowed (中).
	Either
)

// String returns 平, 仄, 中 or ？.
func (t Tone) String() string {
	switch t {
	case Ping:
		return "平"
	case Ze:
		return "仄"
	case Either:
		return "中"
	}
	return "？"
}

// allows reports whether a character of tone class t may stand where want is
// required. Unknown characters are given the benefit of the doubt.
func (t Tone) allows(want Tone) bool {
	return want == Either || t == want || t == Either || t == Unknown
}

func opposite(t Tone) Tone {
	switch t {
	case Ping:
		return Ze
	case Ze:
		return Ping
	}
	return t
}

// Group is one rhyme group (韵部) of a rhyme book.
type Group struct {
	ID      int
	Name    string // e.g. 一东, 第三部, 十唐
	Section string // e.g. 上平, 入声, 平 (for books that split groups by tone)
	// Family groups rhyme groups that rhyme together: one 平水 group; one 词林
	// 部 across its 平 and 仄 halves; one 新韵 group across its tones.
	Family string
	// Tone is the tone of every character in the group, or Either for books
	// whose groups mix tones (中华新韵).
	Tone Tone
}

// Label is the group's full name, e.g. 下平七阳 or 第七部平声.
func (g Group) Label() string {
	if g.Section == "" {
		return g.Name
	}
	if strings.HasPrefix(g.Name, "第") {
		return g.Name + g.Section + "声"
	}
	return g.Section + g.Name
}

// Reading is one reading of a character: its tone class and rhyme group.
type Reading struct {
	Tone  Tone
	Group int // index into Book.Groups
}

// Book is a rhyme book: rhyme groups and every reading of each character.
type Book struct {
	Name   string // pingshui, cilin, xinyun
	Title  string // 平水韵, 词林正韵, 中华新韵
	Groups []Group
	chars  map[rune][]Reading
	// neighbours lists groups accepted as 邻韵 for a 首句 that borrows a rhyme.
	neighbours map[int][]int
	// variants maps a variant form (异体字) to the character the book lists.
	variants map[rune]rune
	// derive computes readings for characters the table lacks (新韵 from pinyin).
	derive func(r rune) []Reading
}

// Readings returns every reading of r. Traditional characters are looked up
// directly and through their simplified forms, so both scripts work.
func (b *Book) Readings(r rune) []Reading {
	if rs, ok := b.chars[r]; ok {
		return rs
	}
	var out []Reading
	for _, s := range hanzi.T2S().Candidates(r) {
		out = appendReadings(out, b.chars[s]...)
	}
	if out == nil {
		if v, ok := b.variants[r]; ok {
			out = b.Readings(v)
		}
	}
	if out == nil && b.derive != nil {
		out = b.derive(r)
		if out == nil {
			for _, s := range hanzi.T2S().Candidates(r) {
				out = appendReadings(out, b.derive(s)...)
			}
		}
	}
	return out
}

func appendReadings(out []Reading, rs ...Reading) []Reading {
	for _, r := range rs {
		dup := false
		for _, o := range out {
			if o == r {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, r)
		}
	}
	return out
}

// ToneOf returns r's tone class: Ping or Ze when every reading agrees,
// Either for characters with both, Unknown when the book lacks it.
func (b *Book) ToneOf(r rune) Tone { return toneOf(b.Readings(r)) }

func toneOf(rs []Reading) Tone {
	t := Unknown
	for _, x := range rs {
		switch {
		case t == Unknown:
			t = x.Tone
		case t != x.Tone:
			return Either
		}
	}
	return t
}

// Rhymes reports whether r has a reading of tone want (Either for any) in a
// group of the given family.
func (b *Book) Rhymes(r rune, family string, want Tone) bool {
	for _, x := range b.Readings(r) {
		if b.Groups[x.Group].Family == family && (want == Either || x.Tone == want) {
			return true
		}
	}
	return false
}

// Families returns, once each, the rhyme families in which r has a reading
// of tone want (Either for any).
func (b *Book) Families(r rune, want Tone) []string {
	var out []string
	for _, x := range b.Readings(r) {
		f := b.Groups[x.Group].Family
		if (want == Either || x.Tone == want) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// MajorityFamily returns the family with the most votes (as counted from
// Families), ties going to the first name in code-point order; "" for none.
func MajorityFamily(votes map[string]int) string {
	best, bestN := "", 0
	for f, n := range votes {
		if n > bestN || n == bestN && f < best {
			best, bestN = f, n
		}
	}
	return best
}

// Neighbour reports whether groups a and b are 邻韵 (close enough for a 首句
// to borrow).
func (b *Book) Neighbour(a, c int) bool {
	for _, n := range b.neighbours[a] {
		if n == c {
			return true
		}
	}
	return false
}

// Size is the number of distinct characters the book lists.
func (b *Book) Size() int { return len(b.chars) }

var (
	booksOnce sync.Once
	books     map[string]*Book
	booksErr  error
)

// BookNames lists the rhyme books that LoadBook accepts.
var BookNames = []string{"pingshui", "xinyun", "cilin"}

// LoadBook returns a rhyme book by name: pingshui (平水韵, the default for
// regulated verse), xinyun (中华新韵) or cilin (词林正韵, the default for 词).
func LoadBook(name string) (*Book, error) {
	booksOnce.Do(func() {
		books = map[string]*Book{}
		var b *Book
		if b, booksErr = loadPingshui(); booksErr != nil {
			return
		}
		books["pingshui"] = b
		if b, booksErr = loadCilin(); booksErr != nil {
			return
		}
		books["cilin"] = b
		books["xinyun"] = newXinyun()
	})
	if booksErr != nil {
		return nil, fmt.Errorf("prosody: rhyme books: %w", booksErr)
	}
	switch name {
	case "", "pingshui", "平水韵", "psy":
		return books["pingshui"], nil
	case "xinyun", "中华新韵", "新韵":
		return books["xinyun"], nil
	case "cilin", "词林正韵", "词林":
		return books["cilin"], nil
	}
	return nil, fmt.Errorf("prosody: unknown rhyme book %q (choose one of %s)", name, strings.Join(BookNames, ", "))
}

// eachDataLine calls fn with the tab-separated fields of every non-comment,
// non-blank line of an embedded data file.
func eachDataLine(name string, fn func(lineNo int, fields []string) error) error {
	f, err := dataFS.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(n, strings.Split(line, "\t")); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
	}
	return sc.Err()
}

// pingshuiNeighbours are the commonly accepted 邻韵 sets of the 平声 groups.
var pingshuiNeighbours = [][]string{
	{"一东", "二冬"}, {"三江", "七阳"}, {"四支", "五微", "八齐"}, {"六鱼", "七虞"},
	{"九佳", "十灰"}, {"十一真", "十二文", "十三元"}, {"十四寒", "十五删", "一先"},
	{"二萧", "三肴", "四豪"}, {"八庚", "九青", "十蒸"}, {"十三覃", "十四盐", "十五咸"},
}

func loadPingshui() (*Book, error) {
	b := &Book{Name: "pingshui", Title: "平水韵", chars: map[rune][]Reading{}, neighbours: map[int][]int{}, variants: map[rune]rune{}}
	byName := map[string]int{}
	groupID := map[string]int{}
	err := eachDataLine("data/pingshui.txt", func(_ int, f []string) error {
		if len(f) != 3 {
			return fmt.Errorf("want 3 tab-separated fields, got %d", len(f))
		}
		sec := strings.TrimSuffix(f[0], "部")
		sec = strings.TrimSuffix(sec, "声")
		t := Ze
		if sec == "上平" || sec == "下平" {
			t = Ping
		}
		if sec == "上" || sec == "去" || sec == "入" {
			sec += "声"
		}
		id := len(b.Groups)
		b.Groups = append(b.Groups, Group{ID: id, Name: f[1], Section: sec, Family: sec + f[1], Tone: t})
		groupID[f[0]+f[1]] = id
		if t == Ping {
			byName[f[1]] = id
		}
		for _, r := range f[2] {
			b.chars[r] = appendReadings(b.chars[r], Reading{Tone: t, Group: id})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachDataLine("data/pingshui-extra.txt", func(_ int, f []string) error {
		switch {
		case len(f) == 4 && f[0] == "+":
			id, ok := groupID[f[1]+f[2]]
			if !ok {
				return fmt.Errorf("no group %s %s", f[1], f[2])
			}
			for _, r := range f[3] {
				b.chars[r] = appendReadings(b.chars[r], Reading{Tone: b.Groups[id].Tone, Group: id})
			}
		case len(f) == 3 && f[0] == "=":
			v, std := []rune(f[1]), []rune(f[2])
			if len(v) != 1 || len(std) != 1 {
				return fmt.Errorf("variant line wants one character on each side")
			}
			b.variants[v[0]] = std[0]
		default:
			return fmt.Errorf("want '+ 声部 韵部 chars' or '= variant standard'")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, set := range pingshuiNeighbours {
		for _, x := range set {
			for _, y := range set {
				if x != y {
					b.neighbours[byName[x]] = append(b.neighbours[byName[x]], byName[y])
				}
			}
		}
	}
	return b, nil
}

func loadCilin() (*Book, error) {
	b := &Book{Name: "cilin", Title: "词林正韵", chars: map[rune][]Reading{}}
	err := eachDataLine("data/cilin.txt", func(_ int, f []string) error {
		if len(f) != 3 {
			return fmt.Errorf("want 3 tab-separated fields, got %d", len(f))
		}
		t := Ze
		if f[1] == "平" {
			t = Ping
		}
		id := len(b.Groups)
		b.Groups = append(b.Groups, Group{ID: id, Name: f[0], Section: f[1], Family: f[0], Tone: t})
		for _, r := range f[2] {
			b.chars[r] = appendReadings(b.chars[r], Reading{Tone: t, Group: id})
		}
		return nil
	})
	return b, err
}

// xinyunGroups are the 14 groups of 中华新韵 (2005), each with the pinyin
// finals that belong to it.
var xinyunGroups = []struct {
	name   string
	finals []string
}{
	{"一麻", []string{"a", "ia", "ua"}},
	{"二波", []string{"o", "e", "uo"}},
	{"三皆", []string{"ie", "ve", "ue", "ê"}},
	{"四开", []string{"ai", "uai"}},
	{"五微", []string{"ei", "ui", "uei"}},
	{"六豪", []string{"ao", "iao"}},
	{"七尤", []string{"ou", "iu", "iou"}},
	{"八寒", []string{"an", "ian", "uan", "van"}},
	{"九文", []string{"en", "in", "un", "uen", "vn"}},
	{"十唐", []string{"ang", "iang", "uang"}},
	{"十一庚", []string{"eng", "ing", "ong", "iong", "ueng"}},
	{"十二齐", []string{"i", "v", "er"}},
	{"十三支", []string{"-i"}},
	{"十四姑", []string{"u"}},
}

func newXinyun() *Book {
	b := &Book{Name: "xinyun", Title: "中华新韵", chars: map[rune][]Reading{}}
	finals := map[string]int{}
	for i, g := range xinyunGroups {
		b.Groups = append(b.Groups, Group{ID: i, Name: g.name, Family: g.name, Tone: Either})
		for _, f := range g.finals {
			finals[f] = i
		}
	}
	args := pinyin.NewArgs()
	args.Style = pinyin.Tone3
	args.Heteronym = true
	b.derive = func(r rune) []Reading {
		var out []Reading
		for _, p := range pinyin.SinglePinyin(r, args) {
			t, g, ok := xinyunReading(p, finals)
			if ok {
				out = appendReadings(out, Reading{Tone: t, Group: g})
			}
		}
		return out
	}
	return b
}

// xinyunReading maps a Tone3 pinyin syllable such as "zhong1" or "lv4" to a
// 新韵 tone class (阴平 and 阳平 are 平; 上 and 去 are 仄) and group.
func xinyunReading(p string, finals map[string]int) (Tone, int, bool) {
	if p == "" {
		return Unknown, 0, false
	}
	t := Unknown
	switch p[len(p)-1] {
	case '1', '2':
		t = Ping
		p = p[:len(p)-1]
	case '3', '4':
		t = Ze
		p = p[:len(p)-1]
	default:
		return Unknown, 0, false // neutral tone: no classical weight
	}
	p = strings.ReplaceAll(p, "ü", "v")
	var fin string
	switch {
	case p == "er":
		fin = "er"
	case strings.HasPrefix(p, "zh") || strings.HasPrefix(p, "ch") || strings.HasPrefix(p, "sh"):
		fin = p[2:]
	default:
		fin = strings.TrimLeft(p, "bpmfdtnlgkhjqxrzcsyw")
	}
	ini := strings.TrimSuffix(p, fin)
	switch {
	case fin == "i" && (ini == "zh" || ini == "ch" || ini == "sh" || ini == "r" || ini == "z" || ini == "c" || ini == "s"):
		fin = "-i"
	case (ini == "j" || ini == "q" || ini == "x" || ini == "y") && strings.HasPrefix(fin, "u"):
		fin = "v" + fin[1:] // ju, que, xuan, yun: ü written as u
	case ini == "y" && fin == "":
		fin = "i"
	case ini == "y" && !strings.HasPrefix(fin, "i") && !strings.HasPrefix(fin, "v"):
		fin = "i" + fin // ya, yao, yan, yang, you, yong
	case ini == "w" && fin != "u":
		fin = "u" + fin // wa, wo, wai, wei, wan, wen, wang, weng
	}
	switch fin {
	case "ueng", "uong":
		fin = "ong"
	case "io":
		fin = "o" // yo, 哟
	}
	g, ok := finals[fin]
	if !ok {
		return Unknown, 0, false
	}
	return t, g, true
}
