package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/film"
	"miaobi/label"
	"miaobi/models"
	"miaobi/poem"
	"miaobi/prosody"
	"miaobi/server"
)

const filmHelp = `Usage: miaobi film (-k KEYWORDS | --poem FILE|- | --work ID) -o OUT.mp4 [flags]

Makes a poem film: the poem's ink painting under a slow camera (a
handscroll panned right to left for 1920x1080, a hanging scroll moved in
on for 1080x1920), mist drifting and — from the poem's images — snow,
petals, rain or lamplight; the lines written on in brush hand, each
character as the recitation reaches it; the music under the voice. With
-k Miaobi first writes a 七绝 on the keywords (as 'miaobi poem' would,
same --seed). With --work a running studio films one of its works (its
poem, painting and chosen music; --url and --key, or MIAOBI_URL and
MIAOBI_KEY), with a progress bar, and the film is downloaded: sizes
1920x1080, 1280x720, 1080x1920 or 720x1280.

Labelled as AI-generated (GB 45438-2025): the label on the opening frames
for 3 s and a corner mark throughout, the audio watermark, the AIGC
metadata (ffprobe shows it) and a signed C2PA manifest (c2pa.hash.bmff.v3;
'miaobi verify' checks them). Needs ffmpeg; the recitation needs
espeak-ng (without it the lines are written at a steady pace over the
music). The same poem, flags and seed give the same film.

Flags:
`

func runFilm(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("film", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keywords := fs.String("k", "", "keywords, comma-separated (Miaobi writes a 七绝 on them first)")
	poemFile := fs.String("poem", "", "a poem to film: a file, or - for standard input")
	workID := fs.String("work", "", "a studio work to film (through the studio's API)")
	url := fs.String("url", os.Getenv("MIAOBI_URL"), "with --work: the studio's address (env MIAOBI_URL; default http://127.0.0.1:8080)")
	key := fs.String("key", os.Getenv("MIAOBI_KEY"), "with --work: an API key (env MIAOBI_KEY)")
	out := fs.String("o", "", "output file (.mp4)")
	size := fs.String("size", "1920x1080", "frame size: 1920x1080 (handscroll), 1080x1920 (hanging scroll), or any even WxH")
	seconds := fs.Float64("seconds", 0, "length in seconds (default: the recitation and a close); at most "+strconv.Itoa(film.MaxSeconds))
	fps := fs.Int("fps", 30, "frames a second")
	codec := fs.String("codec", "h264", "h264, h265 or vp9 (all in MP4 with AAC)")
	preset := fs.String("preset", film.DefaultPreset, "x264/x265 preset: "+strings.Join(film.Presets, ", ")+" (slower: smaller files)")
	seed := fs.Int64("seed", 1, "seed: the same poem, flags and seed give the same film")
	noVoice := fs.Bool("no-voice", false, "music only, no recitation")
	jsonOut := fs.Bool("json", false, "print the report as JSON")
	lf := addLabelFlags(fs)
	fs.Usage = func() { fmt.Fprint(stderr, filmHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi film: %v\n", err)
		return code
	}
	switch {
	case fs.NArg() > 0:
		return fail(2, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case countSet(*keywords, *poemFile, *workID) != 1:
		return fail(2, errors.New("give keywords with -k, a poem with --poem or a studio work with --work (one of them)"))
	case *out == "":
		return fail(2, errors.New("give the output file with -o (.mp4)"))
	case strings.ToLower(filepath.Ext(*out)) != ".mp4":
		return fail(2, fmt.Errorf("-o %s: films are written as .mp4", *out))
	case *lf.noVisible:
		return fail(2, errors.New("a film always carries its visible label (--no-visible-label is for pictures)"))
	}
	if err := lf.check(); err != nil {
		return fail(2, err)
	}
	var w, h int
	if _, err := fmt.Sscanf(strings.ToLower(*size), "%dx%d", &w, &h); err != nil {
		return fail(2, fmt.Errorf("--size %q: write it as WIDTHxHEIGHT, e.g. 1920x1080", *size))
	}
	cd, err := film.ParseCodec(*codec)
	if err != nil {
		return fail(2, err)
	}
	if *workID != "" {
		return filmWork(*workID, *url, *key, w, h, *seconds, *seed, *noVoice, *out, stdout, stderr, fail)
	}
	if _, err := film.FFmpeg(); err != nil {
		return fail(1, err)
	}
	e, err := poem.Load(models.Poem())
	if err != nil {
		return fail(1, err)
	}
	p := film.Poem{Words: *keywords, Seed: uint64(*seed), W: w, H: h, FPS: *fps, Seconds: *seconds, Codec: cd, Preset: *preset, NoVoice: *noVoice}
	if *keywords != "" {
		ps, err := e.Generate(poem.Request{Form: "七绝", Keywords: splitKeywords(*keywords), Seed: *seed})
		if err != nil {
			return fail(1, err)
		}
		p.Title, p.Lines = ps[0].Title, ps[0].Lines
	} else {
		text, err := readPoemFile(*poemFile, stdin)
		if err != nil {
			return fail(2, err)
		}
		pm, err := prosody.ParsePoem(text)
		if err != nil {
			return fail(2, fmt.Errorf("--poem: %v", err))
		}
		p.Title, p.Lines = pm.Title, pm.Lines
	}
	p.Season = e.Frame.SeasonOf([]rune(p.Words + p.Title + strings.Join(p.Lines, "")))
	prov := label.Provenance{
		ProduceID:   label.ProduceID("film", p.Title, strings.Join(p.Lines, "/"), *size, fmt.Sprint(*seconds), fmt.Sprint(*seed)),
		Title:       filepath.Base(*out),
		Description: fmt.Sprintf("poem film of 「%s」 made by Miaobi: painting, recitation, music and the poem written in brush hand", p.Title),
		AIGenerated: true,
		Wording:     *lf.wording,
		Layers:      label.AllLayers,
	}
	prov.Layers.C2PA = !*lf.unsigned
	if prov.Layers.C2PA {
		if prov.Signer, err = signer(); err != nil {
			return fail(1, fmt.Errorf("signing keys: %w (or write with --unsigned)", err))
		}
	}
	// Ctrl-C stops the render; nothing is left half-written.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var rep *film.Report
	if err := cli.WriteVia(*out, func(w io.Writer) (err error) {
		rep, err = film.MakePoem(ctx, w, p, prov)
		return err
	}); err != nil {
		return fail(1, err)
	}
	if *jsonOut {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	fmt.Fprintf(stdout, "《%s》 %s\n", p.Title, strings.Join(p.Lines, "，"))
	voice := "recited"
	if !rep.Recited {
		voice = "not recited (music only)"
	}
	fmt.Fprintf(stdout, "film %s: %dx%d, %.1f s, %d frames, %s, %s; %.1f MB; made in %.1f s (%.2f× real time)\n",
		*out, w, h, rep.Seconds, rep.Frames, rep.Move, voice, float64(rep.Bytes)/1e6, rep.Seconds/rep.Speed, rep.Speed)
	return 0
}

func countSet(vals ...string) int {
	n := 0
	for _, v := range vals {
		if v != "" {
			n++
		}
	}
	return n
}

// filmWork has a running studio film one of its works and downloads the
// film (labelled and signed by the studio).
func filmWork(id, url, key string, w, h int, seconds float64, seed int64, noVoice bool, out string, stdout, stderr io.Writer, fail func(int, error) int) int {
	in := map[string]any{"seconds": seconds, "seed": seed, "no_voice": noVoice}
	switch [2]int{w, h} {
	case [2]int{1920, 1080}:
		in["aspect"], in["hd"] = "16:9", true
	case [2]int{1280, 720}:
		in["aspect"] = "16:9"
	case [2]int{1080, 1920}:
		in["aspect"], in["hd"] = "9:16", true
	case [2]int{720, 1280}:
		in["aspect"] = "9:16"
	default:
		return fail(2, fmt.Errorf("--size %dx%d: a studio film is 1920x1080, 1280x720, 1080x1920 or 720x1280", w, h))
	}
	if url == "" {
		url = "http://127.0.0.1:8080"
	}
	if key == "" {
		return fail(2, errors.New("with --work give an API key with --key or MIAOBI_KEY (make one on the studio's API keys page)"))
	}
	c := &server.Client{URL: strings.TrimSuffix(url, "/"), Key: key, HTTP: &http.Client{Timeout: 10 * time.Minute}}
	var r struct{ Job struct{ ID string } }
	if err := c.Call("POST", server.APIPath("works", id, "film"), in, &r); err != nil {
		return fail(1, err)
	}
	if err := c.Follow(r.Job.ID, stderr, isTerminal(stderr)); err != nil {
		return fail(1, err)
	}
	var wk struct {
		Content struct {
			Title string
			Film  *struct {
				Asset   string
				Seconds float64
			}
		}
	}
	if err := c.Call("GET", server.APIPath("works", id), nil, &wk); err != nil {
		return fail(1, err)
	}
	if wk.Content.Film == nil {
		return fail(1, errors.New("the studio made no film"))
	}
	if err := cli.WriteVia(out, func(w io.Writer) error {
		return c.Call("GET", server.APIPath("works", id, "assets", wk.Content.Film.Asset), nil, w)
	}); err != nil {
		return fail(1, err)
	}
	fmt.Fprintf(stdout, "film %s: 《%s》, %dx%d, %.1f s, from the studio's work %s\n", out, wk.Content.Title, w, h, wk.Content.Film.Seconds, id)
	return 0
}
