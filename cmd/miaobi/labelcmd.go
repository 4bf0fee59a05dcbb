package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/photo"
)

// keysDir is where Miaobi's signing keys live: $MIAOBI_HOME/keys.
func keysDir() (string, error) {
	d, err := corpus.DataDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "keys"), nil
}

// signer loads the signing keys, creating a local CA and signer the
// first time so every file Miaobi writes can be signed offline.
func signer() (*c2pa.Signer, error) {
	dir, err := keysDir()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, c2pa.SignerKeyFile)); errors.Is(err, fs.ErrNotExist) {
		if err := c2pa.InitKeys(dir, "", false); err != nil {
			return nil, err
		}
		slog.Warn("created a local signing CA and signer for Content Credentials; give verifiers its root as the trust anchor", "dir", dir, "root", filepath.Join(dir, c2pa.CAFile))
	}
	return c2pa.LoadSigner(dir)
}

// labelFlags are the labelling choices every picture command offers.
type labelFlags struct {
	noVisible *bool
	wording   *string
	unsigned  *bool
}

func addLabelFlags(fs *flag.FlagSet) labelFlags {
	return labelFlags{
		noVisible: fs.Bool("no-visible-label", false, "leave off the visible AI label (GB 45438 allows this only under a user agreement; it is logged)"),
		wording:   fs.String("label-text", label.DefaultImageLabel, "wording of the visible label: must say AI (or 人工智能) and 生成 (or 合成)"),
		unsigned:  fs.Bool("unsigned", false, "write no C2PA manifest"),
	}
}

// check refuses a visible-label wording without the elements GB 45438
// requires, before any work is done.
func (lf labelFlags) check() error {
	if *lf.noVisible {
		return nil
	}
	return label.CheckWording(*lf.wording)
}

// writeLabelled labels img (visible label, watermark, AIGC metadata, C2PA
// manifest) and writes it to path, PNG or JPEG by extension.
func writeLabelled(path string, img *image.RGBA, lf labelFlags, p label.Provenance) error {
	format := "jpeg"
	if strings.HasSuffix(strings.ToLower(path), ".png") {
		format = "png"
	}
	p.Title = filepath.Base(path)
	p.Wording = *lf.wording
	p.Layers = label.AllLayers
	p.Layers.Visible = !*lf.noVisible
	p.Layers.C2PA = !*lf.unsigned
	if p.Layers.C2PA {
		s, err := signer()
		if err != nil {
			return fmt.Errorf("signing keys: %w (or write with --unsigned)", err)
		}
		p.Signer = s
	}
	b, err := label.Encode(img, format, p)
	if err != nil {
		return err
	}
	return cli.WriteFileAtomic(path, b)
}

const keysHelp = `Usage: miaobi keys init [--org NAME] [--force]
       miaobi keys show

Miaobi signs the Content Credentials (C2PA) of every file it writes with a
local key in $MIAOBI_HOME/keys: a local CA (ca.pem, the trust anchor to give
verifiers) and a signer certificate meeting the C2PA certificate profile
(signer.pem, signer.key). They are created on first use; 'keys init'
creates them now, with your organisation's name. To use your own, put
your certificate chain (leaf first) in signer.pem and its ECDSA P-256 key
in signer.key.

Flags:
`

func runKeys(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "init" && args[0] != "show") {
		fmt.Fprint(stderr, keysHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return 0
		}
		return 2
	}
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.SetOutput(stderr)
	org := fs.String("org", "Miaobi", "organisation named in the certificates")
	force := fs.Bool("force", false, "replace existing keys")
	fs.Usage = func() { fmt.Fprint(stderr, keysHelp); fs.PrintDefaults() }
	if err := fs.Parse(args[1:]); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "keys")
	dir, err := keysDir()
	if err != nil {
		return fail(1, err)
	}
	if args[0] == "init" {
		if err := c2pa.InitKeys(dir, *org, *force); err != nil {
			return fail(1, err)
		}
	}
	s, err := c2pa.LoadSigner(dir)
	if err != nil {
		return fail(1, fmt.Errorf("%w; create keys with 'miaobi keys init'", err))
	}
	leaf := s.Chain[0]
	fmt.Fprintf(stdout, "signer: %s\nissuer: %s\nvalid:  %s to %s\nroot:   %s\n", leaf.Subject, leaf.Issuer,
		leaf.NotBefore.Format("2006-01-02"), leaf.NotAfter.Format("2006-01-02"), filepath.Join(dir, c2pa.CAFile))
	return 0
}

const labelHelp = `Usage: miaobi label FILE -o OUT [--layers visible,metadata,watermark,c2pa]

Labels an existing file as AI-generated (GB 45438-2025), with a signed C2PA
manifest (c2pa.edited, the input as its ingredient):
  PNG, JPEG  visible corner label, AIGC metadata (XMP TC260:AIGC), watermark, C2PA
  WAV        the 短长短短 rhythm cue, AIGC metadata (RIFF AIGC + LIST/INFO), watermark, C2PA
  MP4        the visible label on the first 3 s (re-encoded with ffmpeg), AIGC metadata
             (moov/udta/meta), C2PA
  MP3        AIGC metadata (ID3v2.4 TXXX:AIGC)
--layers chooses which.
A file that already carries a label gets a new one in its place (one
implicit label per file); its C2PA manifest is kept as an ingredient.

Flags:
`

func runLabel(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("label", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pio := imageFlags(fs)
	layers := fs.String("layers", "visible,metadata,watermark,c2pa", "which layers to add")
	wording := fs.String("label-text", label.DefaultImageLabel, "wording of the visible label")
	fs.Usage = func() { fmt.Fprint(stderr, labelHelp); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "label")
	var want label.Layers
	for _, l := range strings.Split(*layers, ",") {
		switch strings.TrimSpace(l) {
		case "visible":
			want.Visible = true
		case "metadata":
			want.Metadata = true
		case "watermark":
			want.Watermark = true
		case "c2pa":
			want.C2PA = true
		default:
			return fail(2, fmt.Errorf("--layers: unknown layer %q; choose from visible, metadata, watermark, c2pa", l))
		}
	}
	if fs.NArg() != 1 {
		return fail(2, fmt.Errorf("give one file to label (got %d arguments)", fs.NArg()))
	}
	if *pio.out == "" {
		return fail(2, fmt.Errorf("give the output file with -o"))
	}
	in, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fail(2, err)
	}
	p := label.Provenance{
		ProduceID:   label.ProduceID("label", string(in)),
		Title:       filepath.Base(*pio.out),
		Action:      "c2pa.edited",
		Description: "labelled as AI-generated by miaobi label",
		Ingredient:  in,
		AIGenerated: true,
		Wording:     *wording,
		Layers:      want,
	}
	if want.C2PA {
		if p.Signer, err = signer(); err != nil {
			return fail(1, fmt.Errorf("signing keys: %w", err))
		}
	}
	var b []byte
	if label.Format(in) != "" {
		// A picture: decoded within the pixel limit, written as the
		// output's extension says.
		if err := checkOut(*pio.out); err != nil {
			return fail(2, err)
		}
		img, _, err := photo.Decode(bytes.NewReader(in), *pio.maxPixels)
		if err != nil {
			return fail(2, fmt.Errorf("%s: %w", fs.Arg(0), err))
		}
		format := "jpeg"
		if strings.HasSuffix(strings.ToLower(*pio.out), ".png") {
			format = "png"
		}
		if b, err = label.Encode(photo.Flatten(img), format, p); err != nil {
			return fail(2, err)
		}
	} else if b, _, err = label.File(in, p); err != nil {
		return fail(2, err)
	}
	if err := cli.WriteFileAtomic(*pio.out, b); err != nil {
		return fail(1, err)
	}
	fmt.Fprintf(stdout, "labelled %s → %s (%s)\n", fs.Arg(0), *pio.out, *layers)
	return 0
}

const verifyHelp = `Usage: miaobi verify FILE [--json] [--trust ROOTS.pem]

Reads every label layer back from a picture (PNG, JPEG), a sound (WAV,
MP3), a video (MP4: metadata and C2PA) or a text file:
  explicit   the visible label (Miaobi's corner label; for text, the labelled line;
             for sound, the 短长短短 rhythm cue)
  implicit   the AIGC metadata, its fields, and whether the pixels still match its integrity code
  c2pa       the Content Credentials: valid or not, trusted (signed under the local root or
             --trust), the signer, actions and digital source type, any hash mismatch
  watermark  the invisible watermark: found, payload (the ProduceID's first 64 bits), confidence
Exit status: 0 when every layer present is intact, 1 when something was
tampered with (a broken signature or hash, changed pixels), 2 on bad input.

Flags:
`

func runVerify(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	trust := fs.String("trust", "", "PEM file of further trusted root certificates")
	fs.Usage = func() { fmt.Fprint(stderr, verifyHelp); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return cli.ParseExit(err)
	}
	fail := cli.Failer(stderr, "verify")
	if fs.NArg() != 1 {
		return fail(2, fmt.Errorf("give one file to verify (got %d)", fs.NArg()))
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return fail(2, err)
	}
	dir, _ := keysDir()
	roots, err := c2pa.Roots(dir, *trust)
	if err != nil {
		return fail(2, fmt.Errorf("--trust: %w", err))
	}
	r, err := label.Verify(b, roots)
	if err != nil {
		return fail(2, fmt.Errorf("%s: %w; give a PNG, JPEG, WAV, MP3, MP4 or text file", fs.Arg(0), err))
	}
	// A text file's implicit label may sit beside it in FILE.aigc.json.
	if r.Format == "text" && !r.Implicit.Found {
		if side, err := os.ReadFile(fs.Arg(0) + ".aigc.json"); err == nil {
			if a, err := label.ParseAIGC(string(side)); err == nil {
				r.Implicit = label.ImplicitReport{Found: true, AIGC: &a, Where: "sidecar " + filepath.Base(fs.Arg(0)) + ".aigc.json"}
			}
		}
	}
	tampered := (r.C2PA.Present && !r.C2PA.Valid) || (r.Implicit.ContentIntact != nil && !*r.Implicit.ContentIntact)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		enc.Encode(struct {
			File     string `json:"file"`
			Tampered bool   `json:"tampered"`
			label.Report
		}{fs.Arg(0), tampered, r})
	} else {
		r.WriteText(stdout, fs.Arg(0), tampered)
	}
	if tampered {
		return 1
	}
	return 0
}
