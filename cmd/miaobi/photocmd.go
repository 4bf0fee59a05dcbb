package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/label"
	"miaobi/models"
	"miaobi/paint"
	"miaobi/photo"
	"miaobi/poem"
)

const adjustHelp = `Usage: miaobi adjust IN -o OUT [--crop X,Y,W,H] [--rotate DEG] [--resize WxH]
                     [--brightness B] [--contrast C] [--saturation S]

Edits a picture (JPEG, PNG, GIF or WebP) for the editing stage. The steps
run in this order: crop, rotate (clockwise, degrees), resize (WxH, Wx or
xH keeps the aspect ratio), then tone. Brightness, contrast and
saturation go from -1 to 1; 0 leaves the picture as it is. OUT is .png or
.jpg.

Examples:
  miaobi adjust photo.jpg --crop 100,50,800,600 --resize 1024x -o out.jpg
  miaobi adjust photo.jpg --rotate 90 --brightness 0.1 --saturation -1 -o grey.png

Flags:
`

// imageIO holds the flags every picture command shares and reads its
// input and checks its output path.
type imageIO struct {
	out       *string
	maxPixels *int
}

func imageFlags(fs *flag.FlagSet) imageIO {
	return imageIO{
		out:       fs.String("o", "", "output file: .png or .jpg"),
		maxPixels: fs.Int("max-pixels", photo.DefaultMaxPixels, "refuse input pictures with more pixels than this"),
	}
}

// open checks the arguments (one input file, an output path) and decodes
// the input, returning the file's bytes too (the C2PA ingredient).
func (io imageIO) open(fs *flag.FlagSet) (image.Image, []byte, error) {
	if fs.NArg() != 1 {
		return nil, nil, fmt.Errorf("give one input picture (got %d arguments)", fs.NArg())
	}
	if err := checkOut(*io.out); err != nil {
		return nil, nil, err
	}
	img, raw, _, err := photo.Load(fs.Arg(0), *io.maxPixels)
	return img, raw, err
}

// checkOut checks an output path names a format Miaobi writes.
func checkOut(out string) error {
	if out == "" {
		return fmt.Errorf("give the output file with -o out.png (or .jpg)")
	}
	ext := strings.ToLower(filepath.Ext(out))
	if ext != ".png" && ext != ".jpg" && ext != ".jpeg" {
		return fmt.Errorf("output %q: write .png or .jpg", out)
	}
	return nil
}

func runAdjust(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("adjust", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pio := imageFlags(fs)
	crop := fs.String("crop", "", "keep the rectangle X,Y,W,H (pixels from the top-left corner)")
	rotate := fs.Float64("rotate", 0, "turn clockwise by this many degrees")
	resize := fs.String("resize", "", "scale to WxH; Wx or xH keeps the aspect ratio")
	brightness := fs.Float64("brightness", 0, "from -1 (black) to 1 (white)")
	contrast := fs.Float64("contrast", 0, "from -1 (flat grey) to 1 (doubled)")
	saturation := fs.Float64("saturation", 0, "from -1 (black and white) to 1 (doubled)")
	lf := addLabelFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, adjustHelp); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "adjust")
	if err := lf.check(); err != nil {
		return fail(2, err)
	}
	img, in, err := pio.open(fs)
	if err != nil {
		return fail(2, err)
	}
	var cur image.Image = img
	if *crop != "" {
		var x, y, w, h int
		if n, err := fmt.Sscanf(*crop, "%d,%d,%d,%d", &x, &y, &w, &h); n != 4 || err != nil || w <= 0 || h <= 0 {
			return fail(2, fmt.Errorf("--crop %q: give X,Y,W,H with a positive width and height, e.g. 100,50,800,600", *crop))
		}
		if cur, err = photo.Crop(cur, image.Rect(x, y, x+w, y+h)); err != nil {
			return fail(2, err)
		}
	}
	if *rotate != 0 {
		if cur, err = photo.Rotate(cur, *rotate); err != nil {
			return fail(2, err)
		}
	}
	if *resize != "" {
		w, h, err := photo.ParseSize(*resize)
		if err != nil {
			return fail(2, fmt.Errorf("--resize: %v", err))
		}
		if cur, err = photo.Resize(cur, w, h); err != nil {
			return fail(2, err)
		}
	}
	if *brightness != 0 || *contrast != 0 || *saturation != 0 {
		if cur, err = photo.Tone(cur, *brightness, *contrast, *saturation); err != nil {
			return fail(2, err)
		}
	}
	// An edit of a person's picture records the edit (C2PA c2pa.edited,
	// the input as its ingredient); a picture that was labelled
	// AI-generated stays labelled, under its own ProduceID.
	prov := label.Provenance{Action: "c2pa.edited", Description: "adjusted by miaobi adjust: " + strings.Join(args, " "), Ingredient: in}
	if a, _, err := label.ReadAIGC(in); err == nil && a.Label == "1" {
		prov.AIGenerated, prov.ProduceID = true, a.ProduceID
	}
	if err := writeLabelled(*pio.out, photo.Flatten(cur), lf, prov); err != nil {
		return fail(1, err)
	}
	b := cur.Bounds()
	fmt.Fprintf(stdout, "wrote %s (%d×%d)\n", *pio.out, b.Dx(), b.Dy())
	return 0
}

const stylizeHelp = `Usage: miaobi stylize --style ink|sketch|watercolor|oil IN -o OUT [--seed N]

Restyles a picture (JPEG, PNG, GIF or WebP) without neural networks:
  ink         ink wash: XDoG brush lines over soft grey washes on rice paper
  sketch      pencil: XDoG line work and graphite hatching on white paper
  watercolor  flattened colour, pigment pooled at edges, paper granulation
  oil         anisotropic Kuwahara brush strokes, lit as a slight relief
Dark photos are levelled first so they stay readable. The same picture,
style and seed always give the same pixels. OUT is .png or .jpg.

Examples:
  miaobi stylize --style ink photo.jpg -o ink.png
  miaobi stylize --style oil photo.jpg --seed 3 -o oil.jpg

Flags:
`

func runStylize(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stylize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pio := imageFlags(fs)
	style := fs.String("style", "", "ink, sketch, watercolor or oil")
	seed := fs.Uint64("seed", 42, "random seed for paper and brush textures")
	lf := addLabelFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, stylizeHelp); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "stylize")
	if err := lf.check(); err != nil {
		return fail(2, err)
	}
	if *style == "" {
		return fail(2, fmt.Errorf("give a style with --style: ink, sketch, watercolor or oil"))
	}
	st, err := photo.ParseStyle(*style)
	if err != nil {
		return fail(2, err)
	}
	img, in, err := pio.open(fs)
	if err != nil {
		return fail(2, err)
	}
	out, err := photo.Stylize(img, st, *seed)
	if err != nil {
		return fail(2, err)
	}
	prov := label.Provenance{
		ProduceID:   label.ProduceID("stylize", string(st), fmt.Sprint(*seed), string(in)),
		Action:      "c2pa.edited",
		Description: "restyled as " + string(st) + " by miaobi stylize",
		Ingredient:  in,
		AIGenerated: true,
	}
	if err := writeLabelled(*pio.out, out, lf, prov); err != nil {
		return fail(1, err)
	}
	fmt.Fprintf(stdout, "wrote %s (%s, %d×%d, seed %d)\n", *pio.out, st, out.Rect.Dx(), out.Rect.Dy(), *seed)
	return 0
}

const inscribeHelp = `Usage: miaobi inscribe PHOTO -o OUT [-k KEYWORDS] [--form FORM] [--seed N] [--json]

Writes a poem for a picture (题画). Miaobi reads the picture — sky, water,
vegetation and snow found by colour and texture, its brightness, warmth,
season and time of day — turns that into imagery keywords, writes a poem
with them (your own -k keywords come first), and inscribes it on the
picture in a brush hand, in the calmest region, with a red seal. It
prints what it saw and the poem. OUT is .png or .jpg.

Examples:
  miaobi inscribe lake.jpg -o lake-poem.jpg
  miaobi inscribe dusk.png -k 归雁 --form 五绝 --seed 7 -o dusk-poem.png

Flags:
`

func runInscribe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inscribe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pio := imageFlags(fs)
	keywords := fs.String("k", "", "your own keywords, separated by commas; they come before what the picture suggests")
	form := fs.String("form", "七绝", "五绝, 七绝, 五律, 七律 or 词:TUNE")
	seed := fs.Int64("seed", 1, "random seed for the poem")
	asJSON := fs.Bool("json", false, "print the cues and the poem as JSON")
	lf := addLabelFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, inscribeHelp); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "inscribe")
	if err := lf.check(); err != nil {
		return fail(2, err)
	}
	img, in, err := pio.open(fs)
	if err != nil {
		return fail(2, err)
	}
	cues, err := photo.Read(img)
	if err != nil {
		return fail(2, err)
	}
	kws := append(splitKeywords(*keywords), cues.Keywords...)
	e, err := poem.Load(models.Poem())
	if err != nil {
		return fail(1, err)
	}
	poems, err := e.Generate(poem.Request{Form: *form, Keywords: kws, Seed: *seed, N: 1})
	if err != nil {
		return fail(exitFor(err), err)
	}
	p := poems[0]
	canvas := photo.Flatten(img)
	if err := paint.InscribePhoto(canvas, paint.Inscription{Title: p.Title, Lines: p.Lines, Signature: "妙笔", Seal: "妙笔"}); err != nil {
		return fail(2, err)
	}
	prov := label.Provenance{
		ProduceID:   label.ProduceID("inscribe", *form, *keywords, fmt.Sprint(*seed), string(in)),
		Action:      "c2pa.edited",
		Description: "poem written for the picture and inscribed by miaobi inscribe",
		Ingredient:  in,
		AIGenerated: true,
	}
	if err := writeLabelled(*pio.out, canvas, lf, prov); err != nil {
		return fail(1, err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(struct {
			Output string     `json:"output"`
			Cues   photo.Cues `json:"cues"`
			Poem   *poem.Poem `json:"poem"`
		}{*pio.out, cues, p})
		return 0
	}
	fmt.Fprintf(stdout, "saw: sky %.0f%%, water %.0f%%, vegetation %.0f%%, snow %.0f%%; brightness %.2f; season %s; time %s\n",
		100*cues.Sky, 100*cues.Water, 100*cues.Vegetation, 100*cues.Snow, cues.Brightness, orNone(cues.Season), orNone(cues.Time))
	fmt.Fprintf(stdout, "keywords: %s\n\n%s\n", strings.Join(kws, "、"), p.Title)
	for _, l := range p.Lines {
		fmt.Fprintln(stdout, l)
	}
	fmt.Fprintf(stdout, "\nwrote %s\n", *pio.out)
	return 0
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
