package photo

import (
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	_ "image/jpeg"
	"image/png"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"miaobi/models"
	"miaobi/poem"
)

// Set PHOTO_CUES_PNG=DIR to write each test photo beside its false-colour
// region map (RegionColors) as DIR/NAME.png for inspection.
const cuesPNGEnv = "PHOTO_CUES_PNG"

var cuesEngine = sync.OnceValues(func() (*poem.Engine, error) { return poem.Load(models.Poem()) })

// cuesCheckKeywords fails unless the poem engine accepts kws.
func cuesCheckKeywords(t *testing.T, kws []string) {
	t.Helper()
	e, err := cuesEngine()
	if errors.Is(err, poem.ErrNoModel) {
		t.Skip("no trained model in models/poem")
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Generate(poem.Request{Form: "五绝", Keywords: kws, Seed: 1}); err != nil {
		if errors.Is(err, poem.ErrBadKeyword) {
			t.Errorf("keywords %v: the poem engine refuses them: %v", kws, err)
		} else {
			t.Errorf("keywords %v: %v", kws, err)
		}
	}
}

// cuesCheck checks what must hold for any picture.
func cuesCheck(t *testing.T, c Cues) {
	t.Helper()
	sum := c.Sky + c.Water + c.Vegetation + c.Snow + c.Bare
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("fractions sum to %v: %+v", sum, c)
	}
	for _, f := range []float64{c.Sky, c.Water, c.Vegetation, c.Snow, c.Bare, c.Brightness, c.Saturation} {
		if f < 0 || f > 1 || math.IsNaN(f) {
			t.Errorf("a fraction or level outside 0..1: %+v", c)
		}
	}
	if c.Warmth < -1 || c.Warmth > 1 || math.IsNaN(c.Warmth) {
		t.Errorf("warmth %v", c.Warmth)
	}
	if !slices.Contains([]string{"", "春", "夏", "秋", "冬"}, c.Season) {
		t.Errorf("season %q", c.Season)
	}
	if !slices.Contains([]string{"", "晨", "昼", "暮", "夜"}, c.Time) {
		t.Errorf("time %q", c.Time)
	}
	if len(c.Keywords) < 2 || len(c.Keywords) > 4 {
		t.Errorf("%d keywords %v, want 2–4", len(c.Keywords), c.Keywords)
	}
	for i, k := range c.Keywords {
		if !slices.Contains(cueWords, k) {
			t.Errorf("keyword %q is not in cueWords", k)
		}
		if slices.Contains(c.Keywords[:i], k) {
			t.Errorf("keyword %q repeated in %v", k, c.Keywords)
		}
	}
}

// cuesSynth builds a w×h picture from a colour function.
func cuesSynth(w, h int, f func(x, y int, rng *rand.Rand) color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewSource(1))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.SetRGBA(x, y, f(x, y, rng))
		}
	}
	return img
}

func cuesLerp(a, b uint8, t float64) float64 { return float64(a) + (float64(b)-float64(a))*t }

func cuesClamp8(v float64) uint8 { return uint8(max(0, min(255, math.Round(v)))) }

// cuesGradient is a vertical blend from a to b over rows 0..h, with noise of
// amplitude amp.
func cuesGradient(a, b color.RGBA, y, h int, amp float64, rng *rand.Rand) color.RGBA {
	t := float64(y) / float64(max(1, h-1))
	n := amp * (2*rng.Float64() - 1)
	return color.RGBA{cuesClamp8(cuesLerp(a.R, b.R, t) + n), cuesClamp8(cuesLerp(a.G, b.G, t) + n), cuesClamp8(cuesLerp(a.B, b.B, t) + n), 255}
}

// cuesTextured is c with independent noise of amplitude amp per channel.
func cuesTextured(c color.RGBA, amp float64, rng *rand.Rand) color.RGBA {
	n := func(v uint8) uint8 { return cuesClamp8(float64(v) + amp*(2*rng.Float64()-1)) }
	return color.RGBA{n(c.R), n(c.G), n(c.B), 255}
}

// cuesNoise is smooth value noise in 0..1 with features about scale pixels
// across, summed over three octaves.
func cuesNoise(x, y, scale float64, seed uint32) float64 {
	hash := func(i, j int, o uint32) float64 {
		h := uint32(i)*0x27d4eb2d ^ uint32(j)*0x165667b1 ^ (seed+o)*0x9e3779b9
		h ^= h >> 15
		h *= 0x85ebca6b
		h ^= h >> 13
		return float64(h&0xffff) / 0xffff
	}
	var sum, norm float64
	amp := 1.0
	for o := uint32(0); o < 3; o++ {
		fx, fy := x/scale, y/scale
		i, j := int(math.Floor(fx)), int(math.Floor(fy))
		tx, ty := fx-float64(i), fy-float64(j)
		tx, ty = tx*tx*(3-2*tx), ty*ty*(3-2*ty)
		a := hash(i, j, o) + (hash(i+1, j, o)-hash(i, j, o))*tx
		b := hash(i, j+1, o) + (hash(i+1, j+1, o)-hash(i, j+1, o))*tx
		sum += amp * (a + (b-a)*ty)
		norm += amp
		amp /= 2
		scale /= 2
	}
	return sum / norm
}

// cuesLandscape paints a lake under wooded hills and a cloudy sky, the hills
// mirrored in the water.
func cuesLandscape(w, h int) *image.RGBA {
	const shore = 0.62
	ridge := func(x int) float64 {
		return float64(h) * (0.28 + 0.2*cuesNoise(float64(x), 0, 60, 7))
	}
	var paint func(x, y int, rng *rand.Rand) color.RGBA
	paint = func(x, y int, rng *rand.Rand) color.RGBA {
		fy := float64(y)
		switch {
		case fy < ridge(x): // sky with soft clouds
			c := cuesGradient(color.RGBA{70, 130, 215, 255}, color.RGBA{160, 195, 235, 255}, y, h/2, 0.5, rng)
			k := math.Max(0, cuesNoise(float64(x), fy, 40, 3)-0.55) * 3
			k = math.Min(1, k)
			return color.RGBA{cuesClamp8(cuesLerp(c.R, 245, k)), cuesClamp8(cuesLerp(c.G, 245, k)), cuesClamp8(cuesLerp(c.B, 248, k)), 255}
		case fy < shore*float64(h): // wooded hills: crowns of light and shade
			v := 70 * (cuesNoise(float64(x), fy, 3, 11) - 0.5)
			return cuesTextured(color.RGBA{cuesClamp8(45 + v/2), cuesClamp8(105 + v), cuesClamp8(40 + v/3), 255}, 14, rng)
		default: // water: the scene mirrored, darker, with ripples
			my := int(2*shore*float64(h)) - y + int(2*math.Sin(fy*1.3))
			c := paint(x, max(0, my), rng)
			return color.RGBA{cuesClamp8(float64(c.R)*0.7 + 5), cuesClamp8(float64(c.G)*0.72 + 10), cuesClamp8(float64(c.B)*0.75 + 20), 255}
		}
	}
	return cuesSynth(w, h, paint)
}

// cuesAutumnWood paints a blue sky over red and orange woods with a little
// green.
func cuesAutumnWood(w, h int) *image.RGBA {
	return cuesSynth(w, h, func(x, y int, rng *rand.Rand) color.RGBA {
		if float64(y) < float64(h)*(0.3+0.05*math.Sin(float64(x)/9)) {
			return cuesGradient(color.RGBA{75, 135, 220, 255}, color.RGBA{150, 190, 235, 255}, y, h/3, 0.5, rng)
		}
		n := cuesNoise(float64(x), float64(y), 4, 5)
		v := 90 * (cuesNoise(float64(x), float64(y), 2, 9) - 0.5)
		switch {
		case n < 0.3:
			return cuesTextured(color.RGBA{cuesClamp8(80 + v/2), cuesClamp8(120 + v), 40, 255}, 12, rng)
		case n < 0.6:
			return cuesTextured(color.RGBA{cuesClamp8(215 + v/2), cuesClamp8(110 + v/2), cuesClamp8(30 + v/4), 255}, 12, rng)
		}
		return cuesTextured(color.RGBA{cuesClamp8(185 + v/2), cuesClamp8(45 + v/3), cuesClamp8(30 + v/4), 255}, 12, rng)
	})
}

func TestReadCuesSynthetic(t *testing.T) {
	type frac struct {
		region Region
		min    float64
	}
	tests := []struct {
		name    string
		img     image.Image
		want    []frac   // minimum fractions
		words   []string // keywords that must be among them
		seasons []string // allowed seasons
		time    string
	}{
		{
			name: "blue sky over green",
			img: cuesSynth(200, 150, func(x, y int, rng *rand.Rand) color.RGBA {
				if y < 70 {
					return cuesGradient(color.RGBA{80, 140, 225, 255}, color.RGBA{165, 200, 240, 255}, y, 70, 1, rng)
				}
				// Foliage: blobs of light and shade.
				v := 30 * math.Sin(float64(x)*0.9) * math.Cos(float64(y)*1.3)
				return cuesTextured(color.RGBA{cuesClamp8(60 + v/2), cuesClamp8(135 + v), cuesClamp8(45 + v/3), 255}, 35, rng)
			}),
			want:    []frac{{RegionSky, 0.4}, {RegionVegetation, 0.45}},
			seasons: []string{"春", "夏"},
			time:    "昼",
		},
		{
			name: "dark navy night",
			img: cuesSynth(160, 100, func(x, y int, rng *rand.Rand) color.RGBA {
				return cuesTextured(color.RGBA{12, 18, 48, 255}, 2, rng)
			}),
			seasons: []string{""},
			time:    "夜",
		},
		{
			name: "orange sky over dark water",
			img: cuesSynth(240, 160, func(x, y int, rng *rand.Rand) color.RGBA {
				if y < 85 {
					return cuesGradient(color.RGBA{245, 150, 70, 255}, color.RGBA{225, 95, 55, 255}, y, 85, 1, rng)
				}
				// Ripples: horizontal bands.
				v := 8 * math.Sin(float64(y)*1.7+float64(x)*0.05)
				return cuesTextured(color.RGBA{cuesClamp8(25 + v), cuesClamp8(38 + v), cuesClamp8(62 + v), 255}, 4, rng)
			}),
			want:    []frac{{RegionSky, 0.45}, {RegionWater, 0.35}},
			seasons: []string{""},
			time:    "暮",
		},
		{
			name: "snow under a grey sky",
			img: cuesSynth(200, 140, func(x, y int, rng *rand.Rand) color.RGBA {
				if y < 70 {
					return cuesGradient(color.RGBA{160, 165, 172, 255}, color.RGBA{185, 188, 194, 255}, y, 70, 1, rng)
				}
				return cuesTextured(color.RGBA{242, 243, 247, 255}, 3, rng)
			}),
			want:    []frac{{RegionSky, 0.4}, {RegionSnow, 0.4}},
			seasons: []string{"冬"},
			time:    "昼",
		},
		{
			name:    "lake under wooded hills",
			img:     cuesLandscape(256, 170),
			want:    []frac{{RegionSky, 0.15}, {RegionVegetation, 0.15}, {RegionWater, 0.25}},
			words:   []string{"山"},
			seasons: []string{"春", "夏"},
			time:    "昼",
		},
		{
			name:    "autumn woods",
			img:     cuesAutumnWood(240, 160),
			want:    []frac{{RegionSky, 0.2}, {RegionVegetation, 0.5}},
			words:   []string{"秋"},
			seasons: []string{"秋"},
			time:    "昼",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Read(tc.img)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v", c)
			for _, w := range tc.words {
				if !slices.Contains(c.Keywords, w) {
					t.Errorf("keywords %v lack %s", c.Keywords, w)
				}
			}
			if m, err := Regions(tc.img); err == nil {
				cuesDumpRegions(t, "synthetic-"+strings.ReplaceAll(tc.name, " ", "-")+".png", tc.img, m)
			}
			cuesCheck(t, c)
			got := map[Region]float64{RegionSky: c.Sky, RegionWater: c.Water, RegionVegetation: c.Vegetation, RegionSnow: c.Snow, RegionBare: c.Bare}
			for _, f := range tc.want {
				if got[f.region] < f.min {
					t.Errorf("%s %.3f, want ≥ %.2f", f.region, got[f.region], f.min)
				}
			}
			if !slices.Contains(tc.seasons, c.Season) {
				t.Errorf("season %q, want one of %q", c.Season, tc.seasons)
			}
			if c.Time != tc.time {
				t.Errorf("time %q, want %q", c.Time, tc.time)
			}
			cuesCheckKeywords(t, c.Keywords)
		})
	}
}

func cuesLoadPhoto(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// cuesDumpRegions writes the photo beside its region map when PHOTO_CUES_PNG
// names a directory.
func cuesDumpRegions(t *testing.T, name string, img image.Image, m *RegionMap) {
	t.Helper()
	dir := os.Getenv(cuesPNGEnv)
	if dir == "" {
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The photo at twice the map's size (nearest neighbour), then the map.
	const k = 2
	out := image.NewRGBA(image.Rect(0, 0, k*(2*m.W+4), k*m.H))
	draw.Draw(out, out.Bounds(), image.Black, image.Point{}, draw.Src)
	b := img.Bounds()
	for y := 0; y < k*m.H; y++ {
		for x := 0; x < k*m.W; x++ {
			out.Set(x, y, img.At(b.Min.X+x*b.Dx()/(k*m.W), b.Min.Y+y*b.Dy()/(k*m.H)))
			out.Set(k*(m.W+4)+x, y, RegionColors[m.At(x/k, y/k)])
		}
	}
	f, err := os.Create(filepath.Join(dir, strings.TrimSuffix(name, filepath.Ext(name))+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, out); err != nil {
		t.Fatal(err)
	}
}

func TestReadCuesPhotos(t *testing.T) {
	tests := []struct {
		name   string
		minSky float64
	}{
		{"rocket.jpg", 0.3}, // a launch at dusk: the sky fills most of the frame
		{"coffee.jpg", 0},
		{"chelsea.jpg", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := cuesLoadPhoto(t, tc.name)
			c, err := Read(img)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("sky %.3f water %.3f vegetation %.3f snow %.3f bare %.3f; brightness %.3f warmth %+.3f saturation %.3f; season %q time %q; keywords %v",
				c.Sky, c.Water, c.Vegetation, c.Snow, c.Bare, c.Brightness, c.Warmth, c.Saturation, c.Season, c.Time, c.Keywords)
			cuesCheck(t, c)
			if c.Sky < tc.minSky {
				t.Errorf("sky %.3f, want ≥ %.2f", c.Sky, tc.minSky)
			}
			cuesCheckKeywords(t, c.Keywords)
			m, err := Regions(img)
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if max(m.W, m.H) != min(CuesMaxSide, max(b.Dx(), b.Dy())) || len(m.Class) != m.W*m.H {
				t.Errorf("region map %d×%d (%d cells) for a %d×%d photo", m.W, m.H, len(m.Class), b.Dx(), b.Dy())
			}
			var sky int
			for _, r := range m.Class {
				if r == RegionSky {
					sky++
				}
			}
			if got := float64(sky) / float64(len(m.Class)); got != c.Sky {
				t.Errorf("Regions has sky %.4f, Read %.4f", got, c.Sky)
			}
			cuesDumpRegions(t, tc.name, img, m)
		})
	}
}

// TestReadCuesWords checks that the poem engine accepts every keyword Read
// can give.
func TestReadCuesWords(t *testing.T) {
	for i := 0; i < len(cueWords); i += 4 {
		cuesCheckKeywords(t, cueWords[i:min(i+4, len(cueWords))])
	}
}

func TestReadCuesShapesAndTypes(t *testing.T) {
	rgba := cuesSynth(64, 48, func(x, y int, rng *rand.Rand) color.RGBA {
		if y < 24 {
			return color.RGBA{100, 160, 230, 255}
		}
		return cuesTextured(color.RGBA{70, 130, 50, 255}, 30, rng)
	})
	gray := image.NewGray(rgba.Bounds())
	draw.Draw(gray, gray.Bounds(), rgba, image.Point{}, draw.Src)
	pal := image.NewPaletted(rgba.Bounds(), palette.Plan9)
	draw.Draw(pal, pal.Bounds(), rgba, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(rgba.Bounds(), image.YCbCrSubsampleRatio420)
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			c := rgba.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)] = yy
			ycc.Cb[ycc.COffset(x, y)] = cb
			ycc.Cr[ycc.COffset(x, y)] = cr
		}
	}
	nrgba := image.NewNRGBA(rgba.Bounds())
	draw.Draw(nrgba, nrgba.Bounds(), rgba, image.Point{}, draw.Src)
	rgba64 := image.NewRGBA64(rgba.Bounds())
	draw.Draw(rgba64, rgba64.Bounds(), rgba, image.Point{}, draw.Src)
	cmyk := image.NewCMYK(rgba.Bounds())
	draw.Draw(cmyk, cmyk.Bounds(), rgba, image.Point{}, draw.Src)
	transparent := image.NewNRGBA(image.Rect(0, 0, 20, 20))

	tests := []struct {
		name string
		img  image.Image
		sky  bool // expect some sky
	}{
		{"RGBA", rgba, true},
		{"Gray", gray, false},
		{"Paletted", pal, true},
		{"YCbCr 4:2:0", ycc, true},
		{"NRGBA", nrgba, true},
		{"RGBA64", rgba64, true},
		{"CMYK", cmyk, true},
		{"sub-image off the origin", rgba.SubImage(image.Rect(10, 5, 60, 40)), true},
		{"transparent", transparent, false},
		{"1×1", image.NewRGBA(image.Rect(0, 0, 1, 1)), false},
		{"1×1 sky blue", cuesSynth(1, 1, func(int, int, *rand.Rand) color.RGBA { return color.RGBA{100, 160, 230, 255} }), true},
		{"5000×3", cuesSynth(5000, 3, func(x, y int, rng *rand.Rand) color.RGBA { return cuesTextured(color.RGBA{90, 150, 220, 255}, 5, rng) }), true},
		{"3×5000", cuesSynth(3, 5000, func(x, y int, rng *rand.Rand) color.RGBA {
			return cuesGradient(color.RGBA{90, 150, 220, 255}, color.RGBA{40, 120, 40, 255}, y, 5000, 20, rng)
		}), true},
		{"huge uniform (sampled)", image.NewUniform(color.RGBA{200, 80, 40, 255}), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := tc.img
			if u, ok := img.(*image.Uniform); ok {
				img = &cuesBoundedUniform{u, image.Rect(-1<<20, -1<<20, 1<<20, 1<<20)}
			}
			c, err := Read(img)
			if err != nil {
				t.Fatal(err)
			}
			cuesCheck(t, c)
			if tc.sky && c.Sky == 0 {
				t.Errorf("no sky: %+v", c)
			}
			m, err := Regions(img)
			if err != nil {
				t.Fatal(err)
			}
			if m.W < 1 || m.H < 1 || m.W > CuesMaxSide || m.H > CuesMaxSide || len(m.Class) != m.W*m.H {
				t.Errorf("region map %d×%d with %d cells", m.W, m.H, len(m.Class))
			}
			if got := m.Image().Bounds(); got != image.Rect(0, 0, m.W, m.H) {
				t.Errorf("map image bounds %v", got)
			}
		})
	}
}

// cuesBoundedUniform is a uniform colour with finite (huge) bounds.
type cuesBoundedUniform struct {
	*image.Uniform
	r image.Rectangle
}

func (b *cuesBoundedUniform) Bounds() image.Rectangle { return b.r }

func TestReadCuesErrors(t *testing.T) {
	for _, img := range []image.Image{
		nil,
		image.NewRGBA(image.Rect(0, 0, 0, 0)),
		image.NewRGBA(image.Rect(0, 0, 10, 0)),
		image.NewGray(image.Rect(5, 5, 5, 9)),
	} {
		if _, err := Read(img); err == nil || !strings.HasPrefix(err.Error(), "photo: read cues: ") {
			t.Errorf("Read(%T): error %v", img, err)
		}
		if _, err := Regions(img); err == nil {
			t.Errorf("Regions(%T): no error", img)
		}
	}
}

func TestRegionString(t *testing.T) {
	for r, want := range map[Region]string{RegionBare: "bare", RegionSky: "sky", RegionWater: "water", RegionVegetation: "vegetation", RegionSnow: "snow", 9: "Region(9)"} {
		if got := r.String(); got != want {
			t.Errorf("%d: %q, want %q", r, got, want)
		}
	}
	m := &RegionMap{W: 2, H: 1, Class: []Region{RegionSky, RegionSnow}}
	if m.At(1, 0) != RegionSnow || m.At(2, 0) != RegionBare || m.At(-1, 0) != RegionBare {
		t.Error("RegionMap.At")
	}
}

// FuzzRead builds a picture from the bytes — width from the first, the
// kind of image from the second, pixels from the rest — and reads it.
func FuzzRead(f *testing.F) {
	f.Add([]byte{4, 0, 10, 20, 200, 255, 30, 160, 40, 255})
	f.Add([]byte{1, 1, 128})
	f.Add([]byte{0})
	f.Add([]byte{255, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add([]byte{3, 3, 90, 150, 220, 90, 150, 220, 90, 150, 220, 50, 120, 40, 50, 120, 40, 50, 120, 40})
	f.Add([]byte("\v20000\xff000000")) // palette indices past the palette
	f.Add([]byte("\x03000000x000000")) // premultiplied colour above its alpha
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			if _, err := Read(image.NewRGBA(image.Rectangle{})); err == nil {
				t.Fatal("no error for an empty picture")
			}
			return
		}
		w, kind, px := int(data[0]), data[1]%4, data[2:]
		var img image.Image
		switch kind {
		case 0: // RGBA, 4 bytes a pixel
			h := 0
			if w > 0 {
				h = len(px) / 4 / w
			}
			m := image.NewRGBA(image.Rect(0, 0, w, h))
			copy(m.Pix, px)
			img = m
		case 1: // Gray
			h := 0
			if w > 0 {
				h = len(px) / w
			}
			m := image.NewGray(image.Rect(0, 0, w, h))
			copy(m.Pix, px)
			img = m
		case 2: // Paletted
			h := 0
			if w > 0 {
				h = len(px) / w
			}
			m := image.NewPaletted(image.Rect(0, 0, w, h), palette.WebSafe)
			copy(m.Pix, px)
			img = m
		default: // NRGBA, 4 bytes a pixel, wrapped so the generic path runs
			h := 0
			if w > 0 {
				h = len(px) / 4 / w
			}
			m := image.NewNRGBA(image.Rect(0, 0, w, h))
			copy(m.Pix, px)
			img = struct{ image.Image }{m}
		}
		c, err := Read(img)
		if b := img.Bounds(); b.Empty() {
			if err == nil {
				t.Fatal("no error for an empty picture")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		cuesCheck(t, c)
	})
}
