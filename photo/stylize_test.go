package photo

import (
	"bytes"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

var styTestPhotos = []string{"rocket.jpg", "coffee.jpg", "chelsea.jpg"}

// styTestPhoto decodes a photograph from testdata.
func styTestPhoto(tb testing.TB, name string) image.Image {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return img
}

// styTestSmall is a test photograph scaled to 240 pixels wide, which keeps
// the tests quick.
func styTestSmall(tb testing.TB, name string) *image.RGBA {
	tb.Helper()
	img := styTestPhoto(tb, name)
	b := img.Bounds()
	return styTestResize(img, 240, 240*b.Dy()/b.Dx())
}

// styTestResize scales img to w×h bilinearly (a test helper, not tuned).
func styTestResize(img image.Image, w, h int) *image.RGBA {
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	sw, sh := b.Dx(), b.Dy()
	for y := 0; y < h; y++ {
		fy := math.Max(0, (float64(y)+0.5)*float64(sh)/float64(h)-0.5)
		y0 := min(int(fy), sh-1)
		y1 := min(y0+1, sh-1)
		ty := fy - float64(y0)
		for x := 0; x < w; x++ {
			fx := math.Max(0, (float64(x)+0.5)*float64(sw)/float64(w)-0.5)
			x0 := min(int(fx), sw-1)
			x1 := min(x0+1, sw-1)
			tx := fx - float64(x0)
			for c := 0; c < 4; c++ {
				p00 := float64(src.Pix[src.PixOffset(x0, y0)+c])
				p10 := float64(src.Pix[src.PixOffset(x1, y0)+c])
				p01 := float64(src.Pix[src.PixOffset(x0, y1)+c])
				p11 := float64(src.Pix[src.PixOffset(x1, y1)+c])
				v := (p00*(1-tx)+p10*tx)*(1-ty) + (p01*(1-tx)+p11*tx)*ty
				out.Pix[out.PixOffset(x, y)+c] = uint8(v + 0.5)
			}
		}
	}
	return out
}

// styMeanLuma is the mean Rec. 601 luminance of img in [0,1].
func styMeanLuma(img *image.RGBA) float64 {
	var sum float64
	b := img.Rect
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := img.Pix[img.PixOffset(x, y):]
			sum += 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
		}
	}
	return sum / float64(b.Dx()*b.Dy()) / 255
}

func TestParseStyle(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Style
		err  bool
	}{
		{"ink", Ink, false},
		{"sketch", Sketch, false},
		{"watercolor", Watercolor, false},
		{"oil", Oil, false},
		{" Oil ", Oil, false},
		{"WATERCOLOUR", Watercolor, false},
		{"pastel", "", true},
		{"", "", true},
	} {
		got, err := ParseStyle(c.in)
		if c.err {
			if err == nil {
				t.Errorf("ParseStyle(%q) = %q, want an error", c.in, got)
				continue
			}
			for _, st := range Styles() {
				if !strings.Contains(err.Error(), string(st)) {
					t.Errorf("ParseStyle(%q) error %q does not list %q", c.in, err, st)
				}
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseStyle(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	seen := map[Style]bool{}
	for _, st := range Styles() {
		if seen[st] {
			t.Errorf("Styles lists %q twice", st)
		}
		seen[st] = true
		if got, err := ParseStyle(string(st)); err != nil || got != st {
			t.Errorf("ParseStyle(%q) = %q, %v", st, got, err)
		}
	}
	if len(seen) != 4 {
		t.Errorf("Styles() has %d styles, want 4", len(seen))
	}
}

func TestStylizeRefuses(t *testing.T) {
	for _, c := range []struct {
		name  string
		img   image.Image
		style Style
		want  string
	}{
		{"nil", nil, Ink, "no picture"},
		{"empty", image.NewRGBA(image.Rect(0, 0, 0, 0)), Ink, "empty"},
		{"no rows", image.NewRGBA(image.Rect(0, 0, 10, 0)), Oil, "empty"},
		{"unknown style", image.NewRGBA(image.Rect(0, 0, 4, 4)), "pastel", "choose one of ink, sketch, watercolor, oil"},
		// A uniform colour claims a huge bounds; it must be refused
		// before anything is allocated.
		{"too large", image.NewUniform(color.White), Sketch, "megapixels"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := Stylize(c.img, c.style, 1)
			if err == nil {
				t.Fatalf("Stylize gave a %v picture, want an error", out.Bounds())
			}
			if !strings.HasPrefix(err.Error(), "photo: stylize") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q, want one starting \"photo: stylize\" and mentioning %q", err, c.want)
			}
		})
	}
}

// Tiny and degenerate pictures must not panic, and keep their size.
func TestStylizeTiny(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][2]int{{1, 1}, {2, 2}, {3, 3}, {1, 500}, {500, 1}, {2, 300}, {7, 5}} {
		img := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
		for i := range img.Pix {
			img.Pix[i] = uint8(rng.IntN(256))
		}
		for _, st := range Styles() {
			out, err := Stylize(img, st, 9)
			if err != nil {
				t.Errorf("%v %d×%d: %v", st, sz[0], sz[1], err)
				continue
			}
			if out.Rect != image.Rect(0, 0, sz[0], sz[1]) {
				t.Errorf("%v %d×%d: output bounds %v", st, sz[0], sz[1], out.Rect)
			}
		}
	}
}

// The same picture, style and seed give identical pixels, however many
// goroutines share the work; the source is left alone.
func TestStylizeDeterministic(t *testing.T) {
	for _, name := range styTestPhotos {
		src := styTestSmall(t, name)
		before := bytes.Clone(src.Pix)
		for _, st := range Styles() {
			a, err := Stylize(src, st, 42)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Stylize(src, st, 42)
			if !bytes.Equal(a.Pix, b.Pix) {
				t.Errorf("%s %s: two runs with one seed differ", name, st)
			}
			for _, procs := range []int{1, 3} {
				old := runtime.GOMAXPROCS(procs)
				c, _ := Stylize(src, st, 42)
				runtime.GOMAXPROCS(old)
				if !bytes.Equal(a.Pix, c.Pix) {
					t.Errorf("%s %s: GOMAXPROCS=%d changes the pixels", name, st, procs)
				}
			}
		}
		if !bytes.Equal(before, src.Pix) {
			t.Errorf("%s: Stylize modified its source", name)
		}
	}
}

// Every style draws its texture from the seed: another seed gives another
// picture, though the same picture underneath.
func TestStylizeSeed(t *testing.T) {
	src := styTestSmall(t, "coffee.jpg")
	for _, st := range Styles() {
		a, _ := Stylize(src, st, 1)
		b, _ := Stylize(src, st, 2)
		differ := 0
		var diff float64
		for i := 0; i < len(a.Pix); i += 4 {
			d := 0
			for c := 0; c < 3; c++ {
				d += int(math.Abs(float64(a.Pix[i+c]) - float64(b.Pix[i+c])))
			}
			if d > 0 {
				differ++
			}
			diff += float64(d)
		}
		n := len(a.Pix) / 4
		if differ < n/5 {
			t.Errorf("%s: seeds 1 and 2 differ in only %d of %d pixels", st, differ, n)
		}
		// Texture, not a different picture: the mean change is small.
		if mean := diff / float64(3*n) / 255; mean > 0.1 {
			t.Errorf("%s: seeds 1 and 2 differ by %.3f on average, more than texture should", st, mean)
		}
	}
}

// The output has the size of the source, at the origin, even for a
// sub-image whose bounds do not start at zero; and it is opaque.
func TestStylizeBounds(t *testing.T) {
	full := styTestSmall(t, "chelsea.jpg")
	sub := full.SubImage(image.Rect(30, 20, 190, 130))
	for _, st := range Styles() {
		out, err := Stylize(sub, st, 5)
		if err != nil {
			t.Fatal(err)
		}
		if out.Rect != image.Rect(0, 0, 160, 110) {
			t.Errorf("%s: bounds %v, want (0,0)-(160,110)", st, out.Rect)
		}
		for i := 3; i < len(out.Pix); i += 4 {
			if out.Pix[i] != 255 {
				t.Fatalf("%s: pixel %d has alpha %d", st, i/4, out.Pix[i])
			}
		}
	}
}

// Every image type is accepted and read as At would read it.
func TestStylizeImageTypes(t *testing.T) {
	src := styTestSmall(t, "rocket.jpg")
	b := src.Bounds()
	gray := image.NewGray(b)
	draw.Draw(gray, b, src, b.Min, draw.Src)
	nrgba := image.NewNRGBA(b)
	draw.Draw(nrgba, b, src, b.Min, draw.Src)
	for i := 3; i < len(nrgba.Pix); i += 4 {
		nrgba.Pix[i] = uint8(i / 4 % 256) // every alpha
	}
	pal := image.NewPaletted(b, palette.Plan9)
	draw.Draw(pal, b, src, b.Min, draw.Src)
	var jbuf bytes.Buffer
	if err := jpeg.Encode(&jbuf, src, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	ycc, err := jpeg.Decode(&jbuf)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ycc.(*image.YCbCr); !ok {
		t.Fatalf("JPEG decoded as %T, want *image.YCbCr", ycc)
	}
	rgba := image.NewRGBA(b)
	draw.Draw(rgba, b, nrgba, b.Min, draw.Src) // premultiplied, translucent
	rgba64 := image.NewRGBA64(b)
	draw.Draw(rgba64, b, src, b.Min, draw.Src)
	for _, c := range []struct {
		name string
		img  image.Image
	}{
		{"Gray", gray}, {"NRGBA", nrgba}, {"Paletted", pal}, {"YCbCr", ycc},
		{"RGBA", rgba}, {"RGBA64", rgba64}, {"sub-image", ycc.(*image.YCbCr).SubImage(image.Rect(10, 10, 100, 80))},
	} {
		// The fast paths agree with the general At path.
		got := styFromImage(c.img)
		want := styFromImage(struct{ image.Image }{c.img})
		for i := range got.r {
			for _, d := range []float32{got.r[i] - want.r[i], got.g[i] - want.g[i], got.b[i] - want.b[i]} {
				if d > 1.5/255 || d < -1.5/255 {
					t.Fatalf("%s: pixel %d reads (%.4f %.4f %.4f), At gives (%.4f %.4f %.4f)", c.name, i,
						got.r[i], got.g[i], got.b[i], want.r[i], want.g[i], want.b[i])
				}
			}
		}
		for _, st := range Styles() {
			out, err := Stylize(c.img, st, 3)
			if err != nil {
				t.Errorf("%s %s: %v", c.name, st, err)
				continue
			}
			if out.Rect.Size() != c.img.Bounds().Size() {
				t.Errorf("%s %s: size %v, want %v", c.name, st, out.Rect.Size(), c.img.Bounds().Size())
			}
		}
	}
	// Broken paletted pictures: indices past a short palette (At would
	// panic), and no palette at all.
	short := image.NewPaletted(image.Rect(0, 0, 20, 20), palette.Plan9[:10])
	for i := range short.Pix {
		short.Pix[i] = uint8(i)
	}
	empty := image.NewPaletted(image.Rect(0, 0, 20, 20), nil)
	for _, img := range []image.Image{short, empty, struct{ image.Image }{empty}} {
		for _, st := range Styles() {
			out, err := Stylize(img, st, 3)
			if err != nil {
				t.Errorf("%T %s: %v", img, st, err)
				continue
			}
			if out.Rect.Size() != image.Pt(20, 20) {
				t.Errorf("%T %s: size %v, want 20×20", img, st, out.Rect.Size())
			}
		}
	}
}

// styTestDarken scales every channel by k, as an underexposed shot.
func styTestDarken(src *image.RGBA, k float64) *image.RGBA {
	out := image.NewRGBA(src.Rect)
	for i, v := range src.Pix {
		if i%4 == 3 {
			out.Pix[i] = v
			continue
		}
		out.Pix[i] = uint8(float64(v)*k + 0.5)
	}
	return out
}

// An underexposed photograph comes out about as bright as a good one:
// one at a quarter of the brightness within 25%, and one darkened through
// a curve (half of v², which crushes the shadows, so the stretch alone
// cannot undo it) within 35%.
func TestStylizeLevelsDarkPhoto(t *testing.T) {
	for _, name := range styTestPhotos {
		src := styTestSmall(t, name)
		quarter := styTestDarken(src, 0.25)
		curved := image.NewRGBA(src.Rect)
		for i, v := range src.Pix {
			f := float64(v) / 255
			if i%4 == 3 {
				f = 2
			}
			curved.Pix[i] = uint8(math.Min(255, 255*0.5*f*f+0.5))
		}
		for _, st := range Styles() {
			a, _ := Stylize(src, st, 1)
			la := styMeanLuma(a)
			for _, c := range []struct {
				how string
				img *image.RGBA
				tol float64
			}{{"at 25% brightness", quarter, 0.25}, {"darkened through a curve", curved, 0.35}} {
				b, _ := Stylize(c.img, st, 1)
				if lb := styMeanLuma(b); math.Abs(lb-la) > c.tol*la {
					t.Errorf("%s %s: mean luminance %.3f from the photo, %.3f from it %s", name, st, la, lb, c.how)
				}
			}
		}
	}
}

// Levelling stretches a dull picture to the full range and lifts a dark
// one, but does not blow a flat grey into noise.
func TestStyLevel(t *testing.T) {
	// A dull ramp from 0.3 to 0.5.
	im := newStyRGB(200, 1)
	for x := range im.r {
		v := 0.3 + 0.2*float32(x)/199
		im.r[x], im.g[x], im.b[x] = v, v, v
	}
	styLevel(im)
	if im.r[0] > 0.02 || im.r[199] < 0.98 {
		t.Errorf("a 0.3–0.5 ramp levels to %.3f–%.3f, want 0–1", im.r[0], im.r[199])
	}
	// A dark picture: most pixels near 0.05, a few highlights.
	im = newStyRGB(100, 100)
	for i := range im.r {
		v := float32(0.03 + 0.04*float64(i%10)/9)
		if i%50 == 0 {
			v = 0.9
		}
		im.r[i], im.g[i], im.b[i] = v, v, v
	}
	styLevel(im)
	var mean float64
	for _, v := range im.r {
		mean += float64(v)
	}
	if mean /= float64(len(im.r)); mean < 0.25 {
		t.Errorf("a dark picture levels to a mean of %.3f, want it lifted to 0.25 or more", mean)
	}
	// A flat grey stays grey.
	im = newStyRGB(10, 10)
	for i := range im.r {
		im.r[i], im.g[i], im.b[i] = 0.6, 0.6, 0.6
	}
	styLevel(im)
	for i := range im.r {
		if im.r[i] < 0.4 || im.r[i] > 0.8 || im.r[i] != im.r[0] {
			t.Fatalf("a flat 0.6 grey levels to %.3f at %d", im.r[i], i)
		}
	}
}

// styTestStep is a w×h picture, 40/255 on the left and 200/255 on the
// right, with Gaussian noise of sd 12/255.
func styTestStep(w, h int, seed uint64) *styRGB {
	rng := rand.New(rand.NewPCG(seed, 1))
	im := newStyRGB(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float32(40)
			if x >= w/2 {
				v = 200
			}
			i := y*w + x
			im.r[i] = (v + float32(rng.NormFloat64()*12)) / 255
			im.g[i] = (v + float32(rng.NormFloat64()*12)) / 255
			im.b[i] = (v + float32(rng.NormFloat64()*12)) / 255
		}
	}
	return im
}

// styTestHalfVar is the variance of p over the columns [x0,x1).
func styTestHalfVar(p []float32, w, h, x0, x1 int) float64 {
	var s, s2 float64
	n := 0
	for y := 0; y < h; y++ {
		for x := x0; x < x1; x++ {
			v := float64(p[y*w+x]) * 255
			s += v
			s2 += v * v
			n++
		}
	}
	m := s / float64(n)
	return s2/float64(n) - m*m
}

// The anisotropic Kuwahara filter flattens noise but keeps a hard edge.
func TestStyAKFKeepsEdges(t *testing.T) {
	const w, h = 96, 64
	for _, r := range []float64{3, 6} {
		im := styTestStep(w, h, 7)
		out := styAKF(im, styStructure(im, 2), r)
		for _, half := range [][2]int{{0, w/2 - 8}, {w/2 + 8, w}} {
			before := styTestHalfVar(im.r, w, h, half[0], half[1])
			after := styTestHalfVar(out.r, w, h, half[0], half[1])
			if after > 0.2*before {
				t.Errorf("r=%v: variance in columns %v went from %.1f to %.1f, want a drop to a fifth or less", r, half, before, after)
			}
		}
		// Across the edge, few pixels are left between the two levels.
		between := 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if v := out.r[y*w+x] * 255; v > 70 && v < 170 {
					between++
				}
			}
		}
		if per := float64(between) / h; per > 2 {
			t.Errorf("r=%v: %.1f pixels a row between the levels, want the edge within 2", r, per)
		}
		// And the levels themselves are kept.
		if l, rr := out.r[h/2*w+10]*255, out.r[h/2*w+w-10]*255; math.Abs(float64(l)-40) > 8 || math.Abs(float64(rr)-200) > 8 {
			t.Errorf("r=%v: levels became %.0f and %.0f, want about 40 and 200", r, l, rr)
		}
	}
}

// XDoG lines are dark on the dark side of an edge and leave flat areas of
// any grey white.
func TestStyXDoGLines(t *testing.T) {
	const w, h = 80, 60
	l := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float32(0.3)
			if x >= w/2 {
				v = 0.8
			}
			l[y*w+x] = v
		}
	}
	im := &styRGB{w: w, h: h, r: l, g: l, b: l}
	fl := styStructure(im, 2)
	for _, flow := range []float64{0, 2} {
		e := styXDoG(l, w, h, styXDoGParams{sigma: 1, k: 1.6, p: 20, eps: 0.93, phi: 10, flow: flow}, fl)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := e[y*w+x]
				if (x < w/2-6 || x >= w/2+6) && v < 0.999 {
					t.Fatalf("flow %v: flat area at (%d,%d) is %.3f, want white", flow, x, y, v)
				}
			}
			// The darkest pixel of the row is a line, just left of the edge.
			minX, minV := 0, float32(2)
			for x := 0; x < w; x++ {
				if e[y*w+x] < minV {
					minX, minV = x, e[y*w+x]
				}
			}
			if minV > 0.2 || minX < w/2-4 || minX >= w/2 {
				t.Fatalf("flow %v: row %d's darkest pixel is %.3f at x=%d, want a dark line just left of %d", flow, y, minV, minX, w/2)
			}
		}
	}
}

// The box cascade approximates a Gaussian: it keeps the total, spreads a
// point to about sigma, and agrees with the sampled kernel.
func TestStyBlur(t *testing.T) {
	const w, h = 121, 101
	src := make([]float32, w*h)
	src[50*w+60] = 1
	for _, sigma := range []float64{1, 2.5, 4, 9} {
		a := make([]float32, w*h)
		b := make([]float32, w*h)
		styBlur(a, src, w, h, sigma)
		styGaussBlur(b, src, w, h, sigma)
		var sum, vx, peak, diff float64
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := float64(a[y*w+x])
				sum += v
				vx += v * float64((x-60)*(x-60))
				peak = math.Max(peak, float64(b[y*w+x]))
				diff = math.Max(diff, math.Abs(v-float64(b[y*w+x])))
			}
		}
		if math.Abs(sum-1) > 1e-3 {
			t.Errorf("sigma %v: total %.5f, want 1", sigma, sum)
		}
		if sd := math.Sqrt(vx / sum); math.Abs(sd-sigma) > 0.15*sigma {
			t.Errorf("sigma %v: spread %.3f", sigma, sd)
		}
		if diff > 0.1*peak {
			t.Errorf("sigma %v: differs from the Gaussian by %.5f at a peak of %.5f", sigma, diff, peak)
		}
	}
}

// Each style has its character: pencil and ink are nearly colourless and
// mostly light; oil and watercolour keep the photograph's colours.
func TestStylizeCharacter(t *testing.T) {
	src := styTestSmall(t, "coffee.jpg") // a red cup on brown wood
	for _, st := range Styles() {
		out, _ := Stylize(src, st, 1)
		var r, g, b, chroma float64
		for i := 0; i < len(out.Pix); i += 4 {
			pr, pg, pb := float64(out.Pix[i]), float64(out.Pix[i+1]), float64(out.Pix[i+2])
			r += pr
			g += pg
			b += pb
			chroma += math.Max(pr, math.Max(pg, pb)) - math.Min(pr, math.Min(pg, pb))
		}
		n := float64(len(out.Pix) / 4)
		chroma /= n * 255
		switch st {
		case Ink, Sketch:
			if chroma > 0.12 {
				t.Errorf("%s: mean chroma %.3f, want a nearly colourless picture", st, chroma)
			}
			if l := styMeanLuma(out); l < 0.45 {
				t.Errorf("%s: mean luminance %.3f, want mostly paper", st, l)
			}
		default:
			if chroma < 0.15 || r < 1.3*b {
				t.Errorf("%s: mean chroma %.3f, red %.0f, blue %.0f; want the cup's warm colours kept", st, chroma, r/n, b/n)
			}
		}
	}
}

// TestStylizeSamples writes every style of the test photographs as PNGs to
// the folder named by STYLIZE_SAMPLES, for looking at; it is skipped
// otherwise.
func TestStylizeSamples(t *testing.T) {
	dir := os.Getenv("STYLIZE_SAMPLES")
	if dir == "" {
		t.Skip("set STYLIZE_SAMPLES to a folder to write sample pictures")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"rocket.jpg", "coffee.jpg", "chelsea.jpg"} {
		src := styTestPhoto(t, name)
		for _, st := range Styles() {
			out, err := Stylize(src, st, 1)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, out); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, strings.TrimSuffix(name, ".jpg")+"-"+string(st)+".png")
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// BenchmarkStylize restyles a one-megapixel photograph (rocket.jpg scaled
// up to 1225×817) in each style.
func BenchmarkStylize(b *testing.B) {
	src := styTestResize(styTestPhoto(b, "rocket.jpg"), 1225, 817)
	for _, st := range Styles() {
		b.Run(string(st), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Stylize(src, st, 7); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
