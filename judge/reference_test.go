package judge

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"miaobi/corpus"
)

// refFixture reads the corpus package's golden fixture: 14 real records.
func refFixture(t testing.TB) []*corpus.Poem {
	t.Helper()
	f, err := os.Open("../corpus/testdata/fixture.golden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ps []*corpus.Poem
	dec := json.NewDecoder(f)
	for dec.More() {
		p := new(corpus.Poem)
		if err := dec.Decode(p); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

func handRef(id, title, author, form string, lines ...string) *corpus.Poem {
	return &corpus.Poem{ID: id, Title: title, Author: author, Dynasty: "唐", Form: form, Lines: lines,
		Puncts: strings.Repeat("，。", len(lines)/2) + strings.Repeat("。", len(lines)%2)}
}

// The familiar text of 静夜思; the corpus (全唐诗) has 床前看月光 … 举头望山月.
var popularJingyesi = handRef("t:popularJingyesi", "静夜思", "李白", "五绝", "床前明月光", "疑是地上霜", "举头望明月", "低头思故乡")

func refsOf(ps ...*corpus.Poem) *Refs { return NewRefs(slices.Values(ps)) }

func TestClosestFindsCopiedLine(t *testing.T) {
	ps := append(refFixture(t), popularJingyesi)
	r := refsOf(ps...)
	if r.Len() != len(ps) {
		t.Fatalf("Len = %d, want %d", r.Len(), len(ps))
	}
	ms := r.Closest([]string{"床前明月光", "窗外竹影长", "孤灯照夜雨", "何处是归程"}, 3)
	if len(ms) == 0 {
		t.Fatal("no match")
	}
	m := ms[0]
	if m.Poem.ID != popularJingyesi.ID || m.Poem.Author != "李白" || m.Poem.Form != "五绝" || m.Poem.Puncts != "，。，。" ||
		!slices.Equal(m.Poem.Lines, popularJingyesi.Lines) {
		t.Fatalf("first match %+v, want 静夜思", m.Poem)
	}
	want := Span{Text: "床前明月光", Len: 5, Line: 0, At: 0, RefLine: 0, RefAt: 0}
	if len(m.Spans) == 0 || m.Spans[0] != want {
		t.Errorf("spans %+v, want %+v first", m.Spans, want)
	}
	if m.Share < 0.25 || m.Score < 64 {
		t.Errorf("share %v score %d", m.Share, m.Score)
	}
	// The corpus's own text of the poem shares 床前 and 月光.
	for _, m := range ms[1:] {
		if m.Poem.ID == "ca2c489a-e433-4c0f-8248-77d354f0665e" {
			if len(m.Spans) != 2 || m.Spans[0].Text != "床前" || m.Spans[1].Text != "月光" || m.Spans[1].At != 3 {
				t.Errorf("the Tang text's spans %+v", m.Spans)
			}
		}
	}
}

func TestClosestSpans(t *testing.T) {
	r := refsOf(
		handRef("a", "登鹳雀楼", "王之涣", "五绝", "白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"),
		handRef("b", "水调歌头", "苏轼", "词", "明月几时有", "明月照高楼", "几时"),
	)
	ms := r.Closest([]string{"青山依山尽处", "海流，黄河入"}, 5)
	if len(ms) != 1 || ms[0].Poem.ID != "a" {
		t.Fatalf("matches %+v", ms)
	}
	want := []Span{
		{Text: "依山尽", Len: 3, Line: 0, At: 2, RefLine: 0, RefAt: 2},
		{Text: "海流", Len: 2, Line: 1, At: 0, RefLine: 1, RefAt: 3},
		{Text: "黄河入", Len: 3, Line: 1, At: 3, RefLine: 1, RefAt: 0},
	}
	if !reflect.DeepEqual(ms[0].Spans, want) {
		t.Errorf("spans %+v, want %+v", ms[0].Spans, want)
	}
	if ms[0].Share != 8.0/11 || ms[0].Score != 4+4+1+4+4 {
		t.Errorf("share %v score %d", ms[0].Share, ms[0].Score)
	}
	// Runs inside a longer one, and the same run again, are listed once.
	ms = r.Closest([]string{"明月几时", "明月"}, 5)
	want = []Span{
		{Text: "明月几时", Len: 4, Line: 0, At: 0, RefLine: 0, RefAt: 0},
		{Text: "明月", Len: 2, Line: 1, At: 0, RefLine: 0, RefAt: 0},
	}
	if len(ms) != 1 || !reflect.DeepEqual(ms[0].Spans, want) || ms[0].Share != 1 {
		t.Errorf("matches %+v", ms)
	}
	// 更上一层楼 is in poem a; 楼 alone is in b: a single shared character is no span.
	ms = r.Closest([]string{"更上一层楼"}, 5)
	if len(ms) != 1 || ms[0].Poem.ID != "a" || ms[0].Share != 1 || ms[0].Score != 64 {
		t.Errorf("matches %+v", ms)
	}
}

func TestRefsOddInput(t *testing.T) {
	var nilRefs *Refs
	empty := refsOf()
	r := refsOf(append(refFixture(t), popularJingyesi, nil,
		handRef("odd", "□", "", "", "", "□□明月□光", "ab明月cd", "\xff\xfe明月", "𠀀𠀁明月"))...)
	queries := [][]string{nil, {}, {""}, {"", "", ""}, {"abc", "，。！"}, {"\xff\xfe\xfd"}, {"明"}, {"𠀀𠀁"},
		{strings.Repeat("明月光", 3000)}, {"床前明月光"}, {"月", "明"}}
	for _, rr := range []*Refs{nilRefs, empty, r} {
		for _, q := range queries {
			for _, k := range []int{-5, 0, 1, 3, 1 << 40} {
				ms := rr.Closest(q, k)
				if ms == nil || (k <= 0 || rr.Len() == 0) && len(ms) != 0 || len(ms) > max(k, 0) {
					t.Errorf("Closest(%.20q, %d) = %d matches", q, k, len(ms))
				}
				for _, m := range ms {
					if m.Share <= 0 || m.Share > 1 || len(m.Spans) == 0 {
						t.Errorf("Closest(%.20q): %+v", q, m)
					}
				}
				refs := rr.ForKeywords(q, k)
				if refs == nil || len(refs) > max(k, 0) {
					t.Errorf("ForKeywords(%.20q, %d) = %d poems", q, k, len(refs))
				}
			}
		}
	}
	if ms := r.Closest([]string{"𠀀𠀁"}, 1); len(ms) != 1 || ms[0].Poem.ID != "odd" || ms[0].Spans[0].Text != "𠀀𠀁" {
		t.Errorf("astral run: %+v", ms)
	}
	if ms := r.Closest([]string{"明月光"}, 100); len(ms) < 2 {
		t.Errorf("明月光: %d matches", len(ms))
	}
	if got := r.ForKeywords([]string{"𠀁"}, 5); len(got) != 1 || got[0].ID != "odd" || got[0].Lines[3] != "\ufffd\ufffd明月" {
		t.Errorf("ForKeywords(𠀁) = %+v", got)
	}
	if r.Len() != 16 || empty.Len() != 0 || nilRefs.Len() != 0 || NewRefs(nil).Len() != 0 {
		t.Errorf("Len: %d %d %d", r.Len(), empty.Len(), nilRefs.Len())
	}
}

// brute scores every poem against the query the slow way.
type bruteMatch struct {
	p                       int
	score, covered, longest int
	chars                   int
	spans                   []Span
}

func bruteClosest(ps []*corpus.Poem, lines []string) []bruteMatch {
	han := func(c rune) bool { return unicode.Is(unicode.Han, c) }
	var out []bruteMatch
	for pi, p := range ps {
		type raw struct{ line, at, n, rl, rat int }
		var rs []raw
		for ql, q := range lines {
			qr := []rune(q)
			for rl, l := range p.Lines {
				lr := []rune(l)
				for a := range qr {
					for b := range lr {
						if !han(qr[a]) || qr[a] != lr[b] || a > 0 && b > 0 && qr[a-1] == lr[b-1] && han(qr[a-1]) {
							continue
						}
						n := 0
						for a+n < len(qr) && b+n < len(lr) && qr[a+n] == lr[b+n] && han(qr[a+n]) {
							n++
						}
						if n >= 2 {
							rs = append(rs, raw{ql, a, n, rl, b})
						}
					}
				}
			}
		}
		if len(rs) == 0 {
			continue
		}
		m := bruteMatch{p: pi}
		for _, l := range p.Lines {
			m.chars += len([]rune(l))
		}
		ell := map[[2]int]int{}
		cov := map[[2]int]bool{}
		for _, s := range rs {
			for x := s.at; x < s.at+s.n-1; x++ {
				ell[[2]int{s.line, x}] = max(ell[[2]int{s.line, x}], s.n-1)
			}
			for x := s.at; x < s.at+s.n; x++ {
				cov[[2]int{s.line, x}] = true
			}
		}
		for _, e := range ell {
			m.score += e * e
			m.longest = max(m.longest, e)
		}
		m.covered = len(cov)
		slices.SortStableFunc(rs, func(a, b raw) int {
			if a.line != b.line {
				return a.line - b.line
			}
			if a.at != b.at {
				return a.at - b.at
			}
			return b.n - a.n
		})
		line, end := -1, -1
		for _, s := range rs {
			if s.line == line && s.at+s.n <= end {
				continue
			}
			if s.line != line {
				line, end = s.line, -1
			}
			end = max(end, s.at+s.n)
			m.spans = append(m.spans, Span{Text: string([]rune(p.Lines[s.rl])[s.rat : s.rat+s.n]), Len: s.n,
				Line: s.line, At: s.at, RefLine: s.rl, RefAt: s.rat})
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b bruteMatch) int {
		switch {
		case a.score != b.score:
			return b.score - a.score
		case a.covered != b.covered:
			return b.covered - a.covered
		case a.longest != b.longest:
			return b.longest - a.longest
		}
		return a.chars - b.chars
	})
	return out
}

func TestClosestAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	alphabet := []rune("山水月风花云雨江𠀀")
	odd := []rune("□，a")
	line := func(n int) string {
		rs := make([]rune, n)
		for i := range rs {
			if rng.Intn(15) == 0 {
				rs[i] = odd[rng.Intn(len(odd))]
			} else {
				rs[i] = alphabet[rng.Intn(len(alphabet))]
			}
		}
		return string(rs)
	}
	var ps []*corpus.Poem
	for i := range 400 {
		var ls []string
		for range 1 + rng.Intn(6) {
			ls = append(ls, line(rng.Intn(9)))
		}
		ps = append(ps, handRef(fmt.Sprint(i), "", "", "", ls...))
	}
	r := refsOf(ps...)
	for trial := range 60 {
		var q []string
		for range 1 + rng.Intn(4) {
			q = append(q, line(rng.Intn(10)))
		}
		if trial%3 == 0 { // a copied line
			p := ps[rng.Intn(len(ps))]
			if len(p.Lines) > 0 {
				q = append(q, p.Lines[0])
			}
		}
		want := bruteClosest(ps, q)
		chars := 0
		for _, l := range q {
			for _, c := range l {
				if unicode.Is(unicode.Han, c) {
					chars++
				}
			}
		}
		for _, k := range []int{1, 5, 1000} {
			got := r.Closest(q, k)
			if len(got) != min(k, len(want)) {
				t.Fatalf("query %q k=%d: %d matches, want %d", q, k, len(got), min(k, len(want)))
			}
			for i, m := range got {
				w := want[i]
				if m.Poem.ID != ps[w.p].ID || m.Score != w.score || m.Share != float64(w.covered)/float64(chars) ||
					!reflect.DeepEqual(m.Spans, w.spans) {
					t.Fatalf("query %q k=%d #%d: got %s score %d share %v spans %+v; want %s score %d covered %d spans %+v",
						q, k, i, m.Poem.ID, m.Score, m.Share, m.Spans, ps[w.p].ID, w.score, w.covered, w.spans)
				}
			}
		}
	}
}

func TestForKeywords(t *testing.T) {
	a := popularJingyesi
	b := handRef("b", "月夜忆乡", "某", "七律", "秋风萧瑟夜初长", "明月高悬照客床", "千里关山归梦远", "一天霜露故乡凉",
		"孤灯对影愁无寐", "旧雁传书意未央", "遥想家人应念我", "不知何日返高堂")
	c := handRef("c", "月下", "某", "杂言", "明月出天山", "苍茫云海间")
	d := handRef("d", "山居", "某", "五绝", "明朝山上去", "月落水边寒", "故人何处在", "乡思满江天")
	e := handRef("e", "夜泊", "某", "七绝", "江上明月照孤舟", "两岸猿声夜不休", "独坐船头思往事", "寒风吹雨入沧州")
	f := handRef("f", "楼", "某", "杂言", "明月照高楼", "月光满西窗")
	g := handRef("g", "夜泊二", "某", "七绝", "江上明月照孤舟", "两岸猿声夜不休", "独坐船头思往事", "寒风吹雨入沧州")
	r := refsOf(c, a, b, d, e, f, g)
	ids := func(rs []RefPoem) []string {
		var out []string
		for _, p := range rs {
			out = append(out, p.ID)
		}
		return out
	}
	got := r.ForKeywords([]string{"明月", "故乡"}, 10)
	if want := []string{a.ID, "b", "e", "g", "c", "f", "d"}; !slices.Equal(ids(got), want) {
		t.Fatalf("ForKeywords(明月, 故乡) = %v, want %v", ids(got), want)
	}
	if !slices.Equal(got[0].Matched, []string{"明月", "故乡"}) || got[0].CharMatched != nil || got[0].Title != "静夜思" ||
		!slices.Equal(got[6].CharMatched, []string{"明月", "故乡"}) || got[6].Matched != nil ||
		!slices.Equal(got[2].Matched, []string{"明月"}) || got[2].CharMatched != nil {
		t.Errorf("matched lists: %+v", got)
	}
	if got := r.ForKeywords([]string{"明月", "故乡"}, 2); !slices.Equal(ids(got), []string{a.ID, "b"}) {
		t.Errorf("k=2: %v", ids(got))
	}
	// Three characters must stand together; f has 明月 and 月光 apart.
	got = r.ForKeywords([]string{"明月光", "明月光", "鑫", "abc", "", "  "}, 10)
	if !slices.Equal(ids(got), []string{a.ID, "f"}) || !slices.Equal(got[0].Matched, []string{"明月光"}) ||
		!slices.Equal(got[1].CharMatched, []string{"明月光"}) {
		t.Errorf("ForKeywords(明月光) = %+v", got)
	}
	// Runs of a keyword split by other text must each stand inside a line.
	got = r.ForKeywords([]string{"明月 高楼"}, 10)
	if !slices.Equal(ids(got), []string{"f"}) || !slices.Equal(got[0].Matched, []string{"明月 高楼"}) {
		t.Errorf("ForKeywords(明月 高楼) = %+v", got)
	}
	got = r.ForKeywords([]string{"月"}, 1<<40)
	if want := []string{a.ID, "d", "e", "g", "b", "c", "f"}; !slices.Equal(ids(got), want) {
		t.Errorf("ForKeywords(月) = %v, want %v", ids(got), want)
	}
	if got := r.ForKeywords([]string{"鑫"}, 3); len(got) != 0 || got == nil {
		t.Errorf("unknown character: %v", got)
	}
}

func TestRefTopK(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for range 200 {
		xs := make([]int, rng.Intn(300))
		for i := range xs {
			xs[i] = rng.Intn(50)
		}
		k := rng.Intn(40)
		want := slices.Sorted(slices.Values(xs))[:min(k, len(xs))]
		got := refTopK(slices.Clone(xs), k, func(a, b int) bool { return a < b })
		if !slices.Equal(got, want) {
			t.Fatalf("refTopK(%v, %d) = %v", xs, k, got)
		}
	}
}

func TestRefsConcurrent(t *testing.T) {
	r := refsOf(append(refFixture(t), popularJingyesi)...)
	qs := [][]string{{"床前明月光", "白日依山尽"}, {"无边落木萧萧下"}, {"明月", "故乡"}, {"春"}}
	want := make([][]Match, len(qs))
	wantK := make([][]RefPoem, len(qs))
	for i, q := range qs {
		want[i], wantK[i] = r.Closest(q, 5), r.ForKeywords(q, 5)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				q := (g + i) % len(qs)
				if got := r.Closest(qs[q], 5); !reflect.DeepEqual(got, want[q]) {
					t.Errorf("Closest(%q) differs under load", qs[q])
				}
				if got := r.ForKeywords(qs[q], 5); !reflect.DeepEqual(got, wantK[q]) {
					t.Errorf("ForKeywords(%q) differs under load", qs[q])
				}
			}
		})
	}
	wg.Wait()
}

func writeRefsGz(t *testing.T, path string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(body)
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sameRefPoems(t *testing.T, got, want *Refs) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("Len = %d, want %d", got.Len(), want.Len())
	}
	for p := range uint32(got.Len()) {
		if g, w := got.poem(p), want.poem(p); !reflect.DeepEqual(g, w) {
			t.Fatalf("poem %d: %+v, want %+v", p, g, w)
		}
	}
}

func TestLoadRefs(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(5))
	var body bytes.Buffer
	var want []*corpus.Poem
	enc := json.NewEncoder(&body) // escapes <, > and & as \u003c…
	add := func(p *corpus.Poem) {
		want = append(want, p)
		enc.Encode(p)
	}
	for _, p := range refFixture(t) {
		add(p)
	}
	for i := range 3000 {
		var ls []string
		for range 2 + rng.Intn(8) {
			rs := make([]rune, 5+rng.Intn(3))
			for j := range rs {
				rs[j] = rune(0x4e00 + rng.Intn(2000))
			}
			ls = append(ls, string(rs))
		}
		add(&corpus.Poem{ID: fmt.Sprint("r", i), Title: fmt.Sprintf("<题&%d> \"引\" \\ \t", i), Author: "某", Form: "七绝", Lines: ls, Puncts: "，。"})
		if i == 1500 { // a record longer than a read chunk
			big := &corpus.Poem{ID: "big", Title: "长", Form: "杂言"}
			for range 70000 {
				big.Lines = append(big.Lines, "白日依山尽")
			}
			add(big)
		}
	}
	odd := []string{
		"",
		"   \r",
		`{"id":"x1","title":"未知","extra":{"a":[1,2,"]}"],"b":null},"lines":["山中\u95ee答","\ud840\udc00x"],"n":-1.5e3}`,
		`{"id":"x2","Title":"大写","lines":["明月"]}`, // encoding/json folds the key
		`{"id":"x3","lines":null,"title":null}  {"id":"x4","lines":["白日"]}`,
		`{"id":"x5","lines":["a"],"lines":["白日","依山"],"id":"x6"}`,
		`{}`,
	}
	for _, l := range odd {
		body.WriteString(l + "\n")
		dec := json.NewDecoder(strings.NewReader(l))
		for {
			p := new(corpus.Poem)
			if dec.Decode(p) != nil {
				break
			}
			want = append(want, p)
		}
	}
	path := filepath.Join(dir, "c.jsonl.gz")
	writeRefsGz(t, path, body.Bytes())
	got, err := LoadRefs(path)
	if err != nil {
		t.Fatal(err)
	}
	sameRefPoems(t, got, NewRefs(slices.Values(want)))
	if ms := got.Closest([]string{"白日依山尽"}, 2); len(ms) != 2 || ms[0].Poem.ID != "63950163-6a10-4e74-af8a-09886e4ef2a8" {
		t.Errorf("Closest after LoadRefs: %+v", ms)
	}

	if _, err := LoadRefs(filepath.Join(dir, "none.jsonl.gz")); !errors.Is(err, corpus.ErrNoCorpus) {
		t.Errorf("missing corpus: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "plain"), []byte("{}\n"), 0o644)
	if _, err := LoadRefs(filepath.Join(dir, "plain")); err == nil || !strings.Contains(err.Error(), "not a corpus file") {
		t.Errorf("not gzip: %v", err)
	}
	writeRefsGz(t, filepath.Join(dir, "bad"), []byte("{}\n{}\n{\"id\":3}\n{}\n"))
	if _, err := LoadRefs(filepath.Join(dir, "bad")); err == nil || !strings.Contains(err.Error(), "record 3") {
		t.Errorf("bad record: %v", err)
	}
	// A stream cut inside the gzip trailer, after the last whole record.
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(bytes.Repeat([]byte("{}\n"), 1000))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "trailer"), zb.Bytes()[:zb.Len()-4], 0o644)
	if _, err := LoadRefs(filepath.Join(dir, "trailer")); err == nil {
		t.Error("a file without its gzip trailer loaded")
	}
	full, _ := os.ReadFile(path)
	os.WriteFile(filepath.Join(dir, "cut"), full[:len(full)/2], 0o644)
	if _, err := LoadRefs(filepath.Join(dir, "cut")); err == nil {
		t.Error("a cut-off file loaded")
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, p := range refFixture(f) {
		b, _ := json.Marshal(p)
		f.Add(b)
	}
	for _, s := range []string{`{}`, `{"id":"\u00e9\ud83d\ude00","lines":[]}`, `{"lines":["a","b"],"lines":["c"]}`,
		`{"x":[{"y":"}"}],"tune":"t"}`, `{"ID":"a"}`, `{"id":"a"} x`, `{"lines":[null]}`, `{"id":1}`,
		`{"n":01}`, `{"K":1}`, "{\"id\":\"\xff\"}", `{"strains":["平"],"puncts":"，"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var rec rawPoem
		if parseRecord(data, &rec) != nil {
			return
		}
		var p corpus.Poem
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatalf("parseRecord took %q, which encoding/json refuses: %v", data, err)
		}
		var lines []string
		for _, l := range rec.lines {
			lines = append(lines, string(l))
		}
		if string(rec.id) != p.ID || string(rec.title) != p.Title || string(rec.author) != p.Author ||
			string(rec.dynasty) != p.Dynasty || string(rec.form) != p.Form || string(rec.puncts) != p.Puncts ||
			len(lines) != len(p.Lines) || len(lines) > 0 && !slices.Equal(lines, p.Lines) {
			t.Fatalf("%q: parseRecord %+v, encoding/json %+v", data, rec, p)
		}
	})
}

// TestRefsFullCorpus measures the index on the real corpus when it is built
// ($MIAOBI_HOME or ~/.local/share/miaobi); it is skipped otherwise.
func TestRefsFullCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir, err := corpus.DataDir()
	if err != nil {
		t.Skip(err)
	}
	path := corpus.DefaultPath(dir)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no corpus at %s", path)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	r, err := LoadRefs(path)
	if err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("load: %d poems in %v; heap after GC %.0f MB (%.0f MB total), peak sys %.0f MB", r.Len(), load.Round(time.Millisecond),
		float64(after.HeapAlloc-before.HeapAlloc)/1e6, float64(after.HeapAlloc)/1e6, float64(after.Sys)/1e6)

	ms := r.Closest([]string{"床前看月光", "窗外竹影长", "孤灯照夜雨", "何处是归程"}, 5)
	if len(ms) == 0 || ms[0].Poem.Title != "静夜思" || ms[0].Poem.Author != "李白" || ms[0].Spans[0].Len != 5 {
		t.Errorf("床前看月光: %+v", ms)
	}
	for _, m := range r.Closest([]string{"床前明月光"}, 3) {
		t.Logf("床前明月光 → %s · %s %v", m.Poem.Title, m.Poem.Author, m.Spans)
	}
	closest := [][]string{
		{"床前看月光", "窗外竹影长", "孤灯照夜雨", "何处是归程"},
		{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"},
		{"春风吹柳绿", "明月照花红", "不知何处去", "独自倚高楼"},
		{"秋山明月夜", "江上白云深", "故人千里外", "一曲动乡心"},
		{"无边落木萧萧下", "不尽长江滚滚来", "万里悲秋常作客", "百年多病独登台"},
		{"人间四月芳菲尽", "山寺桃花始盛开", "长恨春归无觅处", "不知转入此中来"},
	}
	keywords := [][]string{{"明月", "故乡"}, {"春风", "杨柳", "江南"}, {"月"}, {"山", "水", "云", "风"}, {"秋", "雁", "登高"}, {"梅花", "雪"}}
	var cd, kd []time.Duration
	slowest := map[string]time.Duration{}
	timed := func(name string, ds *[]time.Duration, fn func()) {
		t0 := time.Now()
		fn()
		d := time.Since(t0)
		*ds = append(*ds, d)
		slowest[name] = max(slowest[name], d)
	}
	for range 3 {
		for _, q := range closest {
			timed("Closest "+q[0], &cd, func() { r.Closest(q, 10) })
		}
		for _, q := range keywords {
			timed(fmt.Sprint("ForKeywords ", q), &kd, func() { r.ForKeywords(q, 10) })
		}
	}
	t.Logf("Closest (4 lines, k=10): %v, max %.1f ms", Summarize(cd), Summarize(cd).Max)
	t.Logf("ForKeywords (k=10): %v, max %.1f ms", Summarize(kd), Summarize(kd).Max)
	for name, d := range slowest {
		t.Logf("  %s: %v", name, d.Round(10*time.Microsecond))
	}
	// Abuse: a long query and many common keywords.
	var long []string
	for range 10 {
		for _, q := range closest {
			long = append(long, q...)
		}
	}
	var many []string
	for _, c := range "山水云风月花春秋人天日夜江南北东西" {
		many = append(many, string(c))
	}
	var ld, md []time.Duration
	timed("long", &ld, func() { r.Closest(long, 10) })
	timed("many", &md, func() { r.ForKeywords(many, 10) })
	t.Logf("Closest of %d lines: %v; ForKeywords of %d single characters: %v", len(long), ld[0].Round(time.Millisecond),
		len(many), md[0].Round(time.Millisecond))
	for _, p := range r.ForKeywords([]string{"明月", "故乡"}, 3) {
		t.Logf("明月 故乡 → %s · %s %s %v", p.Title, p.Author, p.Form, p.Matched)
	}
}

func TestRefsSelect(t *testing.T) {
	r := refsOf(
		&corpus.Poem{ID: "a", Title: "甲", Form: "五绝", Lines: []string{"千山鸟飞绝", "万径人踪灭"}},
		&corpus.Poem{ID: "b", Title: "乙", Form: "七绝", Lines: []string{"朝辞白帝彩云间", "千里江陵一日还"}},
		&corpus.Poem{ID: "c", Title: "丙", Form: "五绝", Lines: []string{"床前明月光", "疑是地上霜"}},
	)
	got := r.Select(func(id, form string) bool { return form == "五绝" })
	if len(got) != 2 || got[0].ID != "a" || got[1].ID != "c" || got[1].Lines[0] != "床前明月光" || got[0].Title != "甲" {
		t.Fatalf("Select: %+v", got)
	}
	if got := (&Refs{}).Select(func(string, string) bool { return true }); len(got) != 0 {
		t.Fatalf("empty index: %+v", got)
	}
}
