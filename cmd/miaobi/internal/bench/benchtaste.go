package bench

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/judge"
	"miaobi/models"
	"miaobi/poem"
)

const benchTasteHelp = `Usage: miaobi bench taste [flags]

Measures the studio's taste ranker: it writes poems with the embedded model
(keyword sets × forms × seeds), lets SIMULATED raters score them — each with
a hidden liking for some characters and images and a weight on the engine's
own score, plus noise — fits a taste on 80% of each rater's ratings and
counts the held-out pairs it orders correctly, against the engine's own
order and chance. No person's ratings are involved.

Flags:
`

const (
	tasteMarkStart = "<!-- bench taste: start -->"
	tasteMarkEnd   = "<!-- bench taste: end -->"
)

var tasteKeywordSets = [][]string{
	{"秋", "月"}, {"春", "花"}, {"山", "水"}, {"送别", "柳"}, {"边塞", "雁"}, {"江", "舟"},
	{"梅", "雪"}, {"登高", "云"}, {"田园", "归"}, {"竹", "风"}, {"夏", "荷"}, {"灯", "跳舞"},
	{"故乡", "高铁"}, {"酒", "剑"}, {"夜", "雨"},
}

func runBenchTaste(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench taste", flag.ContinueOnError)
	fs.SetOutput(stderr)
	perSet := fs.Int("n", 10, "poems per keyword set and form")
	raters := fs.Int("raters", 20, "simulated raters")
	ratings := fs.Int("ratings", 100, "ratings per rater")
	seed := fs.Int64("seed", 1, "seed of the poems and the raters")
	write := fs.Bool("write", false, "update docs/benchmarks.md")
	fs.Usage = func() { fmt.Fprint(stderr, benchTasteHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "bench taste")
	if *perSet < 1 || *perSet > 50 || *raters < 1 || *ratings < 10 {
		return fail(2, fmt.Errorf("--n 1–50, --raters ≥ 1 and --ratings ≥ 10"))
	}
	e, err := poem.Load(models.Poem())
	if err != nil {
		return fail(1, err)
	}
	start := time.Now()
	var cands []judge.Candidate
	for _, form := range []string{"五绝", "七绝"} {
		for i, kw := range tasteKeywordSets {
			ps, err := e.Generate(poem.Request{Form: form, Keywords: kw, Seed: *seed + int64(i), N: *perSet})
			if err != nil {
				return fail(1, fmt.Errorf("%s %v: %w", form, kw, err))
			}
			for _, p := range ps {
				cands = append(cands, judge.Candidate{Lines: p.Lines, Form: p.Form, Score: p.Scores.Score, Perplexity: p.Scores.Perplexity, Imagery: p.Scores.Imagery})
			}
		}
	}
	gen := time.Since(start)
	rep, err := judge.EvaluateTaste(cands, judge.TasteEvalOptions{Raters: *raters, Ratings: *ratings, Seed: *seed})
	if err != nil {
		return fail(1, err)
	}
	fmt.Fprintf(stdout, "%d poems written in %.1f s\n%s\n", len(cands), gen.Seconds(), rep)
	if !*write {
		return 0
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s\n\nCommand: `miaobi bench taste --n %d --raters %d --ratings %d --seed %d --write` (%d cores, %s, %s). %d real poems from the embedded model (%d keyword sets × 五绝/七绝 × %d); the raters are **simulated** (hidden liking for characters and an image group, a weight on the engine score, noise σ 0.5), so this shows the ranker recovers a taste of that kind, not how well it fits people.\n\n",
		tasteMarkStart, *perSet, *raters, *ratings, *seed, runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02"),
		len(cands), len(tasteKeywordSets), *perSet)
	sb.WriteString("| held-out pairwise accuracy | value |\n|---|---|\n")
	fmt.Fprintf(&sb, "| taste model (fitted on %d ratings per rater) | **%.3f** |\n| engine's own score order | %.3f |\n| chance | %.3f |\n| oracle (the rater's noiseless preference) | %.3f |\n| raters for whom the model beats the engine | %d of %d |\n| held-out pairs | %d |\n| fit time | %s |\n",
		rep.Train, rep.Model, rep.Engine, rep.Chance, rep.Oracle, rep.ModelWins, rep.Raters, rep.Pairs, rep.Fit)
	sb.WriteString(tasteMarkEnd)
	if err := replaceBetween("docs/benchmarks.md", "## Taste ranker (miaobi bench taste)", sb.String(), tasteMarkStart, tasteMarkEnd); err != nil {
		return fail(1, err)
	}
	fmt.Fprintln(stdout, "updated docs/benchmarks.md")
	return 0
}
