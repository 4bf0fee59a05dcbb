package label

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // decoders for the watermark and label readers
	_ "image/png"
	"io"
	"strings"
	"unicode/utf8"

	"miaobi/label/c2pa"
	"miaobi/label/internal/bmff"
	"miaobi/label/watermark"
)

// Report is what Verify found in a file, layer by layer.
type Report struct {
	Format    string              `json:"format"`
	Explicit  ExplicitReport      `json:"explicit"`
	Implicit  ImplicitReport      `json:"implicit"`
	C2PA      c2pa.Report         `json:"c2pa"`
	Watermark watermark.Detection `json:"watermark"`
	// WatermarkMatches says whether the watermark's payload is the one the
	// implicit label's ProduceID gives; nil unless both were found.
	WatermarkMatches *bool `json:"watermark_matches_produce_id,omitempty"`
}

// ExplicitReport is the visible label: for text, the labelled line; for
// pictures, how well Miaobi's corner label matches (score above 0.5).
type ExplicitReport struct {
	Found bool    `json:"found"`
	Text  string  `json:"text,omitempty"`
	Score float64 `json:"score,omitempty"`
	Where string  `json:"where,omitempty"`
}

// ImplicitReport is the AIGC metadata.
type ImplicitReport struct {
	Found bool   `json:"found"`
	AIGC  *AIGC  `json:"aigc,omitempty"`
	Where string `json:"where,omitempty"`
	// ContentIntact says whether the pixels or samples still hash to
	// ReservedCode1 (Miaobi's integrity code); nil when there is no code
	// to check.
	ContentIntact *bool  `json:"content_intact,omitempty"`
	Error         string `json:"error,omitempty"`
}

// Verify reads every label layer back from a file: PNG and JPEG pictures
// and WAV sound (all four layers), MP3 (the AIGC metadata), MP4 (the AIGC
// metadata and C2PA) or UTF-8 text (the explicit and in-band labels).
// roots are the trusted C2PA signing roots (nil: none, so no signature is
// Trusted).
func Verify(file []byte, roots *x509.CertPool) (Report, error) {
	var r Report
	switch {
	case AudioFormat(file) != "":
		ar, err := VerifyAudio(file)
		if err != nil {
			return r, err
		}
		r.Format, r.Explicit, r.Implicit, r.Watermark, r.WatermarkMatches = ar.Format, ar.Explicit, ar.Implicit, ar.Watermark, ar.WatermarkMatches
		r.Implicit.ContentIntact = ar.SamplesIntact
		if ar.Format == "wav" {
			r.C2PA = c2paOf(file, roots)
		}
		return r, nil
	case bmff.Is(file):
		r.Format = "mp4"
		if a, where, err := ReadAIGCMP4(file); err == nil {
			r.Implicit = ImplicitReport{Found: true, AIGC: &a, Where: where}
		} else if !errors.Is(err, ErrNoLabel) {
			r.Implicit.Error = err.Error()
		}
		r.C2PA = c2paOf(file, roots)
		// The visible label, one second in, where ffmpeg can read frames.
		if score, err := FindVideoLabel(file, DefaultImageLabel, 1); err == nil {
			r.Explicit = ExplicitReport{Found: score > 0.5, Score: score, Text: DefaultImageLabel, Where: "opening frames, bottom-right corner"}
		}
		// The watermark, in the sound track (its first two minutes).
		if a, err := VideoSound(file, 120); err == nil {
			r.Watermark = watermark.DetectAudio(a)
			if r.Watermark.Found && r.Implicit.AIGC != nil {
				ok := r.Watermark.Payload == watermark.PayloadOf(r.Implicit.AIGC.ProduceID)
				r.WatermarkMatches = &ok
			}
		}
		return r, nil
	}
	r.Format = Format(file)
	if r.Format == "" {
		if utf8.Valid(file) && !bytes.ContainsRune(file, 0) {
			r.Format = "text"
			if line, ok := FindTextLabel(string(file)); ok {
				r.Explicit = ExplicitReport{Found: true, Text: line, Where: "start or end of the text"}
			}
			if i := bytes.Index(file, []byte(`{"AIGC"`)); i >= 0 {
				if end := bytes.IndexByte(file[i:], '\n'); end > 0 {
					if a, err := ParseAIGC(string(file[i : i+end])); err == nil {
						r.Implicit = ImplicitReport{Found: true, AIGC: &a, Where: "in-band JSON line"}
					}
				}
			}
			return r, nil
		}
		return r, ErrFormat
	}
	// The picture is decoded once, for the integrity code, the visible
	// label and the watermark; a damaged one leaves the metadata layers.
	img, _, decErr := image.Decode(bytes.NewReader(file))
	if a, where, err := ReadAIGC(file); err == nil {
		r.Implicit = ImplicitReport{Found: true, AIGC: &a, Where: where}
		if a.ReservedCode1 != "" && decErr == nil {
			ok := pixelHash(img) == a.ReservedCode1
			r.Implicit.ContentIntact = &ok
		}
	} else if !errors.Is(err, ErrNoLabel) {
		r.Implicit.Error = err.Error()
	}
	r.C2PA = c2paOf(file, roots)
	if decErr != nil {
		return r, nil
	}
	score := FindImageLabel(img, DefaultImageLabel)
	r.Explicit = ExplicitReport{Found: score > 0.5, Score: score, Text: DefaultImageLabel, Where: "bottom-right corner"}
	r.Watermark = watermark.Detect(img)
	if r.Watermark.Found && r.Implicit.AIGC != nil {
		ok := r.Watermark.Payload == watermark.PayloadOf(r.Implicit.AIGC.ProduceID)
		r.WatermarkMatches = &ok
	}
	return r, nil
}

// c2paOf is VerifyC2PA with a failure to read the store reported among
// the errors.
func c2paOf(file []byte, roots *x509.CertPool) c2pa.Report {
	c, err := c2pa.Verify(file, roots)
	if err != nil {
		c.Errors = append(c.Errors, err.Error())
	}
	return c
}

// WriteText writes the report as 'miaobi verify' prints it: one line a
// layer, then TAMPERED when tampered is set.
func (r Report) WriteText(w io.Writer, name string, tampered bool) {
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(w, "%s (%s)\n", name, r.Format)
	fmt.Fprintf(w, "  explicit   %s", yes(r.Explicit.Found))
	if r.Explicit.Found {
		fmt.Fprintf(w, " — %q at the %s", r.Explicit.Text, r.Explicit.Where)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  implicit   %s", yes(r.Implicit.Found))
	if a := r.Implicit.AIGC; a != nil {
		fmt.Fprintf(w, " — Label %s, producer %s, ProduceID %s (%s)", a.Label, a.ContentProducer, a.ProduceID, r.Implicit.Where)
		if r.Implicit.ContentIntact != nil {
			fmt.Fprintf(w, "; content intact: %s", yes(*r.Implicit.ContentIntact))
		}
	}
	if r.Implicit.Error != "" {
		fmt.Fprintf(w, " — %s", r.Implicit.Error)
	}
	fmt.Fprintln(w)
	c := r.C2PA
	fmt.Fprintf(w, "  c2pa       %s", yes(c.Present))
	if c.Present {
		fmt.Fprintf(w, " — valid %s, trusted %s, signer %q, actions %s, source %s", yes(c.Valid), yes(c.Trusted), c.Signer, strings.Join(c.Actions, ","), c.DigitalSourceType)
	}
	for _, e := range c.Errors {
		fmt.Fprintf(w, "\n             ! %s", e)
	}
	fmt.Fprintln(w)
	m := r.Watermark
	fmt.Fprintf(w, "  watermark  %s", yes(m.Found))
	if m.Found {
		fmt.Fprintf(w, " — payload %016x, confidence %.3f", uint64(m.Payload), m.Confidence)
		if r.WatermarkMatches != nil {
			fmt.Fprintf(w, "; matches the ProduceID: %s", yes(*r.WatermarkMatches))
		}
	}
	fmt.Fprintln(w)
	if tampered {
		fmt.Fprintln(w, "  TAMPERED: the file changed after it was signed or labelled")
	}
}
