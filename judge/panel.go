package judge

// The blind panel: Miaobi's poems mixed at random with held-out human poems
// of the same forms, every item shown as bare lines (no title, no author,
// simplified characters, the same punctuation), scored 1–5 for fluency,
// coherence, meaning and poeticness and guessed human or machine by raters
// who are not told the source and get the whole shuffled list at once.
//
// A panel lives in one directory:
//
//	list.txt          what raters read: instructions and the numbered poems
//	key.tsv           item → source (miaobi or human), form, and where it came from
//	ratings/NAME.tsv  one rater's scores: item, fluency, coherence, meaning, poeticness, guess
//	results.md        the table ScorePanel computes from key and ratings
//
// MakePanel writes list.txt and key.tsv; raters write ratings; ScorePanel
// reads them back, so anyone can recompute the figures from the files.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// PanelItem is one poem on a panel.
type PanelItem struct {
	Source string   // "miaobi" or "human"
	Form   string   // 五绝, 七绝, 五律, 七律
	Lines  []string // simplified characters, no punctuation
	// Origin says where it came from: the keywords and seed of a generated
	// poem, or the author, title and corpus id of a human one. Raters never
	// see it.
	Origin string
}

// Panel criteria, in the order of a ratings row.
var PanelCriteria = []string{"fluency", "coherence", "meaning", "poeticness"}

const panelInstructions = `# 盲评 / Blind panel

You are a rater of classical Chinese poems (近体诗). Below are %d numbered poems.
Some were written by people (Tang and Song poets) and some by a machine; you are
not told which. Titles and authors are hidden; every poem is in simplified
characters.

Score each poem from 1 (poor) to 5 (excellent) on four criteria:
  fluency     通顺 — are the lines well-formed, grammatical classical Chinese?
  coherence   连贯 — do the lines hold together as one poem, in scene, season and theme?
  meaning     意义 — does the poem say something, convey a feeling or thought?
  poeticness  诗意 — is it beautiful, evocative, artful as poetry?
Then guess its source: H (written by a person) or M (written by a machine).

Answer with one line per poem, tab-separated, in this exact form and nothing else:
item<TAB>fluency<TAB>coherence<TAB>meaning<TAB>poeticness<TAB>guess
for example:
7<TAB>4<TAB>3<TAB>3<TAB>4<TAB>H

`

// MakePanel shuffles items with seed, writes list.txt and key.tsv into dir
// and returns the shuffled items (item n is out[n-1]).
func MakePanel(dir string, items []PanelItem, seed int64) ([]PanelItem, error) {
	if len(items) == 0 {
		return nil, errors.New("judge: panel: no poems")
	}
	for i, it := range items {
		if it.Source != "miaobi" && it.Source != "human" {
			return nil, fmt.Errorf("judge: panel: item %d: source %q (want miaobi or human)", i+1, it.Source)
		}
		if len(it.Lines) == 0 {
			return nil, fmt.Errorf("judge: panel: item %d has no lines", i+1)
		}
	}
	out := append([]PanelItem(nil), items...)
	rng := rand.New(rand.NewSource(seed))
	rng.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	if err := os.MkdirAll(filepath.Join(dir, "ratings"), 0o755); err != nil {
		return nil, fmt.Errorf("judge: panel: %w", err)
	}
	var list, key bytes.Buffer
	fmt.Fprintf(&list, panelInstructions, len(out))
	key.WriteString("item\tsource\tform\torigin\n")
	for i, it := range out {
		fmt.Fprintf(&list, "%d.\n%s\n\n", i+1, punctuate(it.Lines))
		fmt.Fprintf(&key, "%d\t%s\t%s\t%s\n", i+1, it.Source, it.Form, strings.ReplaceAll(it.Origin, "\t", " "))
	}
	if err := os.WriteFile(filepath.Join(dir, "list.txt"), list.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("judge: panel: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.tsv"), key.Bytes(), 0o644); err != nil {
		return nil, fmt.Errorf("judge: panel: %w", err)
	}
	return out, nil
}

// punctuate joins lines as couplets: ，after odd lines, 。after even ones.
func punctuate(lines []string) string {
	var sb strings.Builder
	for i, l := range lines {
		sb.WriteString(l)
		if i%2 == 0 {
			sb.WriteString("，")
		} else {
			sb.WriteString("。\n")
		}
	}
	return strings.TrimRight(sb.String(), "\n")
}

// PanelRating is one rater's verdict on one item.
type PanelRating struct {
	Item   int
	Scores [4]float64 // in PanelCriteria order
	Human  bool       // guessed human
}

// ParseRatings reads a rater's tab-separated answers. Blank lines, lines
// starting with # and a header line starting with "item" are skipped;
// anything else malformed is an error naming the line.
func ParseRatings(r io.Reader, items int) ([]PanelRating, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	var out []PanelRating
	seen := map[int]bool{}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(strings.ToLower(line), "item") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 6 {
			return nil, fmt.Errorf("line %d: want 6 fields (item, 4 scores, H or M), got %d", n, len(f))
		}
		var pr PanelRating
		var err error
		if pr.Item, err = strconv.Atoi(strings.TrimSuffix(f[0], ".")); err != nil || pr.Item < 1 || pr.Item > items {
			return nil, fmt.Errorf("line %d: item %q is not a number from 1 to %d", n, f[0], items)
		}
		if seen[pr.Item] {
			return nil, fmt.Errorf("line %d: item %d rated twice", n, pr.Item)
		}
		seen[pr.Item] = true
		for k := 0; k < 4; k++ {
			v, err := strconv.ParseFloat(f[1+k], 64)
			if err != nil || v < 1 || v > 5 {
				return nil, fmt.Errorf("line %d: %s %q is not a score from 1 to 5", n, PanelCriteria[k], f[1+k])
			}
			pr.Scores[k] = v
		}
		switch strings.ToUpper(f[5]) {
		case "H":
			pr.Human = true
		case "M":
		default:
			return nil, fmt.Errorf("line %d: guess %q: want H or M", n, f[5])
		}
		out = append(out, pr)
	}
	return out, sc.Err()
}

// PanelRow is the mean scores of one group of items.
type PanelRow struct {
	Source, Form string
	Items        int        // items in the group
	Ratings      int        // ratings counted
	Means        [4]float64 // PanelCriteria order
	GuessedHuman float64    // share of ratings that guessed human
}

// PanelResult is what a scored panel says.
type PanelResult struct {
	Raters []string
	Rows   []PanelRow // per source (Form "all"), then per source and form
	// MeanAbsDiff is how far raters agree: the mean absolute difference
	// between two raters' scores of the same item and criterion (0: same).
	MeanAbsDiff float64
}

// ScorePanel reads key.tsv and every ratings/*.tsv of a panel directory.
func ScorePanel(dir string) (*PanelResult, error) {
	key, err := readKey(filepath.Join(dir, "key.tsv"))
	if err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ratings", "*.tsv"))
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("judge: panel %s: no ratings/*.tsv yet", dir)
	}
	res := &PanelResult{}
	type acc struct {
		items map[int]bool
		n     int
		sum   [4]float64
		human int
	}
	groups := map[[2]string]*acc{}
	add := func(k [2]string, item int, r PanelRating) {
		a := groups[k]
		if a == nil {
			a = &acc{items: map[int]bool{}}
			groups[k] = a
		}
		a.items[item] = true
		a.n++
		for i := range r.Scores {
			a.sum[i] += r.Scores[i]
		}
		if r.Human {
			a.human++
		}
	}
	byItem := map[int][]PanelRating{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("judge: panel: %w", err)
		}
		rs, err := ParseRatings(bytes.NewReader(b), len(key))
		if err != nil {
			return nil, fmt.Errorf("judge: panel: %s: %w", filepath.Base(f), err)
		}
		if len(rs) != len(key) {
			return nil, fmt.Errorf("judge: panel: %s rates %d of %d items; every rater must rate every item", filepath.Base(f), len(rs), len(key))
		}
		res.Raters = append(res.Raters, strings.TrimSuffix(filepath.Base(f), ".tsv"))
		for _, r := range rs {
			it := key[r.Item-1]
			add([2]string{it.Source, "all"}, r.Item, r)
			add([2]string{it.Source, it.Form}, r.Item, r)
			byItem[r.Item] = append(byItem[r.Item], r)
		}
	}
	var diff float64
	var pairs int
	for _, rs := range byItem {
		for a := range rs {
			for b := a + 1; b < len(rs); b++ {
				for k := 0; k < 4; k++ {
					d := rs[a].Scores[k] - rs[b].Scores[k]
					if d < 0 {
						d = -d
					}
					diff += d
					pairs++
				}
			}
		}
	}
	if pairs > 0 {
		res.MeanAbsDiff = diff / float64(pairs)
	}
	forms := []string{"all", "五绝", "七绝", "五律", "七律"}
	// Miaobi first, then other sources (variants a dev panel compares)
	// by name, the human poems last.
	var sources []string
	for k := range groups {
		if k[1] == "all" && k[0] != "miaobi" && k[0] != "human" {
			sources = append(sources, k[0])
		}
	}
	sort.Strings(sources)
	sources = append(append([]string{"miaobi"}, sources...), "human")
	for _, src := range sources {
		for _, f := range forms {
			a := groups[[2]string{src, f}]
			if a == nil {
				continue
			}
			row := PanelRow{Source: src, Form: f, Items: len(a.items), Ratings: a.n, GuessedHuman: float64(a.human) / float64(a.n)}
			for i := range row.Means {
				row.Means[i] = a.sum[i] / float64(a.n)
			}
			res.Rows = append(res.Rows, row)
		}
	}
	return res, nil
}

func readKey(path string) ([]PanelItem, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("judge: panel: %w", err)
	}
	var out []PanelItem
	for n, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if n == 0 {
			continue // header
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("judge: panel: %s:%d: want 4 fields", path, n+1)
		}
		if i, err := strconv.Atoi(f[0]); err != nil || i != len(out)+1 {
			return nil, fmt.Errorf("judge: panel: %s:%d: items must be numbered 1, 2, 3 … in order", path, n+1)
		}
		out = append(out, PanelItem{Source: f[1], Form: f[2], Origin: f[3]})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("judge: panel: %s lists no items", path)
	}
	return out, nil
}

// Markdown renders the result as a table.
func (r *PanelResult) Markdown() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Raters: %s (%d). Mean absolute difference between two raters' scores of one item: %.2f.\n\n", strings.Join(r.Raters, ", "), len(r.Raters), r.MeanAbsDiff)
	sb.WriteString("| source | form | poems | ratings | fluency | coherence | meaning | poeticness | guessed human |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, row := range r.Rows {
		fmt.Fprintf(&sb, "| %s | %s | %d | %d | %.2f | %.2f | %.2f | %.2f | %.1f %% |\n", row.Source, row.Form, row.Items, row.Ratings,
			row.Means[0], row.Means[1], row.Means[2], row.Means[3], 100*row.GuessedHuman)
	}
	return sb.String()
}
