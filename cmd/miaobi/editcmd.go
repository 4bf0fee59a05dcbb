package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/film"
	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/photo"
)

const editHelp = `Usage: miaobi edit CLIP... -o OUT.mp4 [--length 30] [flags]

Cuts a person's clips down to a short film: finds each clip's shots,
scores them (detail, exposure, motion, steadiness, sound), takes the best
— at least one from every clip — in the order they were filmed, joins them
with crossfades, grades them with a look (--look ink, vintage, film or a
.cube file) and writes subtitles on (--subtitles FILE.srt, or --text for a
text spread over the cut; --srt-out writes them as placed); --sticker lays
a picture (a PNG's transparency kept) in a corner. --style
restyles every frame as an ink, sketch, watercolour or oil painting, each
frame mixed with the last as far as the picture stood still, so the
strokes do not flicker. Clips of any
size, turn, frame rate or bit depth are brought to one frame; a clip
without sound is silent in the cut.

Labelled as AI-edited (GB 45438-2025): the label for the first 3 s and a
corner mark throughout, the audio watermark, the AIGC metadata and a
signed C2PA manifest (c2pa.edited, each clip an ingredient by hash).
Needs ffmpeg.

Flags:
`

func runEdit(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (.mp4)")
	length := fs.Float64("length", 30, "length of the cut in seconds")
	size := fs.String("size", "", "frame size WxH (default 1920x1080, or 1080x1920 when the first clip is tall)")
	look := fs.String("look", "", "colour look: "+strings.Join(film.Looks, ", ")+", or a .cube file")
	subs := fs.String("subtitles", "", "subtitles to write on: an SRT file, in the cut's time")
	text := fs.String("text", "", "a text (a poem, a caption) spread over the cut as subtitles")
	srtOut := fs.String("srt-out", "", "also write the subtitles as placed, as SRT")
	fade := fs.Float64("crossfade", 0.5, "crossfade between pieces, seconds")
	style := fs.String("style", "", "restyle every frame as a painting: ink, sketch, watercolor or oil (slow: about 70 ms a frame)")
	seed := fs.Int64("seed", 1, "seed of the style's paper and brush grain")
	var stickers []string
	fs.Func("sticker", "a picture to lay on the cut, FILE or FILE@CORNER (tl, tr, bl); repeatable", func(v string) error {
		stickers = append(stickers, v)
		return nil
	})
	preset := fs.String("preset", film.DefaultPreset, "x264 preset: "+strings.Join(film.Presets, ", "))
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	lf := addLabelFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, editHelp); fs.PrintDefaults() }
	clips, args := leadingFiles(args)
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	clips = append(clips, fs.Args()...)
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi edit: %v\n", err)
		return code
	}
	switch {
	case len(clips) == 0:
		return fail(2, errors.New("give the clips to edit"))
	case *out == "":
		return fail(2, errors.New("give the output file with -o (.mp4)"))
	case strings.ToLower(filepath.Ext(*out)) != ".mp4":
		return fail(2, fmt.Errorf("-o %s: the cut is written as .mp4", *out))
	case *subs != "" && *text != "":
		return fail(2, errors.New("give --subtitles or --text, not both"))
	case *lf.noVisible:
		return fail(2, errors.New("an edit always carries its visible label (--no-visible-label is for pictures)"))
	}
	if err := lf.check(); err != nil {
		return fail(2, err)
	}
	e := film.Edit{Clips: clips, Length: *length, Look: *look, Transition: *fade, Preset: *preset, Seed: uint64(*seed)}
	for _, sv := range stickers {
		path, corner, _ := strings.Cut(sv, "@")
		c, err := film.ParseCorner(corner)
		if err != nil {
			return fail(2, err)
		}
		img, _, err := photo.Open(path, 40_000_000)
		if err != nil {
			return fail(2, fmt.Errorf("--sticker %s: %w", path, err))
		}
		e.Stickers = append(e.Stickers, film.Sticker{Image: img, Corner: c})
	}
	if *style != "" {
		st, err := photo.ParseStyle(*style)
		if err != nil {
			return fail(2, err)
		}
		e.Style = st
	}
	if *size != "" {
		if _, err := fmt.Sscanf(strings.ToLower(*size), "%dx%d", &e.W, &e.H); err != nil {
			return fail(2, fmt.Errorf("--size %q: write it as WIDTHxHEIGHT, e.g. 1920x1080", *size))
		}
	}
	if *look != "" {
		if _, err := film.ReadLook(*look); err != nil {
			return fail(2, err)
		}
	}
	switch {
	case *subs != "":
		f, err := os.Open(*subs)
		if err != nil {
			return fail(2, err)
		}
		e.Cues, err = film.ParseSRT(io.LimitReader(f, 8<<20))
		f.Close()
		if err != nil {
			return fail(2, fmt.Errorf("%s: %w", *subs, err))
		}
	case *text != "":
		e.Cues = film.CuesOfText(*text, *length)
	}
	var inputs []string
	var parts []c2pa.Ingredient
	for _, c := range clips {
		inputs = append(inputs, filepath.Base(c))
		h, err := fileSHA256(c)
		if err != nil {
			return fail(2, err)
		}
		parts = append(parts, c2pa.Ingredient{Title: filepath.Base(c), Format: "video/mp4", Relationship: c2pa.RelationComponentOf, Hash: h})
	}
	prov := label.Provenance{
		ProduceID:   label.ProduceID(append([]string{"edit", fmt.Sprint(*length), *look, *size}, clips...)...),
		Title:       filepath.Base(*out),
		Description: fmt.Sprintf("a %.0f s cut made by Miaobi from the person's clips (%s)", *length, strings.Join(inputs, ", ")),
		History: []c2pa.Action{{Action: "c2pa.edited", SoftwareAgent: "Miaobi",
			Description: "pieces chosen by shot detection and scoring, ordered, crossfaded, graded (" + lookName(*look) + "), restyled (" + styleName(*style) + ") and subtitled"}},
		AIGenerated: true,
		Wording:     *lf.wording,
		Layers:      label.AllLayers,
		Components:  parts,
	}
	prov.Layers.C2PA = !*lf.unsigned
	if prov.Layers.C2PA {
		var err error
		if prov.Signer, err = signer(); err != nil {
			return fail(1, fmt.Errorf("signing keys: %w (or write with --unsigned)", err))
		}
	}
	// A long clip's shot statistics and the cut itself are the big
	// allocations; a soft limit keeps the collector from letting the heap
	// double past them (a 10-minute 1080p clip: docs/benchmarks.md).
	debug.SetMemoryLimit(192 << 20)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var rep *film.EditReport
	if err := cli.WriteVia(*out, func(w io.Writer) (err error) {
		rep, err = film.Cut(ctx, w, e, prov)
		return err
	}); err != nil {
		return fail(1, err)
	}
	if *srtOut != "" && len(e.Cues) > 0 {
		var b strings.Builder
		film.WriteSRT(&b, e.Cues)
		if err := cli.WriteFileAtomic(*srtOut, []byte(b.String())); err != nil {
			return fail(1, err)
		}
	}
	if *jsonOut {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	fmt.Fprintf(stdout, "edit %s: %dx%d, %.1f s, %d pieces from %d clips; %.1f MB\n", *out, rep.W, rep.H, rep.Seconds, len(rep.Pieces), len(clips), float64(rep.Bytes)/1e6)
	for _, p := range rep.Pieces {
		fmt.Fprintf(stdout, "  %5.1f s  %s %.1f–%.1f s (score %.2f)\n", p.At, inputs[p.Clip], p.From, p.To, p.Score)
	}
	return 0
}

// fileSHA256 hashes a file as it streams.
func fileSHA256(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h.Sum(nil), nil
}

func lookName(l string) string {
	if l == "" {
		return "no look"
	}
	return "look " + filepath.Base(l)
}

func styleName(s string) string {
	if s == "" {
		return "no style"
	}
	return s
}
