package photo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // GIF: the first frame
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"

	_ "golang.org/x/image/webp" // WebP, lossy and lossless
)

// DefaultMaxPixels is the largest picture Decode accepts unless told
// otherwise: 50 megapixels, about 200 MB once decoded to RGBA.
const DefaultMaxPixels = 50_000_000

// MaxFileBytes is the largest file Decode reads: 256 MiB.
const MaxFileBytes = 256 << 20

// Errors a caller may test for.
var (
	ErrFormat   = errors.New("unsupported image format")
	ErrTooLarge = errors.New("picture too large")
)

// Decode reads a JPEG, PNG, GIF (first frame) or WebP picture. It reads the
// header first and refuses a picture of more than maxPixels pixels (0
// means DefaultMaxPixels) before decoding a byte of it, so a small file
// declaring a huge picture (a decompression bomb) costs nothing. It
// returns the picture and its format name.
func Decode(r io.Reader, maxPixels int) (image.Image, string, error) {
	b, err := readLimited(r)
	if err != nil {
		return nil, "", err
	}
	return decodeBytes(b, maxPixels)
}

// readLimited reads a whole file of at most MaxFileBytes.
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("photo: read: %w", err)
	}
	if len(b) > MaxFileBytes {
		return nil, fmt.Errorf("photo: the file is over %d MiB: %w", MaxFileBytes>>20, ErrTooLarge)
	}
	return b, nil
}

// decodeBytes is Decode of a file already read.
func decodeBytes(b []byte, maxPixels int) (image.Image, string, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if len(b) == 0 {
		return nil, "", errors.New("photo: the file is empty; give a JPEG, PNG, GIF or WebP picture")
	}
	cfg, format, err := image.DecodeConfig(bufio.NewReader(bytes.NewReader(b)))
	if errors.Is(err, image.ErrFormat) {
		return nil, "", fmt.Errorf("photo: %w (%s); give a JPEG, PNG, GIF or WebP picture", ErrFormat, sniff(b))
	}
	if err != nil {
		return nil, "", fmt.Errorf("photo: read %s header: %w; the file is damaged or truncated", format, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, "", fmt.Errorf("photo: the %s declares a %d×%d picture; nothing to work on", format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, "", fmt.Errorf("photo: the %s is %d×%d, over the limit of %d pixels: %w; shrink it first or raise the limit with --max-pixels",
			format, cfg.Width, cfg.Height, maxPixels, ErrTooLarge)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, "", fmt.Errorf("photo: decode %s: %w; the file is damaged or truncated", format, err)
	}
	if img.Bounds().Empty() {
		return nil, "", fmt.Errorf("photo: the %s holds an empty picture", format)
	}
	return img, format, nil
}

// Open decodes the picture in the named file (see Decode).
func Open(path string, maxPixels int) (image.Image, string, error) {
	img, _, format, err := Load(path, maxPixels)
	return img, format, err
}

// Load is Open that also returns the file's bytes, for callers that keep
// them (as a C2PA ingredient, say) without reading the file twice.
func Load(path string, maxPixels int) (img image.Image, raw []byte, format string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, "", fmt.Errorf("photo: %w", err)
	}
	defer f.Close()
	if raw, err = readLimited(f); err == nil {
		img, format, err = decodeBytes(raw, maxPixels)
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return img, raw, format, nil
}

// sniff names what an unsupported file seems to be, for the error message.
func sniff(b []byte) string {
	for _, s := range []struct{ magic, name string }{
		{"BM", "a BMP"}, {"II*\x00", "a TIFF"}, {"MM\x00*", "a TIFF"}, {"%PDF", "a PDF"},
		{"\x00\x00\x00\x0cjP", "a JPEG 2000"}, {"<svg", "an SVG"}, {"<?xml", "an XML file"},
	} {
		if bytes.HasPrefix(b, []byte(s.magic)) {
			return "it looks like " + s.name
		}
	}
	if len(b) >= 12 && string(b[4:8]) == "ftyp" {
		return "it looks like HEIC/AVIF or a video"
	}
	return "the format is not recognised"
}

// Flatten returns a copy of img as an opaque *image.RGBA with its origin
// at (0, 0), transparent parts laid on white paper.
func Flatten(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Rect, image.White, image.Point{}, draw.Src)
	draw.Draw(out, out.Rect, img, b.Min, draw.Over)
	return out
}
