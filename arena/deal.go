package arena

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"slices"
	"strings"
)

// Poem is one poem of a round's pool, as the dealer and the results know
// it. Readers are shown only its lines.
type Poem struct {
	ID     string `json:"id"`
	Source string `json:"source"` // "human", "miaobi", "published" or "engine:NAME"
	// Version names what wrote it, precisely enough that a change shows:
	// Miaobi's model and build, an engine's model, the corpus release.
	Version string   `json:"version"`
	Form    string   `json:"form"`
	Prompt  string   `json:"prompt"` // the keywords, joined with 、
	Lines   []string `json:"lines"`
	// Origin says where it came from (a corpus poem's author and title, a
	// generated poem's seed, a work's id); readers never see it.
	Origin string `json:"origin,omitempty"`
	// Key is Key(Lines), when the store has it at hand (the dealer then
	// needs no lines).
	Key string `json:"-"`
}

// Key identifies a poem by its text: the same lines from two rounds, or
// two sources, are the same poem to a reader.
func Key(lines []string) string {
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(h[:12])
}

// Deal is one item a reader answers: two poems on the same prompt and
// form (B set), or one poem.
type Deal struct {
	A, B string // poem IDs
}

// DealFor chooses up to n items for a reader from pool, never a poem
// whose Key is in seen (and never one poem twice). Items alternate pairs
// and single poems; forms take turns; each item goes to the sources the
// reader has seen least in this deal, on a prompt not yet used in it where
// one is left, ties broken by rng. A pair is two poems of different sources
// on the same prompt and form, in random order. Fewer than n items come
// back when the pool runs out for this reader.
func DealFor(pool []Poem, seen map[string]bool, n int, rng *rand.Rand) []Deal {
	type group struct {
		form, prompt string
		poems        []int
	}
	used := make([]bool, len(pool))
	byKey := map[string]bool{}
	for k := range seen {
		byKey[k] = true
	}
	keys := make([]string, len(pool))
	gi := map[[2]string]int{}
	var groups []*group
	var forms []string
	for i, p := range pool {
		keys[i] = p.Key
		if keys[i] == "" {
			keys[i] = Key(p.Lines)
		}
		if byKey[keys[i]] {
			used[i] = true
			continue
		}
		g, ok := gi[[2]string{p.Form, p.Prompt}]
		if !ok {
			g = len(groups)
			gi[[2]string{p.Form, p.Prompt}] = g
			groups = append(groups, &group{form: p.Form, prompt: p.Prompt})
			if !slices.Contains(forms, p.Form) {
				forms = append(forms, p.Form)
			}
		}
		groups[g].poems = append(groups[g].poems, i)
	}
	slices.Sort(forms)
	rng.Shuffle(len(forms), func(i, j int) { forms[i], forms[j] = forms[j], forms[i] })
	shown := map[string]int{}   // source → poems dealt
	prompts := map[string]int{} // form and prompt → items dealt
	take := func(i int) {
		used[i] = true
		byKey[keys[i]] = true
		shown[pool[i].Source]++
	}
	free := func(g *group) []int {
		var out []int
		for _, i := range g.poems {
			if !used[i] && !byKey[keys[i]] {
				out = append(out, i)
			}
		}
		return out
	}
	// pick finds the cheapest item of one kind: the form whose turn it is
	// first, any form once that one has run out.
	pick := func(pair bool, turn int) (a, b int, ok bool) {
		bestCost := 0.0
		for step := 0; step < len(forms) && !ok; step++ {
			form := forms[(turn+step)%len(forms)]
			for _, g := range groups {
				if g.form != form {
					continue
				}
				f := free(g)
				for x, i := range f {
					if !pair {
						cost := float64(shown[pool[i].Source])*4 + float64(prompts[g.form+"\x00"+g.prompt])*20 + rng.Float64()
						if !ok || cost < bestCost {
							a, b, bestCost, ok = i, -1, cost, true
						}
						continue
					}
					for _, j := range f[x+1:] {
						if pool[j].Source == pool[i].Source || keys[i] == keys[j] {
							continue
						}
						cost := float64(shown[pool[i].Source]+shown[pool[j].Source])*2 + float64(prompts[g.form+"\x00"+g.prompt])*20 + rng.Float64()
						if !ok || cost < bestCost {
							a, b, bestCost, ok = i, j, cost, true
						}
					}
				}
			}
		}
		return a, b, ok
	}
	var out []Deal
	for len(out) < n {
		pair := len(out)%2 == 0
		// Forms take turns, shifted by one each cycle so that every form
		// gets pairs and singles alike.
		turn := len(out)
		if len(forms) > 0 {
			turn += len(out) / len(forms)
		}
		a, b, ok := pick(pair, turn)
		if !ok {
			a, b, ok = pick(!pair, turn)
		}
		if !ok {
			break
		}
		d := Deal{A: pool[a].ID}
		take(a)
		if b >= 0 {
			take(b)
			d.B = pool[b].ID
			if rng.Intn(2) == 0 {
				d.A, d.B = d.B, d.A
			}
		}
		prompts[pool[a].Form+"\x00"+pool[a].Prompt]++
		out = append(out, d)
	}
	return out
}
