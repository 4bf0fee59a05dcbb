package main

import (
	"bytes"
	"image"
	_ "image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPaintCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	e.run(t, nil, "paint", "-k", "孤舟,月,江", "--size", "320x160", "--seed", "3", "-o", a).wantCode(t, 0)
	e.run(t, nil, "paint", "-k", "孤舟,月,江", "--size", "320x160", "--seed", "3", "-o", b).wantCode(t, 0)
	// Signatures differ between runs; pixels may not.
	if !samePixels(t, a, b) {
		t.Error("the same scene and seed gave different pixels")
	}
	e.runStdin(t, "孤舟月江", "paint", "--poem", "-", "--no-inscription", "--size", "320x160", "--seed", "3", "-o", filepath.Join(dir, "p.png")).wantCode(t, 0)
	pa := readFile(t, a)
	img, err := png.Decode(bytes.NewReader(pa))
	if err != nil || img.Bounds().Dx() != 320 || img.Bounds().Dy() != 160 {
		t.Errorf("decoded %v, %v", img.Bounds(), err)
	}
	e.run(t, nil, "paint", "-k", "雪", "--size", "320x160", "-o", filepath.Join(dir, "c.jpg")).wantCode(t, 0)
	e.run(t, nil, "paint", "-k", "江,柳", "--scroll", "1024x256", "-o", filepath.Join(dir, "s.png")).wantCode(t, 0)
	// A poem is inscribed unless asked not to; the inscription adds ink.
	poemText := "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
	d, nd := filepath.Join(dir, "d.png"), filepath.Join(dir, "nd.png")
	e.runStdin(t, poemText, "paint", "--poem", "-", "--size", "640x320", "-o", d).wantCode(t, 0)
	e.runStdin(t, poemText, "paint", "--poem", "-", "--size", "640x320", "--no-inscription", "-o", nd).wantCode(t, 0)
	if samePixels(t, d, nd) {
		t.Error("the inscription changed nothing")
	}
	r := e.runStdin(t, "龘龘龘龘龘，龘龘龘龘龘。", "paint", "--poem", "-", "--size", "640x320", "-o", filepath.Join(dir, "e.png"))
	r.wantCode(t, 2)
	if !strings.Contains(r.stderr, "has 「龘」") {
		t.Errorf("a missing glyph: %q", r.stderr)
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"paint", "-k", "山"}, "-o"},
		{[]string{"paint", "-o", filepath.Join(dir, "x.gif")}, ".png or .jpg"},
		{[]string{"paint", "--size", "big", "-o", a}, "--size"},
		{[]string{"paint", "--size", "100000x100000", "-o", a}, "megapixels"},
		{[]string{"paint", "--size", "10x10", "-o", a}, "at least"},
		{[]string{"paint", "--scroll", "2048x1024", "-o", a}, "three times as wide"},
		{[]string{"paint", "--scroll", "long", "-o", a}, "--scroll"},
		{[]string{"paint", "--poem", "/nonexistent", "-o", a}, "no such file"},
	})
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// samePixels reports whether two picture files decode to the same pixels.
func samePixels(t *testing.T, a, b string) bool {
	t.Helper()
	pa, _, err1 := image.Decode(bytes.NewReader(readFile(t, a)))
	pb, _, err2 := image.Decode(bytes.NewReader(readFile(t, b)))
	if err1 != nil || err2 != nil {
		t.Fatalf("decoding %s, %s: %v, %v", a, b, err1, err2)
	}
	if pa.Bounds() != pb.Bounds() {
		return false
	}
	r := pa.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if pa.At(x, y) != pb.At(x, y) {
				return false
			}
		}
	}
	return true
}
