package main

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// photoPath is a real photograph from the photo package's test data.
var photoPath = filepath.Join("..", "..", "photo", "testdata", "rocket.jpg")

func TestAdjustCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "a.png")
	e.run(t, nil, "adjust", photoPath, "--crop", "100,50,400,300", "--rotate", "90", "--resize", "x200", "--saturation", "-1", "-o", out).wantCode(t, 0)
	img, err := png.Decode(bytes.NewReader(readFile(t, out)))
	if err != nil {
		t.Fatal(err)
	}
	// Cropped to 400×300, turned to 300×400, scaled to 150×200.
	if b := img.Bounds(); b.Dx() != 150 || b.Dy() != 200 {
		t.Errorf("got %v, want 150×200", b)
	}
	r, g, bl, _ := img.At(75, 100).RGBA()
	if r != g || g != bl {
		t.Errorf("saturation -1 left colour %d %d %d", r>>8, g>>8, bl>>8)
	}
	jpg := filepath.Join(dir, "b.jpg")
	e.run(t, nil, "adjust", photoPath, "--brightness", "0.2", "-o", jpg).wantCode(t, 0)
	if _, err := jpeg.Decode(bytes.NewReader(readFile(t, jpg))); err != nil {
		t.Error(err)
	}
	notPic := filepath.Join(dir, "note.txt")
	os.WriteFile(notPic, []byte("not a picture"), 0o644)
	trunc := filepath.Join(dir, "t.jpg")
	os.WriteFile(trunc, readFile(t, photoPath)[:2000], 0o644)
	e.wantUsageErrors(t, []usageError{
		{[]string{"adjust", photoPath}, "-o"},
		{[]string{"adjust", "-o", out}, "one input picture"},
		{[]string{"adjust", notPic, "-o", out}, "JPEG, PNG, GIF or WebP"},
		{[]string{"adjust", trunc, "-o", out}, "truncated"},
		{[]string{"adjust", photoPath, "--max-pixels", "1000", "-o", out}, "--max-pixels"},
		{[]string{"adjust", photoPath, "--crop", "1,2,3", "-o", out}, "--crop"},
		{[]string{"adjust", photoPath, "--crop", "5000,5000,10,10", "-o", out}, "outside"},
		{[]string{"adjust", photoPath, "--resize", "big", "-o", out}, "--resize"},
		{[]string{"adjust", photoPath, "--contrast", "3", "-o", out}, "from -1 to 1"},
		{[]string{"adjust", photoPath, "-o", filepath.Join(dir, "x.bmp")}, ".png or .jpg"},
	})
}

func TestStylizeCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	small := filepath.Join(dir, "small.png")
	e.run(t, nil, "adjust", photoPath, "--resize", "160x", "-o", small).wantCode(t, 0)
	for _, style := range []string{"ink", "sketch", "watercolor", "oil"} {
		a, b := filepath.Join(dir, style+"-a.png"), filepath.Join(dir, style+"-b.png")
		e.run(t, nil, "stylize", "--style", style, small, "-o", a).wantCode(t, 0)
		e.run(t, nil, "stylize", small, "--style", style, "-o", b).wantCode(t, 0)
		if !samePixels(t, a, b) {
			t.Errorf("%s: the same picture and seed gave different pixels", style)
		}
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"stylize", small, "-o", filepath.Join(dir, "x.png")}, "--style"},
		{[]string{"stylize", "--style", "cubist", small, "-o", filepath.Join(dir, "x.png")}, "ink, sketch, watercolor, oil"},
		{[]string{"stylize", "--style", "ink", filepath.Join(dir, "none.jpg"), "-o", filepath.Join(dir, "x.png")}, "no such file"},
	})
}

func TestInscribeCommand(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	r := e.run(t, nil, "inscribe", photoPath, "--seed", "3", "-o", a)
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "sky") || !strings.Contains(r.stdout, "keywords:") {
		t.Errorf("the report says %q", r.stdout)
	}
	e.run(t, nil, "inscribe", photoPath, "--seed", "3", "-o", b).wantCode(t, 0)
	if !samePixels(t, a, b) {
		t.Error("the same picture and seed gave different pixels")
	}
	// The inscription changes the picture, and the poem obeys its form.
	plain := filepath.Join(dir, "plain.png")
	e.run(t, nil, "adjust", photoPath, "--brightness", "0", "-o", plain).wantCode(t, 0)
	if samePixels(t, plain, a) {
		t.Error("nothing was inscribed")
	}
	j := e.run(t, nil, "inscribe", photoPath, "-k", "归雁", "--form", "五绝", "--json", "-o", b)
	j.wantCode(t, 0)
	if !strings.Contains(j.stdout, `"form": "五绝"`) || !strings.Contains(j.stdout, `"sky"`) {
		t.Errorf("JSON: %s", j.stdout)
	}
	bad := e.run(t, nil, "inscribe", photoPath, "--form", "八绝", "-o", b)
	bad.wantCode(t, 2)
}

// usageError is a command line that must fail with exit code 2 and a
// message containing msg.
type usageError struct {
	args []string
	msg  string
}

func (e *env) wantUsageErrors(t *testing.T, cases []usageError) {
	t.Helper()
	for _, tc := range cases {
		r := e.run(t, nil, tc.args...)
		r.wantCode(t, 2)
		if !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%v: %q does not say %q", tc.args, r.stderr, tc.msg)
		}
	}
}
