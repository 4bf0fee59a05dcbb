package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/engine"
	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/paint"
	"miaobi/photo"
	"miaobi/prosody"
)

const paintHelp = `Usage: miaobi paint [-k KEYWORDS | --poem FILE|-] [--size WxH | --scroll WxH] [--seed N] -o out.png|out.jpg

Paints an ink-wash landscape (山水画) procedurally. The imagery words of the
keywords or poem choose what appears: water (江 湖 水), a boat (舟 渔), the
moon (月), night and lamplight (夜 灯), trees (松 柳), a pavilion (亭 楼),
geese (雁), pines, willows or plum blossom (松 柳 梅); season words
(春 夏 秋 冬 雪) set the palette. --scroll paints a long handscroll (手卷),
at least three times as wide as it is tall. A poem given
with --poem is written on the painting in a brush hand (Ma Shan Zheng),
right to left in the quietest part of the picture, with a red seal. The
same seed and input always give the same pixels.

Examples:
  miaobi paint -k 孤舟,月,江 -o night.png
  miaobi paint -k 江,柳,亭,春 --scroll 8192x1024 -o scroll.jpg
  miaobi poem -k 秋,山 --seed 1 | miaobi paint --poem - --seed 3 -o autumn.jpg

Flags:
`

func runPaint(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("paint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keywords := fs.String("k", "", "keywords, separated by commas")
	poemFile := fs.String("poem", "", "read the poem (or any text) from FILE, or - for standard input")
	size := fs.String("size", "2048x1024", "width x height in pixels")
	scroll := fs.String("scroll", "", "paint a handscroll of width x height pixels, e.g. 8192x1024")
	seed := fs.Uint64("seed", 42, "random seed")
	out := fs.String("o", "", "output file: .png or .jpg")
	noInscription := fs.Bool("no-inscription", false, "leave the poem off the painting")
	engineName := fs.String("engine", "", "have a configured image engine make the picture (see 'miaobi engines'); Miaobi inscribes, labels and signs it")
	model := fs.String("model", "", "with --engine: the model to ask for")
	enginesFile := fs.String("engines", "", "with --engine: the engines file (default $MIAOBI_HOME/engines.conf)")
	lf := addLabelFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, paintHelp); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "paint")
	if err := lf.check(); err != nil {
		return fail(2, err)
	}
	if fs.NArg() > 0 {
		return fail(2, fmt.Errorf("unexpected argument %q; give keywords with -k or a poem with --poem", fs.Arg(0)))
	}
	if *out == "" {
		return fail(2, errors.New("give the output file with -o out.png (or .jpg)"))
	}
	ext := strings.ToLower(filepath.Ext(*out))
	if ext != ".png" && ext != ".jpg" && ext != ".jpeg" {
		return fail(2, fmt.Errorf("output %q: write .png or .jpg", *out))
	}
	var w, h int
	if *scroll != "" {
		if n, err := fmt.Sscanf(strings.ToLower(*scroll), "%dx%d", &w, &h); n != 2 || err != nil {
			return fail(2, fmt.Errorf("--scroll %q: give width x height, e.g. 8192x1024", *scroll))
		}
		if w < 3*h {
			return fail(2, fmt.Errorf("--scroll %s: a handscroll is at least three times as wide as it is tall; use --size for other shapes", *scroll))
		}
	} else if n, err := fmt.Sscanf(strings.ToLower(*size), "%dx%d", &w, &h); n != 2 || err != nil {
		return fail(2, fmt.Errorf("--size %q: give width x height, e.g. 2048x1024", *size))
	}
	text := *keywords
	if *poemFile != "" {
		t, err := readPoemFile(*poemFile, stdin)
		if err != nil {
			return fail(2, err)
		}
		text += t
	}
	var img *image.RGBA
	var err error
	agent, made := "", "ink-wash landscape painted by miaobi paint"
	if *engineName != "" {
		var by string
		if img, by, err = enginePicture(*engineName, *model, *enginesFile, text, w, h); err != nil {
			return fail(1, err)
		}
		agent, made = by, "picture made by the image engine "+by+"; labelled, watermarked and inscribed by Miaobi"
	} else if img, err = paint.Paint(paint.SceneOf(text), w, h, *seed); err != nil {
		return fail(2, err)
	}
	// A poem is written on the painting, right to left, with a seal.
	if *poemFile != "" && !*noInscription {
		p, err := prosody.ParsePoem(text)
		if err != nil {
			return fail(2, fmt.Errorf("--poem: %v", err))
		}
		ins := paint.Inscription{Title: p.Title, Lines: p.Lines, Signature: "妙笔", Seal: "妙笔"}
		if err := paint.Inscribe(img, ins); err != nil {
			return fail(2, fmt.Errorf("%v (or paint with --no-inscription)", err))
		}
	}
	prov := label.Provenance{
		ProduceID:   label.ProduceID("paint", text, fmt.Sprint(w, "x", h), fmt.Sprint(*seed), fmt.Sprint(*noInscription), agent),
		Description: made,
		Agent:       agent,
		AIGenerated: true,
	}
	if agent != "" {
		prov.History = []c2pa.Action{{Action: "c2pa.edited", SoftwareAgent: "Miaobi", Description: "labelled (GB 45438), watermarked and inscribed by Miaobi"}}
	}
	if err := writeLabelled(*out, img, lf, prov); err != nil {
		return fail(1, err)
	}
	fmt.Fprintf(stdout, "painted %s (%d×%d, seed %d)\n", *out, w, h, *seed)
	return 0
}

// enginePicture asks an image engine for a picture of text and decodes it
// within Miaobi's limits (a decompression bomb is refused before a pixel
// is decoded); it returns the picture and "engine/model".
func enginePicture(name, model, file, text string, w, h int) (*image.RGBA, string, error) {
	c, err := engineConfig(name, file)
	if err != nil {
		return nil, "", err
	}
	ie, err := engine.OpenImage(c)
	if err != nil {
		return nil, "", err
	}
	defer ie.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := ie.Generate(ctx, engine.ImageRequest{Model: model, Prompt: text, Width: w, Height: h})
	if err != nil {
		return nil, "", err
	}
	pic, format, err := photo.Decode(bytes.NewReader(r.Data), 0)
	if err != nil {
		return nil, "", fmt.Errorf("engine %s sent a picture Miaobi will not read: %w", name, err)
	}
	slog.Debug("engine picture", "engine", name, "format", format, "size", pic.Bounds().Size())
	return photo.Flatten(pic), r.Engine + "/" + r.Model, nil
}
