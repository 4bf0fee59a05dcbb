// Command miaobi is Miaobi (妙笔), a self-hosted AIGC creative studio. Each
// subcommand is one job: check a poem's metre and rhyme, fetch and build the
// poetry corpus, write poems, paint, restyle and inscribe pictures, label
// and verify files, or measure speed and accuracy.
package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"miaobi/cmd/miaobi/internal/bench"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name, summary string
	run           func(args []string, stdin io.Reader, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "start the studio: web pages, JSON API, job queue and workers (127.0.0.1:8080)", runServe},
		{"studio", "use a running studio from the command line: autopilot, new, create, show, publish", runStudio},
		{"worker", "run studio job workers against a studio's NATS and database", runWorker},
		{"check", "check poems against the rules of their form (平仄, rhyme, 粘对)", runCheck},
		{"corpus", "fetch the chinese-poetry corpus and build Miaobi's normalised copy", runCorpus},
		{"poem", "write classical poems from keywords; revise a draft; offer alternatives", runPoem},
		{"summarize", "summarise a long text: offline (TextRank), or through an engine", runSummarize},
		{"story", "write a short story from keywords through an engine", runStory},
		{"polish", "polish a draft or rewrite it in a style through an engine, shown as a diff", runPolish},
		{"engines", "list the model servers Miaobi can use and whether each answers", runEngines},
		{"couplet", "write the 下联 for a 上联, or a couplet from keywords", runCouplet},
		{"pinyin", "print how Miaobi reads a text: one syllable a character, polyphones by word", runPinyin},
		{"recite", "read a poem or text aloud (espeak-ng, Miaobi's readings and rhythm), labelled", runRecite},
		{"sound", "make sound: scenes of rain, wind, water, birds, insects, bells, steps in snow", runSound},
		{"music", "compose pentatonic music on a poem or keywords (guzheng, guqin, dizi), labelled", runMusic},
		{"film", "make a poem film: painting, weather, the lines written as they are recited, music; labelled", runFilm},
		{"shots", "find where a video cuts from shot to shot (--json for {\"cuts\": [...], \"fps\": ...})", runShots},
		{"edit", "cut a person's clips to a short film: best shots, crossfades, a look, subtitles; labelled", runEdit},
		{"paint", "paint an ink-wash landscape (山水画) from keywords or a poem", runPaint},
		{"adjust", "crop, rotate, resize and tone a picture (JPEG, PNG, GIF, WebP)", runAdjust},
		{"stylize", "restyle a picture as ink wash, pencil sketch, watercolour or oil", runStylize},
		{"inscribe", "write a poem for a picture and inscribe it with a seal (题画)", runInscribe},
		{"label", "label a file (picture, WAV, MP3, MP4) as AI-generated: visible, metadata, watermark, C2PA", runLabel},
		{"verify", "check a file's labels: visible, AIGC metadata, C2PA signature, watermark", runVerify},
		{"keys", "create or show the key that signs Content Credentials (C2PA)", runKeys},
		{"train", "train the poem generator's models from the corpus", runTrain},
		{"panel", "make and score a blind panel: Miaobi's poems mixed with held-out human poems", runPanel},
		{"bench", "measure the checker, poems, painting, styles and watermarks", bench.Run},
		{"version", "print the version", func(_ []string, _ io.Reader, stdout, _ io.Writer) int {
			fmt.Fprintln(stdout, "miaobi", version)
			return 0
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Miaobi (妙笔) — a self-hosted studio for classical Chinese poetry and more.

Usage: miaobi <command> [flags] [args]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run 'miaobi <command> --help' for a command's flags.

Examples:
  echo "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。" | miaobi check
  miaobi check --json poems.txt
  miaobi corpus fetch && miaobi corpus stats
  miaobi poem -k 秋,山 --seed 1 | miaobi paint --poem - -o autumn.jpg
  miaobi verify autumn.jpg

Environment:
  MIAOBI_HOME   data directory (default ~/.local/share/miaobi): the corpus, and keys/
                with the key that signs Content Credentials
`)
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "--help", "help":
		usage(stdout)
		return 0
	case "-v", "--version":
		args[0] = "version"
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdin, stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "miaobi: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}
