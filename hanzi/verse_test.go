package hanzi

import (
	"fmt"
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

// TestPinyinPolyphones measures Miaobi's readings against four test sets
// written blind, from dictionaries and memory, by helpers who saw neither
// this code nor its output: testdata/pinyin-polyphones.tsv (882 items; the
// development set, used while the readings were improved),
// testdata/pinyin-heldout.tsv (440 items, written afterwards and measured
// once: 96.13 %, where the readings before that improvement scored 91.71 %),
// testdata/pinyin-blind2.tsv (340 items, 113 of them in neither earlier
// set, written to test ReadVerse's 朝: 96.48 % before it, 96.84 % after)
// testdata/pinyin-blind3.tsv (420 items, written to test the reading
// rules and list of 2026-12-06: 94.29 % before them, 96.37 % after, measured
// once; the earlier sets were seen while those were written) and
// testdata/pinyin-blind4.tsv (350 items, written after more rules: 95.06 %
// at the session's start, 97.14 % with them) and testdata/pinyin-blind5.tsv
// (300 items, written after a third round: 96.66 % at the session's start,
// 98.06 % after the second round, 98.10 % after the third). Items labelled
// as lines of poems (教材, 诗) are read as verse. Issue 15 asks for 98 %:
// the last blind set has it. The floors hold today's figures against
// regressions.
func TestPinyinPolyphones(t *testing.T) {
	seen := map[string]bool{} // the items of the sets before, by text
	for _, tc := range []struct {
		file  string
		floor float64
		// newFloor holds the items that no earlier set has.
		newFloor float64
	}{
		{"testdata/pinyin-polyphones.tsv", 0.985, 0},
		{"testdata/pinyin-heldout.tsv", 0.99, 0},
		{"testdata/pinyin-blind2.tsv", 0.99, 0.99},
		{"testdata/pinyin-blind3.tsv", 0.965, 0.965},
		{"testdata/pinyin-blind4.tsv", 0.97, 0.965},
		{"testdata/pinyin-blind5.tsv", 0.98, 0.98},
	} {
		b, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var all, fresh score
		var wrong []string
		var here []string
		for n, line := range strings.Split(string(b), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Split(line, "\t")
			if len(f) != 3 {
				t.Fatalf("%s:%d: bad line %q", tc.file, n+1, line)
			}
			here = append(here, f[0])
			verse := strings.Contains(f[2], "诗") || strings.Contains(f[2], "教材")
			want := strings.Fields(f[1])
			got := strings.Fields(readAloud(t, f[0], verse))
			right := 0
			for i := range want {
				if i < len(got) && got[i] == want[i] {
					right++
				}
			}
			whole := right == len(want) && len(got) == len(want)
			all.add(right, len(want), whole)
			if !seen[f[0]] {
				fresh.add(right, len(want), whole)
			}
			if !whole {
				wrong = append(wrong, f[0]+": "+strings.Join(got, " ")+" (want "+f[1]+")")
			}
		}
		t.Logf("%s: %s", tc.file, all)
		if fresh.items < all.items {
			t.Logf("%s, the %d items no earlier set has: %s", tc.file, fresh.items, fresh)
		}
		for _, w := range wrong {
			t.Log("  " + w)
		}
		if all.items < 300 || all.acc() < tc.floor {
			t.Errorf("%s: %.2f %% of %d syllables right, under %.1f %%", tc.file, 100*all.acc(), all.syllables, 100*tc.floor)
		}
		if fresh.items < all.items && fresh.acc() < tc.newFloor {
			t.Errorf("%s, new items: %.2f %% right, under %.1f %%", tc.file, 100*fresh.acc(), 100*tc.newFloor)
		}
		for _, w := range here {
			seen[w] = true
		}
	}
}

// score counts syllables and items read right.
type score struct{ items, whole, syllables, right int }

func (s *score) add(right, syllables int, whole bool) {
	s.items++
	s.syllables += syllables
	s.right += right
	if whole {
		s.whole++
	}
}

func (s score) acc() float64 { return float64(s.right) / float64(max(s.syllables, 1)) }

func (s score) String() string {
	return fmt.Sprintf("%d items, %d syllables: %.2f %% of syllables right, %d of %d items wholly right", s.items, s.syllables, 100*s.acc(), s.whole, s.items)
}
