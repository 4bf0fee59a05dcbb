package label

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"log/slog"

	"miaobi/label/c2pa"
	"miaobi/label/internal/bmff"
	"miaobi/label/watermark"
)

// DigitalSourceTrained is the IPTC digital source type of content a
// trained model made.
const DigitalSourceTrained = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"

// Provenance says what a picture is and how it was made; Encode turns it
// into the picture's labels.
type Provenance struct {
	// Producer is the ContentProducer (DefaultProducer when empty).
	Producer string
	// ProduceID identifies the content (see ProduceID); it decides the
	// watermark, so it must come from the request, not the clock.
	ProduceID string
	// Title names the output file in the C2PA manifest.
	Title string
	// Action is c2pa.created for new content, c2pa.edited when a person's
	// file was changed (then Ingredient is that file).
	Action      string
	Description string
	// Agent names the software of the first action ("Miaobi" when empty):
	// an image engine and its model, when one made the picture.
	Agent string
	// Ingredient is the person's input file, for edits.
	Ingredient []byte
	// AIGenerated says the content is AI-generated: explicit and
	// implicit labels, watermark and the trainedAlgorithmicMedia source
	// type. False for plain edits (crop, resize) of a person's own picture.
	AIGenerated bool
	// Wording is the visible label (DefaultImageLabel when empty).
	Wording string
	// Layers chooses the layers to write (for AI-generated content; a
	// plain edit gets only the C2PA manifest).
	Layers Layers
	// Signer signs the C2PA manifest; needed when Layers.C2PA is set.
	Signer *c2pa.Signer
	// History lists further actions after the first, in order: who made
	// or changed which part (the studio's per-part attribution).
	History []c2pa.Action
	// Components are other files the content was made with or published
	// beside (the poem text of a painting), bound by their hashes.
	Components []c2pa.Ingredient
}

// Layers names the label layers.
type Layers struct {
	// Visible is the explicit corner label. GB 45438 allows leaving it
	// off only under a user agreement, so doing so is logged.
	Visible   bool
	Metadata  bool // the AIGC implicit label
	Watermark bool // the invisible watermark
	C2PA      bool // the signed C2PA manifest
}

// AllLayers is every layer: what Miaobi writes unless told otherwise.
var AllLayers = Layers{Visible: true, Metadata: true, Watermark: true, C2PA: true}

// Encode writes img as PNG or JPEG (format "png" or "jpeg") with every
// label layer: the visible corner label and the invisible watermark drawn
// into the pixels (img is changed), then the AIGC metadata and a signed
// C2PA manifest added to the file. The same img and Provenance give the
// same pixels; only the signature and its timestamp differ between runs.
func Encode(img *image.RGBA, format string, p Provenance) ([]byte, error) {
	if p.Producer == "" {
		p.Producer = DefaultProducer
	}
	if p.Wording == "" {
		p.Wording = DefaultImageLabel
	}
	if p.Action == "" {
		p.Action = "c2pa.created"
	}
	L := p.Layers
	if p.AIGenerated {
		if p.ProduceID == "" {
			return nil, fmt.Errorf("label: encode: no ProduceID")
		}
		if !L.Visible {
			slog.Warn("writing AI-generated content without its visible label (GB 45438 allows this only under a user agreement)", "title", p.Title, "produce_id", p.ProduceID)
		} else if _, err := Image(img, p.Wording); err != nil {
			return nil, err
		}
		if L.Watermark {
			if err := watermark.Embed(img, watermark.PayloadOf(p.ProduceID)); err != nil {
				return nil, err
			}
		}
	}
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92})
	default:
		return nil, fmt.Errorf("label: encode: format %q: write png or jpeg", format)
	}
	if err != nil {
		return nil, fmt.Errorf("label: encode %s: %w", format, err)
	}
	file := buf.Bytes()
	var aigc string
	if p.AIGenerated && L.Metadata {
		var sum string
		if format == "png" && img.Opaque() {
			// PNG is lossless and an opaque picture round-trips exactly:
			// no need to decode what was just written.
			sum = pixelHash(img)
		} else if sum, err = PixelHash(file); err != nil {
			return nil, err
		}
		a := New(p.Producer, p.ProduceID, sum)
		if file, err = EmbedAIGC(file, a); err != nil {
			return nil, err
		}
		aigc = a.JSON()
	}
	if !L.C2PA {
		return file, nil
	}
	if p.Signer == nil {
		return nil, fmt.Errorf("label: encode: a C2PA manifest needs a signer")
	}
	m := manifestOf(p, "image/"+format, aigc)
	if format == "png" {
		return c2pa.SignPNG(file, m, p.Signer)
	}
	return c2pa.SignJPEG(file, m, p.Signer)
}

// PixelHash is the integrity code Miaobi writes as ReservedCode1: the
// first 20 bytes, in hex, of the SHA-256 of the picture's pixels as Go's
// decoders read them (8-bit RGBA, row by row). Metadata does not change
// it; any change to the pixels does.
func PixelHash(file []byte) (string, error) {
	img, _, err := image.Decode(bytes.NewReader(file))
	if err != nil {
		return "", fmt.Errorf("label: pixel hash: %w", err)
	}
	return pixelHash(img), nil
}

// pixelHash is PixelHash of a picture already decoded.
func pixelHash(img image.Image) string {
	rgba, ok := img.(*image.RGBA)
	if !ok || rgba.Stride != 4*rgba.Rect.Dx() {
		rgba = toRGBA(img)
	}
	sum := sha256.Sum256(rgba.Pix)
	return fmt.Sprintf("%x", sum[:20])
}

// mimeOf names a file's media type from its first bytes.
func mimeOf(b []byte) string {
	switch {
	case Format(b) != "":
		return "image/" + Format(b)
	case AudioFormat(b) == "wav":
		return "audio/wav"
	case bmff.Is(b):
		return "video/mp4"
	case AudioFormat(b) == "mp3":
		return "audio/mpeg"
	}
	return "application/octet-stream"
}

// toRGBA copies a picture into an RGBA one at the origin (the watermark
// and the visible label draw on RGBA).
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}
