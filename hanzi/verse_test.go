package hanzi

import (
	"os"
	"strings"
	"testing"
)

// readAloud reads text as 'miaobi pinyin' and 'miaobi recite' do: verse by
// ReadVerse, anything else by Pinyin.
func readAloud(t *testing.T, text string, verse bool) string {
	t.Helper()
	read := Pinyin
	if verse {
		read = ReadVerse
	}
	syl, err := read(text)
	if err != nil {
		t.Fatal(err)
	}
	return FormatPinyin(syl, false, false)
}

// TestPinyinPolyphones measures Miaobi's readings against two test sets
// written blind, from dictionaries, by helpers who saw neither this code
// nor its output: testdata/pinyin-polyphones.tsv (882 items; the
// development set, used while the readings were improved) and
// testdata/pinyin-heldout.tsv (440 items, written afterwards and measured
// once: 96.13 %, where the readings before the improvement scored 91.71 %).
// Items labelled as lines of poems (教材, 诗) are read as verse. Issue 15
// asks for 98 %; the floors hold today's figures (97.89 % and 96.13 %)
// against regressions.
func TestPinyinPolyphones(t *testing.T) {
	for _, tc := range []struct {
		file  string
		floor float64
	}{
		{"testdata/pinyin-polyphones.tsv", 0.975},
		{"testdata/pinyin-heldout.tsv", 0.955},
	} {
		b, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var items, right, total, wholeRight int
		var wrong []string
		for n, line := range strings.Split(string(b), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Split(line, "\t")
			if len(f) != 3 {
				t.Fatalf("%s:%d: bad line %q", tc.file, n+1, line)
			}
			items++
			verse := strings.Contains(f[2], "诗") || strings.Contains(f[2], "教材")
			want := strings.Fields(f[1])
			got := strings.Fields(readAloud(t, f[0], verse))
			ok := len(got) == len(want)
			for i := range want {
				total++
				if i < len(got) && got[i] == want[i] {
					right++
				} else {
					ok = false
				}
			}
			if ok {
				wholeRight++
			} else {
				wrong = append(wrong, f[0]+": "+strings.Join(got, " ")+" (want "+f[1]+")")
			}
		}
		acc := float64(right) / float64(total)
		t.Logf("%s: %d items, %d syllables: %.2f %% of syllables right, %d of %d items wholly right", tc.file, items, total, 100*acc, wholeRight, items)
		for _, w := range wrong {
			t.Log("  " + w)
		}
		if items < 300 || acc < tc.floor {
			t.Errorf("%s: %.2f %% of %d syllables right, under %.1f %%", tc.file, 100*acc, total, 100*tc.floor)
		}
	}
}
