package bench

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/lm"
	"miaobi/poem"
)

const benchPoemHelp = `Usage: miaobi bench poem [flags]

Generates one poem per keyword set, the sets taken from the titles of
held-out human poems (the corpus's test split, never trained on), on one
goroutine, and reports per form: compliance (合律 by an independent
checker), copy rate (exact scan of every corpus line), keyword hit rate,
distinct-1/2, fluency (perplexity under a judge model trained on the
held-out judge split, generated ÷ held-out human poems of the form) and
latency p50/p99. --write puts the table into docs/benchmarks.md and sample
poems into docs/samples.md.

Flags:
`

func runBenchPoem(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench poem", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := cli.CorpusFlag(fs)
	modelsDir := fs.String("models", "", "model directory (default: the built-in model)")
	kind := fs.String("model", "kn", "language model: kn (shipped) or nn (the neural model of 'train poem --nn', in --models)")
	perForm := fs.Int("per-form", 60, "keyword sets per form (4 forms)")
	seed := fs.Int64("seed", 1, "seed of the first set (set i uses seed+i)")
	split := fs.String("split", "test", "titles from the test split, or judge (for tuning without touching test)")
	write := fs.Bool("write", false, "update docs/benchmarks.md and docs/samples.md")
	asJSON := fs.Bool("json", false, "print the figures as JSON")
	fs.Usage = func() { fmt.Fprint(stderr, benchPoemHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	path, err := corpusPath()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench poem: %v\n", err)
		return 2
	}
	e, err := cli.PoemEngine(*modelsDir, *kind)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench poem: %v\n", err)
		return 1
	}
	want := corpus.Test
	if *split == "judge" {
		want = corpus.Judge
	} else if *split != "test" {
		fmt.Fprintf(stderr, "miaobi bench poem: --split must be test or judge\n")
		return 2
	}
	// The judge model learns from the judge split; human poems and titles
	// come from the test split.
	counts := map[rune]int{}
	var judgeLines, titlePoems []*corpus.Poem
	human := map[string][][]string{}
	err = corpus.Read(path, func(p *corpus.Poem) error {
		s := corpus.SplitOf(p.ID)
		if s == corpus.Judge && poem.TrainForms[p.Form] {
			judgeLines = append(judgeLines, p)
			for _, l := range p.Lines {
				for _, r := range l {
					counts[r]++
				}
			}
		}
		if s == corpus.Test && poem.HeldOutForms[p.Form] {
			human[p.Form] = append(human[p.Form], p.Lines)
		}
		if s == want {
			titlePoems = append(titlePoems, p)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench poem: %v\n", err)
		return 1
	}
	v := lm.NewVocab(counts, 1)
	var seqs [][]lm.Token
	for _, p := range judgeLines {
		seqs = append(seqs, v.Encode(p.Lines))
	}
	judgeLM, err := lm.TrainKN(v, seqs, lm.KNConfig{Order: 4})
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench poem: %v\n", err)
		return 1
	}
	sets := e.BenchSets(titlePoems, *perForm)
	fmt.Fprintf(stderr, "generating %d poems …\n", len(sets))
	start := time.Now()
	results := e.RunBench(sets, *seed)
	wall := time.Since(start)
	var gen [][]string
	idx := map[int]int{}
	for i, r := range results {
		if r.Err == nil {
			idx[len(gen)] = i
			gen = append(gen, r.Poem.Lines)
		}
	}
	copies, err := judge.ScanCopies(path, gen)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench poem: %v\n", err)
		return 1
	}
	for i := range copies {
		copies[i].Poem = idx[copies[i].Poem]
	}
	// Metre by an outside measure: the corpus's own 平仄 annotations of
	// each character, not Miaobi's rhyme book.
	ann, err := judge.CountAnnotations(path)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench poem: %v\n", err)
		return 1
	}
	for i := range results {
		if p := results[i].Poem; p != nil {
			results[i].Metre = judge.KeepsMetre(p.Lines, ann.ClassTones(p.Lines))
		}
	}
	stats := poem.Summarize(results, copies, judgeLM, human)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		enc.Encode(stats)
	} else {
		fmt.Fprint(stdout, poem.StatsMarkdown(stats))
		for _, r := range results {
			if r.Err != nil {
				fmt.Fprintf(stdout, "failed: %s %v: %v\n", r.Set.Form, r.Set.Keywords, r.Err)
			}
		}
		for _, c := range copies {
			fmt.Fprintf(stdout, "copied: set %d line %d 「%s」 from %s\n", c.Poem, c.Line+1, c.Run, c.Source)
		}
	}
	fmt.Fprintf(stderr, "%d poems in %.1fs\n", len(results), wall.Seconds())
	if *write {
		if err := writeBenchDocs(e, stats, results, *seed, *perForm, *split); err != nil {
			fmt.Fprintf(stderr, "miaobi bench poem: %v\n", err)
			return 1
		}
	}
	return 0
}

const (
	markStart = "<!-- bench poem: start -->"
	markEnd   = "<!-- bench poem: end -->"
)

func writeBenchDocs(e *poem.Engine, stats []poem.FormStats, results []poem.BenchResult, seed int64, perForm int, split string) error {
	host, _ := os.Hostname()
	_ = host
	var sb strings.Builder
	sb.WriteString(markStart + "\n")
	fmt.Fprintf(&sb, "Command: `miaobi bench poem --per-form %d --seed %d --split %s --write` (%s). Model: %s, trained in %.0f s; held-out perplexity %.1f.\n\n",
		perForm, seed, split, time.Now().UTC().Format("2006-01-02"), e.Manifest.Model.Kind, e.Manifest.TrainingSeconds, e.Manifest.Model.HeldOutPerplexity)
	sb.WriteString(poem.StatsMarkdown(stats))
	sb.WriteString("\n" + markEnd)
	if err := replaceSection("docs/benchmarks.md", "## Poem generation", sb.String()); err != nil {
		return err
	}
	sm, err := e.SamplesMarkdown(results)
	if err != nil {
		return err
	}
	return os.WriteFile("docs/samples.md", []byte(sm), 0o644)
}

// replaceSection puts body under heading in a Markdown file, replacing the
// text between the bench markers, or appending the heading and body.
func replaceSection(path, heading, body string) error {
	return replaceBetween(path, heading, body, markStart, markEnd)
}

// replaceBetween is replaceSection with the markers given.
func replaceBetween(path, heading, body, markStart, markEnd string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(old)
	if i, j := strings.Index(s, markStart), strings.Index(s, markEnd); i >= 0 && j > i {
		s = s[:i] + body + s[j+len(markEnd):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + heading + "\n\n" + body + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
