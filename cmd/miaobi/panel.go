package main

import (
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/poem"
	"miaobi/prosody"
)

const panelHelp = `Usage: miaobi panel make --dir DIR [flags]
       miaobi panel score DIR

make writes a blind panel (see docs/poem.md, "The blind panel"): one Miaobi
poem for each of the 20 keyword sets in poem.PanelSets × the 4 regulated
forms, mixed at random with as many held-out human poems of the same forms
(the corpus's test split, never trained on, each keeping 二四分明, 粘对
and rhyme by the corpus's own 平仄 annotations),
shown without titles or authors. It writes DIR/list.txt (for raters) and
DIR/key.tsv (the sources). Raters' answers go in DIR/ratings/NAME.tsv.

score reads DIR/key.tsv and DIR/ratings/*.tsv and prints the means per source
and form and the share of poems guessed human; it writes DIR/results.md.

Flags of make:
`

func runPanel(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, panelHelp)
		return 2
	}
	switch args[0] {
	case "score":
		if len(args) != 2 {
			fmt.Fprint(stderr, panelHelp)
			return 2
		}
		res, err := judge.ScorePanel(args[1])
		if err != nil {
			fmt.Fprintf(stderr, "miaobi panel score: %v\n", err)
			return 1
		}
		md := res.Markdown()
		fmt.Fprint(stdout, md)
		if err := os.WriteFile(filepath.Join(args[1], "results.md"), []byte(md), 0o644); err != nil {
			fmt.Fprintf(stderr, "miaobi panel score: %v\n", err)
			return 1
		}
		return 0
	case "make":
	case "-h", "--help":
		fmt.Fprint(stdout, panelHelp)
		return 0
	default:
		fmt.Fprintf(stderr, "miaobi panel: unknown step %q\n\n%s", args[0], panelHelp)
		return 2
	}
	fs := flag.NewFlagSet("panel make", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := cli.CorpusFlag(fs)
	dir := fs.String("dir", "", "panel directory to write (required)")
	seed := fs.Int64("seed", 1, "seed of the poems (set i uses seed+i), the human picks and the shuffle")
	modelsDir := fs.String("models", "", "model directory (default: the built-in model)")
	fs.Usage = func() { fmt.Fprint(stderr, panelHelp); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return cli.ParseExit(err)
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "miaobi panel make: --dir is required")
		return 2
	}
	path, err := corpusPath()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi panel make: %v\n", err)
		return 2
	}
	pf := &poemFlags{modelsDir: modelsDir}
	e, err := pf.engine()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi panel make: %v\n", err)
		return 1
	}
	// Human poems first (without the corpus there is no panel, and no poem
	// need be written): the test split's poems of each form that keep the
	// metre by the corpus's own annotations (not by Miaobi's checker, which
	// the panel must not depend on), drawn at random with the seed.
	book, err := prosody.LoadBook("pingshui")
	if err != nil {
		fmt.Fprintf(stderr, "miaobi panel make: %v\n", err)
		return 1
	}
	forms := []string{"五绝", "七绝", "五律", "七律"}
	pool := map[string][]*corpus.Poem{}
	err = judge.HeldOutRegular(path, book, func(p *corpus.Poem) { pool[p.Form] = append(pool[p.Form], p) })
	if err != nil {
		fmt.Fprintf(stderr, "miaobi panel make: %v\n", err)
		return 1
	}
	for _, form := range forms {
		if n := len(pool[form]); n < len(poem.PanelSets) {
			fmt.Fprintf(stderr, "miaobi panel make: only %d held-out %s poems keep the metre by their annotations; a panel needs %d\n", n, form, len(poem.PanelSets))
			return 1
		}
	}
	var items []judge.PanelItem
	for fi, form := range forms {
		for si, set := range poem.PanelSets {
			s := *seed + int64(fi*len(poem.PanelSets)+si)
			ps, err := e.Generate(poem.Request{Form: form, Keywords: set, Seed: s})
			if err != nil {
				fmt.Fprintf(stderr, "miaobi panel make: %s %v: %v\n", form, set, err)
				return 1
			}
			items = append(items, judge.PanelItem{Source: "miaobi", Form: form, Lines: ps[0].Lines,
				Origin: fmt.Sprintf("keywords %s, seed %d", strings.Join(set, "、"), s)})
		}
	}
	rng := rand.New(rand.NewSource(*seed))
	for _, form := range forms {
		ps := pool[form]
		for _, k := range rng.Perm(len(ps))[:len(poem.PanelSets)] {
			p := ps[k]
			items = append(items, judge.PanelItem{Source: "human", Form: form, Lines: p.Lines,
				Origin: fmt.Sprintf("%s %s《%s》 %s", p.Dynasty, p.Author, p.Title, p.ID)})
		}
	}
	out, err := judge.MakePanel(*dir, items, *seed)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi panel make: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s/list.txt and key.tsv: %d poems (%d Miaobi, %d human)\n", *dir, len(out), len(items)/2, len(items)/2)
	return 0
}
