package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
)

const corpusHelp = `Usage: miaobi corpus <fetch|build|stats|path> [flags]

  fetch   download chinese-poetry@2.0.1 with 'npm pack', check it against its
          published sha512 integrity, and build the corpus in the data dir
          (--from FILE uses a tarball you already have; it is verified too)
  build   build the corpus from a local tarball (--from FILE), without the
          integrity check, e.g. for a test fixture
  stats   print poem counts per collection and form (--json for JSON)
  path    print where the corpus lives

The data dir is $MIAOBI_HOME (default ~/.local/share/miaobi).
`

func runCorpus(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, corpusHelp)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	dir, err := corpus.DataDir()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi corpus: %v\n", err)
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("corpus "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "use this package tarball instead of downloading")
	asJSON := fs.Bool("json", false, "print JSON (stats)")
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "miaobi corpus %s: unexpected argument %q\n", sub, fs.Arg(0))
		return 2
	}
	switch sub {
	case "path":
		fmt.Fprintln(stdout, corpus.DefaultPath(dir))
		return 0
	case "fetch", "build":
		tgz := *from
		if sub == "build" && tgz == "" {
			fmt.Fprintln(stderr, "miaobi corpus build: give the tarball with --from FILE (or use 'miaobi corpus fetch')")
			return 2
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintf(stderr, "miaobi corpus: %v\n", err)
			return 1
		}
		if sub == "fetch" {
			if tgz != "" {
				if err := corpus.VerifyIntegrity(tgz, corpus.Integrity); err != nil {
					fmt.Fprintf(stderr, "miaobi corpus fetch: %v\n", err)
					return 1
				}
			} else {
				ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
				defer stop()
				fmt.Fprintf(stderr, "fetching %s@%s with npm …\n", corpus.Package, corpus.Version)
				if tgz, err = corpus.Fetch(ctx, dir); err != nil {
					fmt.Fprintf(stderr, "miaobi corpus fetch: %v\n", err)
					return 1
				}
			}
		}
		start := time.Now()
		fmt.Fprintf(stderr, "building the corpus from %s …\n", tgz)
		out, st, err := corpus.Install(tgz, dir)
		if err != nil {
			fmt.Fprintf(stderr, "miaobi corpus %s: %v\n", sub, err)
			return 1
		}
		fmt.Fprintf(stdout, "built %s: %d poems (%d duplicates dropped, %d with 平仄 annotations) in %.1fs\n",
			out, st.Poems, st.Duplicates, st.WithStrains, time.Since(start).Seconds())
		return 0
	case "stats":
		st := map[string]map[string]int{}
		total := 0
		err := corpus.Read(corpus.DefaultPath(dir), func(p *corpus.Poem) error {
			if st[p.Collection] == nil {
				st[p.Collection] = map[string]int{}
			}
			st[p.Collection][p.Form]++
			total++
			return nil
		})
		if err != nil {
			fmt.Fprintf(stderr, "miaobi corpus stats: %v\n", err)
			return 1
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			enc.Encode(map[string]any{"poems": total, "collections": st})
			return 0
		}
		printStats(stdout, st, total)
		return 0
	}
	fmt.Fprintf(stderr, "miaobi corpus: unknown subcommand %q\n\n%s", sub, corpusHelp)
	return 2
}

func printStats(w io.Writer, st map[string]map[string]int, total int) {
	names := make([]string, 0, len(st))
	for n := range st {
		names = append(names, n)
	}
	sum := func(m map[string]int) int {
		t := 0
		for _, v := range m {
			t += v
		}
		return t
	}
	sort.Slice(names, func(i, j int) bool { return sum(st[names[i]]) > sum(st[names[j]]) })
	fmt.Fprintf(w, "%-10s %8s  forms\n", "collection", "poems")
	for _, n := range names {
		forms := st[n]
		fn := make([]string, 0, len(forms))
		for f := range forms {
			fn = append(fn, f)
		}
		sort.Slice(fn, func(i, j int) bool {
			return forms[fn[i]] > forms[fn[j]] || forms[fn[i]] == forms[fn[j]] && fn[i] < fn[j]
		})
		parts := make([]string, len(fn))
		for i, f := range fn {
			parts[i] = fmt.Sprintf("%s %d", f, forms[f])
		}
		fmt.Fprintf(w, "%-10s %8d  %s\n", n, sum(forms), strings.Join(parts, ", "))
	}
	fmt.Fprintf(w, "%-10s %8d\n", "total", total)
}
