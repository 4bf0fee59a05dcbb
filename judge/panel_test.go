package judge

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPanelMakeAndScore(t *testing.T) {
	dir := t.TempDir()
	items := []PanelItem{
		{Source: "miaobi", Form: "五绝", Lines: []string{"山月照孤舟", "江风吹客愁", "一声何处笛", "吹落满汀洲"}, Origin: "keywords 月, seed 1"},
		{Source: "human", Form: "五绝", Lines: []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"}, Origin: "王之涣《登鹳雀楼》"},
		{Source: "miaobi", Form: "七绝", Lines: []string{"一二三四五六七", "一二三四五六七", "一二三四五六七", "一二三四五六七"}, Origin: "x"},
		{Source: "human", Form: "七绝", Lines: []string{"一二三四五六七", "一二三四五六七", "一二三四五六七", "一二三四五六七"}, Origin: "y"},
	}
	out, err := MakePanel(dir, items, 3)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := os.ReadFile(filepath.Join(dir, "list.txt"))
	if strings.Contains(string(list), "王之涣") || strings.Contains(string(list), "seed") {
		t.Error("the list shows where a poem came from")
	}
	if !strings.Contains(string(list), "白日依山尽，黄河入海流。") {
		t.Error("the list lacks a punctuated poem")
	}
	// Rater 1 likes human poems, rater 2 rates everything 3.
	var r1, r2 strings.Builder
	r1.WriteString("item\tfluency\tcoherence\tmeaning\tpoeticness\tguess\n")
	for i, it := range out {
		if it.Source == "human" {
			r1.WriteString(strings.Join([]string{itoa(i + 1), "5", "5", "4", "4", "H"}, "\t") + "\n")
		} else {
			r1.WriteString(strings.Join([]string{itoa(i + 1), "2", "1", "1", "2", "M"}, "\t") + "\n")
		}
		r2.WriteString(itoa(i+1) + "\t3\t3\t3\t3\tH\n")
	}
	os.WriteFile(filepath.Join(dir, "ratings", "r1.tsv"), []byte(r1.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "ratings", "r2.tsv"), []byte(r2.String()), 0o644)
	res, err := ScorePanel(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][5]float64{ // source/form: 4 means, guessed human
		"miaobi/all": {2.5, 2, 2, 2.5, 0.5},
		"human/all":  {4, 4, 3.5, 3.5, 1},
		"human/五绝":   {4, 4, 3.5, 3.5, 1},
	}
	for _, row := range res.Rows {
		w, ok := want[row.Source+"/"+row.Form]
		if !ok {
			continue
		}
		delete(want, row.Source+"/"+row.Form)
		for k := 0; k < 4; k++ {
			if row.Means[k] != w[k] {
				t.Errorf("%s/%s %s = %v, want %v", row.Source, row.Form, PanelCriteria[k], row.Means[k], w[k])
			}
		}
		if row.GuessedHuman != w[4] {
			t.Errorf("%s/%s guessed human %v, want %v", row.Source, row.Form, row.GuessedHuman, w[4])
		}
	}
	if len(want) > 0 {
		t.Errorf("rows missing: %v", want)
	}
	if !strings.Contains(res.Markdown(), "| miaobi | all | 2 | 4 | 2.50 |") {
		t.Errorf("markdown:\n%s", res.Markdown())
	}
	// A rater who skipped an item is an error, not a silent gap.
	os.WriteFile(filepath.Join(dir, "ratings", "r3.tsv"), []byte("1\t3\t3\t3\t3\tH\n"), 0o644)
	if _, err := ScorePanel(dir); err == nil || !strings.Contains(err.Error(), "rates 1 of 4") {
		t.Errorf("partial ratings: %v", err)
	}
}

func TestParseRatingsErrors(t *testing.T) {
	for _, in := range []string{
		"1\t3\t3\t3\t3",                      // no guess
		"1\t3\t3\t3\t3\tX",                   // bad guess
		"9\t3\t3\t3\t3\tH",                   // no such item
		"1\t6\t3\t3\t3\tH",                   // score out of range
		"1\t3\t3\t3\t3\tH\n1\t3\t3\t3\t3\tM", // twice
		"a\t3\t3\t3\t3\tH",
	} {
		if _, err := ParseRatings(strings.NewReader(in), 4); err == nil {
			t.Errorf("ParseRatings(%q) accepted it", in)
		}
	}
	rs, err := ParseRatings(strings.NewReader("# comment\n\n2.\t4\t3.5\t3\t2\th\n"), 4)
	if err != nil || len(rs) != 1 || rs[0].Item != 2 || !rs[0].Human || rs[0].Scores[1] != 3.5 {
		t.Errorf("got %v, %v", rs, err)
	}
}

func FuzzParseRatings(f *testing.F) {
	f.Add("1\t3\t3\t3\t3\tH\n2\t1\t2\t3\t4\tM\n")
	f.Add("item\tfluency\n#x\n")
	f.Fuzz(func(t *testing.T, s string) {
		rs, err := ParseRatings(strings.NewReader(s), 10)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Item < 1 || r.Item > 10 {
				t.Fatalf("item %d out of range", r.Item)
			}
			for _, v := range r.Scores {
				if v < 1 || v > 5 {
					t.Fatalf("score %v out of range", v)
				}
			}
		}
	})
}

// A dev panel compares variants: every source in the key gets its rows,
// Miaobi first, variants by name, the human poems last.
func TestScorePanelVariants(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "ratings"), 0o755)
	key := "item\tsource\tform\torigin\n1\thuman\t五绝\ta\n2\tvariant-b\t五绝\tb\n3\tmiaobi\t五绝\tc\n4\tvariant-a\t七律\td\n"
	os.WriteFile(filepath.Join(dir, "key.tsv"), []byte(key), 0o644)
	os.WriteFile(filepath.Join(dir, "ratings", "r.tsv"), []byte("1\t5\t5\t5\t5\tH\n2\t2\t2\t2\t2\tM\n3\t3\t3\t3\t3\tM\n4\t4\t4\t4\t4\tH\n"), 0o644)
	res, err := ScorePanel(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rows {
		got = append(got, fmt.Sprintf("%s/%s %.0f", r.Source, r.Form, r.Means[0]))
	}
	want := "miaobi/all 3,miaobi/五绝 3,variant-a/all 4,variant-a/七律 4,variant-b/all 2,variant-b/五绝 2,human/all 5,human/五绝 5"
	if strings.Join(got, ",") != want {
		t.Errorf("rows %s\nwant %s", strings.Join(got, ","), want)
	}
}
