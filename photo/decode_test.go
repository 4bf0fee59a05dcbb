package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"
)

func encoded(t testing.TB, format string, img image.Image) []byte {
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testPicture(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 255 / max(1, w-1)), uint8(y * 255 / max(1, h-1)), 90, 255})
		}
	}
	return img
}

func TestDecodeFormats(t *testing.T) {
	pic := testPicture(40, 30)
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name, format string
		data         []byte
		w, h         int
	}{
		{"png", "png", encoded(t, "png", pic), 40, 30},
		{"jpeg", "jpeg", encoded(t, "jpeg", pic), 40, 30},
		{"gif", "gif", encoded(t, "gif", pic), 40, 30},
		{"webp lossy", "webp", read("blue-purple-pink.lossy.webp"), 0, 0},
		{"webp lossless with alpha", "webp", read("gopher-doc.with-alpha.lossless.webp"), 0, 0},
		{"photo", "jpeg", read("rocket.jpg"), 640, 427},
	}
	for _, tc := range tests {
		img, format, err := Decode(bytes.NewReader(tc.data), 0)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if format != tc.format {
			t.Errorf("%s: format %q", tc.name, format)
		}
		if tc.w > 0 && (img.Bounds().Dx() != tc.w || img.Bounds().Dy() != tc.h) {
			t.Errorf("%s: %v", tc.name, img.Bounds())
		}
		if f := Flatten(img); f.Rect.Min != (image.Point{}) || f.Pix[3] != 255 {
			t.Errorf("%s: flattened to %v with alpha %d", tc.name, f.Rect, f.Pix[3])
		}
	}
}

func TestDecodeBad(t *testing.T) {
	good := encoded(t, "png", testPicture(40, 30))
	// A PNG header declaring 100000×100000 pixels: refused before decoding.
	bomb := append([]byte{}, good...)
	copy(bomb[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	tests := []struct {
		name string
		data []byte
		max  int
		want string
		is   error
	}{
		{"empty", nil, 0, "empty", nil},
		{"text", []byte("hello, this is not a picture"), 0, "JPEG, PNG, GIF or WebP", ErrFormat},
		{"bmp", []byte("BM\x00\x00\x00\x00\x00\x00"), 0, "BMP", ErrFormat},
		{"truncated png", good[:len(good)/2], 0, "damaged or truncated", nil},
		{"truncated jpeg", encoded(t, "jpeg", testPicture(40, 30))[:300], 0, "damaged or truncated", nil},
		{"bomb", bomb, 0, "--max-pixels", ErrTooLarge},
		{"over a small limit", good, 1000, "over the limit of 1000 pixels", ErrTooLarge},
	}
	for _, tc := range tests {
		_, _, err := Decode(bytes.NewReader(tc.data), tc.max)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to say %q", tc.name, err, tc.want)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: %v is not %v", tc.name, err, tc.is)
		}
	}
	if _, _, err := Open("testdata/nonexistent.jpg", 0); err == nil {
		t.Error("a missing file opened")
	}
}

// FuzzDecode feeds arbitrary bytes to the decoders: any error is fine, a
// panic or a picture over the limit is not.
func FuzzDecode(f *testing.F) {
	f.Add(encoded(f, "png", testPicture(8, 8)))
	f.Add(encoded(f, "jpeg", testPicture(8, 8)))
	f.Add(encoded(f, "gif", testPicture(8, 8)))
	if b, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		img, _, err := Decode(bytes.NewReader(b), 1<<20)
		if err != nil {
			return
		}
		if r := img.Bounds(); r.Dx()*r.Dy() > 1<<20 || r.Empty() {
			t.Fatalf("accepted %v", r)
		}
		Flatten(img)
	})
}
