package arena

import (
	"fmt"
	"math/rand"
	"testing"
)

func testPool(prompts int, sources ...string) []Poem {
	var pool []Poem
	for _, form := range []string{"五绝", "七绝", "五律", "七律"} {
		for p := range prompts {
			for _, s := range sources {
				id := fmt.Sprintf("%s-%d-%s", form, p, s)
				pool = append(pool, Poem{ID: id, Source: s, Form: form, Prompt: fmt.Sprint("prompt", p), Lines: []string{id}})
			}
		}
	}
	return pool
}

func TestDealFor(t *testing.T) {
	pool := testPool(5, "human", "miaobi", "engine:llm")
	byID := map[string]Poem{}
	for _, p := range pool {
		byID[p.ID] = p
	}
	rng := rand.New(rand.NewSource(3))
	seen := map[string]bool{}
	humanFirst, pairsWithHuman := 0, 0
	for reader := 0; reader < 30; reader++ {
		seen := map[string]bool{}
		if reader == 0 {
			seen = map[string]bool{Key(pool[0].Lines): true}
		}
		deals := DealFor(pool, seen, 20, rng)
		if len(deals) != 20 {
			t.Fatalf("reader %d: %d deals, want 20", reader, len(deals))
		}
		forms, sources, prompts := map[string]int{}, map[string]int{}, map[string]int{}
		kinds := map[string]int{}
		pairs := 0
		for i, d := range deals {
			a := byID[d.A]
			if seen[Key(a.Lines)] {
				t.Fatalf("reader %d: poem %s dealt twice or after being seen", reader, d.A)
			}
			seen[Key(a.Lines)] = true
			forms[a.Form]++
			sources[a.Source]++
			prompts[a.Form+a.Prompt]++
			if d.B != "" {
				kinds[a.Form]++
			}
			if d.B == "" {
				if i%2 == 0 {
					t.Errorf("reader %d: item %d is single, want a pair", reader, i)
				}
				continue
			}
			pairs++
			b := byID[d.B]
			if seen[Key(b.Lines)] {
				t.Fatalf("reader %d: poem %s dealt twice", reader, d.B)
			}
			seen[Key(b.Lines)] = true
			sources[b.Source]++
			if a.Form != b.Form || a.Prompt != b.Prompt || a.Source == b.Source {
				t.Errorf("pair %v: %+v against %+v", d, a, b)
			}
			if a.Source == "human" {
				humanFirst++
			}
			if a.Source == "human" || b.Source == "human" {
				pairsWithHuman++
			}
		}
		if pairs != 10 {
			t.Errorf("reader %d: %d pairs, want 10", reader, pairs)
		}
		for f, c := range forms {
			if c != 5 {
				t.Errorf("reader %d: form %s has %d items, want 5 (%v)", reader, f, c, forms)
			}
		}
		for f, c := range kinds {
			if c < 2 || c > 3 {
				t.Errorf("reader %d: form %s has %d pairs of 5 items", reader, f, c)
			}
		}
		for s, c := range sources {
			if c < 9 || c > 11 {
				t.Errorf("reader %d: source %s shown %d times of 30 (%v)", reader, s, c, sources)
			}
		}
		for p, c := range prompts {
			if c > 1 {
				t.Errorf("reader %d: prompt %s used %d times while others were free", reader, p, c)
			}
		}
	}
	// The human poem should sit first in about half the pairs holding one.
	if share := float64(humanFirst) / float64(pairsWithHuman); share < 0.35 || share > 0.65 {
		t.Errorf("human poem first in %.2f of its pairs", share)
	}
	_ = seen
}

func TestDealForRunsOut(t *testing.T) {
	pool := testPool(1, "human", "miaobi")[:4] // 五绝 and 七绝, one prompt each
	rng := rand.New(rand.NewSource(1))
	d := DealFor(pool, nil, 20, rng)
	// A pair, a single (its turn), then the last poem alone.
	if len(d) != 3 || d[0].B == "" || d[1].B != "" || d[2].B != "" {
		t.Fatalf("deals %+v: want a pair and two singles", d)
	}
	// Seen everything but one poem: that one comes as a single.
	seen := map[string]bool{}
	for _, p := range pool[1:] {
		seen[Key(p.Lines)] = true
	}
	if d := DealFor(pool, seen, 20, rng); len(d) != 1 || d[0].A != pool[0].ID || d[0].B != "" {
		t.Fatalf("deals %+v", d)
	}
	if d := DealFor(nil, nil, 20, rng); len(d) != 0 {
		t.Fatalf("empty pool dealt %+v", d)
	}
	// Two sources writing the same text are one poem.
	dup := []Poem{{ID: "a", Source: "human", Form: "五绝", Prompt: "p", Lines: []string{"同"}}, {ID: "b", Source: "miaobi", Form: "五绝", Prompt: "p", Lines: []string{"同"}}}
	if d := DealFor(dup, nil, 5, rng); len(d) != 1 || d[0].B != "" {
		t.Fatalf("duplicate text dealt %+v", d)
	}
}

func BenchmarkDealFor10k(b *testing.B) {
	pool := testPool(1250, "human", "miaobi") // 4 forms × 1,250 prompts × 2 = 10,000 poems
	rng := rand.New(rand.NewSource(1))
	b.ReportAllocs()
	for b.Loop() {
		if d := DealFor(pool, nil, 20, rng); len(d) != 20 {
			b.Fatal(len(d))
		}
	}
}
