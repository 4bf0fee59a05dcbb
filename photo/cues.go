package photo

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
)

// Cues is what a picture suggests to a poet: how much of it is sky, water,
// vegetation, snow and bare ground, its light and colour, the season and
// time of day they suggest, and imagery keywords for the poem engine.
type Cues struct {
	// Sky, Water, Vegetation, Snow and Bare are the fractions of the
	// analysed picture (0..1, summing to 1) in each region class; Bare is
	// everything else: rock, earth, buildings, people, things.
	Sky        float64 `json:"sky"`
	Water      float64 `json:"water"`
	Vegetation float64 `json:"vegetation"`
	Snow       float64 `json:"snow"`
	Bare       float64 `json:"bare"`
	// Brightness is the mean luminance (Rec. 709 luma of the sRGB values),
	// 0 black … 1 white.
	Brightness float64 `json:"brightness"`
	// Warmth is −1 cool (blue) … +1 warm (orange), from the direction of
	// the mean chroma in the a*b* plane.
	Warmth float64 `json:"warmth"`
	// Saturation is the mean HSV saturation, 0..1.
	Saturation float64 `json:"saturation"`
	// Season is "春", "夏", "秋", "冬" or "" when the picture does not say:
	// 冬 for snow, or bare grey-white land under a pale sky; 秋 when much
	// of the vegetation is autumn-coloured; 春 for yellow-green or light
	// fresh green; 夏 for deep saturated green.
	Season string `json:"season"`
	// Time is "晨" (dawn), "昼" (day), "暮" (dusk, sunset) or "夜" (night),
	// or "" when the picture does not say: 暮 for a warm sunset sky or the
	// dark blue sky of the blue hour, 夜 for a dark picture or a dark sky,
	// 昼 for a lit sky or, without sky, a bright picture. Colour alone
	// cannot tell dawn from dusk, so Read reports a low sun as 暮 and never
	// 晨; 晨 is for callers that know the hour.
	Time string `json:"time"`
	// Keywords are 2–4 imagery keywords the poem engine accepts (see
	// poem.Request.Keywords), most salient first: from the time of day
	// (夜 月, 夕阳 晚霞, 黄昏), point lights in the dark (灯), the sky (云
	// for clouds, 长空 or 天 for clear sky), water (江 across the picture,
	// 湖 when calm, else 水), vegetation (枫 in autumn, 山 for wooded hills
	// against the sky, 林, 草), snow (雪), the season and bare land under
	// the sky (山). A picture without a scene — a room, a thing — gets its
	// colour (红 黄 翠 碧 紫 白 墨) and its light (灯 for a warm dim room,
	// else 光).
	Keywords []string `json:"keywords"`
}

// Region is the class of one pixel of a RegionMap.
type Region uint8

// The region classes.
const (
	// RegionBare is rock, earth, buildings and everything else.
	RegionBare Region = iota
	// RegionSky is open sky, clouds and sunset glow.
	RegionSky
	// RegionWater is a water surface: sea, river, lake, reflections.
	RegionWater
	// RegionVegetation is foliage and grass, green or autumn-coloured.
	RegionVegetation
	// RegionSnow is snow and ice on the ground.
	RegionSnow
)

// String returns the region's English name ("bare", "sky", …).
func (r Region) String() string {
	switch r {
	case RegionBare:
		return "bare"
	case RegionSky:
		return "sky"
	case RegionWater:
		return "water"
	case RegionVegetation:
		return "vegetation"
	case RegionSnow:
		return "snow"
	}
	return fmt.Sprintf("Region(%d)", uint8(r))
}

// RegionColors are the false colours RegionMap.Image paints each class
// with: bare brown, sky light blue, water dark blue, vegetation green,
// snow white.
var RegionColors = [...]color.RGBA{
	RegionBare:       {150, 110, 70, 255},
	RegionSky:        {120, 190, 255, 255},
	RegionWater:      {20, 50, 160, 255},
	RegionVegetation: {40, 170, 50, 255},
	RegionSnow:       {255, 255, 255, 255},
}

// RegionMap is the per-pixel class map of an analysed picture: W×H pixels
// (the picture downscaled to at most CuesMaxSide on its long side), row by
// row in Class.
type RegionMap struct {
	W, H  int
	Class []Region
}

// At returns the class at (x, y), or RegionBare outside the map.
func (m *RegionMap) At(x, y int) Region {
	if x < 0 || y < 0 || x >= m.W || y >= m.H {
		return RegionBare
	}
	return m.Class[y*m.W+x]
}

// Image paints the map in RegionColors, one pixel per class cell.
func (m *RegionMap) Image() *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, m.W, m.H))
	for i, c := range m.Class {
		k := RegionColors[RegionBare]
		if int(c) < len(RegionColors) {
			k = RegionColors[c]
		}
		copy(out.Pix[4*i:4*i+4], []uint8{k.R, k.G, k.B, k.A})
	}
	return out
}

// CuesMaxSide is the long side, in pixels, pictures are box-filtered down
// to before Read and Regions analyse them.
const CuesMaxSide = 256

// Read reads imagery cues from a picture by colour-and-texture
// segmentation, without neural networks. The picture is box-filtered down
// to at most CuesMaxSide pixels on its long side; each pixel gets its HSV
// and L*a*b* colour, luminance and texture (the spread of lightness in the
// 5×5 window around it) and is classed by transparent rules:
//
//   - sky: blue (down to a night blue), grey or white, or sunset colours;
//     smooth; flooded from the top edge across small colour steps, then
//     dropped where the region is not smooth throughout (wood, fur) or,
//     when not blue, not brighter than the land below (a wall, a curtain);
//     clouds above the horizon join it;
//   - vegetation: green patches, and in an outdoor scene (one with sky or
//     green) textured orange and red foliage;
//   - snow: very bright, colourless, smooth ground below the horizon;
//   - water: in an outdoor scene, wide smooth blue, grey or dark regions
//     below the horizon, or what mirrors the picture above a waterline;
//   - bare: everything else, and the whole picture when most of its border
//     is one flat colour (a studio or cut-out picture).
//
// The labels are smoothed with a 3×3 majority filter and counted. Season,
// time of day and keywords follow from the fractions and colours (see
// Cues). Read is deterministic and never modifies img; it fails only for
// a nil or empty picture.
func Read(img image.Image) (Cues, error) {
	s, err := cueAnalyse(img)
	if err != nil {
		return Cues{}, err
	}
	return s.cues(), nil
}

// Regions returns the per-pixel class map Read computes, the same size as
// the analysed (possibly downscaled) picture, for inspection and tests.
func Regions(img image.Image) (*RegionMap, error) {
	s, err := cueAnalyse(img)
	if err != nil {
		return nil, err
	}
	return &RegionMap{W: s.w, H: s.h, Class: s.class}, nil
}

// cueScene holds the per-pixel features and labels of one analysis.
type cueScene struct {
	w, h          int
	r, g, b       []float64 // sRGB 0..1
	hue, sat, val []float64 // HSV: hue in degrees
	lab           [][3]float64
	luma          []float64
	tex           []float64 // standard deviation of L* in a 5×5 window
	class         []Region
	autumn        []bool // vegetation pixels of autumn colour
	horizon       int    // first row below the sky; -1: no sky
	waterline     int    // the axis of a reflection; -1: none
	outdoor       bool
	lights        float64 // share of point lights (very bright pixels) in a dark picture
	brightness    float64
	warmth        float64
	saturation    float64
	hueX, hueY    float64 // saturation-weighted hue vector
}

// Thresholds of the rules (L* in 0..100, texture in L* units at ≤256 px).
const (
	cueSkyTexture   = 3.5  // sky is smoother than this
	cueSkyStep      = 10.0 // the sky flood crosses colour steps smaller than this (ΔE)
	cueSkyMedian    = 1.0  // a sky region's median texture is below this
	cueWaterTexture = 9.0  // water is smoother than this
	cueSnowTexture  = 4.0  // snow is smoother than this
	cueLeafTexture  = 5.0  // autumn foliage is rougher than this
	cueMinRegion    = 0.05 // a region class this large makes a scene outdoor
)

func cueAnalyse(img image.Image) (*cueScene, error) {
	if img == nil {
		return nil, errors.New("photo: read cues: no image")
	}
	bd := img.Bounds()
	if bd.Dx() <= 0 || bd.Dy() <= 0 {
		return nil, fmt.Errorf("photo: read cues: empty image (%d×%d)", max(bd.Dx(), 0), max(bd.Dy(), 0))
	}
	s := cueSample(img)
	s.features()
	s.classify()
	return s, nil
}

// cueSample box-filters img down to at most CuesMaxSide on its long side.
// Each output pixel averages its source block; blocks wider than 8 pixels
// are sampled on an 8×8 grid, so huge pictures cost no more than small ones.
func cueSample(img image.Image) *cueScene {
	bd := img.Bounds()
	sw, sh := int64(bd.Dx()), int64(bd.Dy())
	w, h := sw, sh
	if long := max(sw, sh); long > CuesMaxSide {
		w = max(1, (sw*CuesMaxSide+long/2)/long)
		h = max(1, (sh*CuesMaxSide+long/2)/long)
	}
	at := cuePixelFunc(img)
	n := int(w * h)
	s := &cueScene{w: int(w), h: int(h), r: make([]float64, n), g: make([]float64, n), b: make([]float64, n)}
	for oy := int64(0); oy < h; oy++ {
		y0, y1 := oy*sh/h, (oy+1)*sh/h
		ys := max(1, (y1-y0)/8)
		for ox := int64(0); ox < w; ox++ {
			x0, x1 := ox*sw/w, (ox+1)*sw/w
			xs := max(1, (x1-x0)/8)
			var sr, sg, sb, cnt float64
			for y := y0 + ys/2; y < y1; y += ys {
				for x := x0 + xs/2; x < x1; x += xs {
					r, g, b := at(bd.Min.X+int(x), bd.Min.Y+int(y))
					sr += r
					sg += g
					sb += b
					cnt++
				}
			}
			i := int(oy*w + ox)
			// Clamped: a premultiplied colour brighter than its alpha (an
			// invalid pixel) must not read as brighter than white.
			s.r[i], s.g[i], s.b[i] = min(1, sr/cnt), min(1, sg/cnt), min(1, sb/cnt)
		}
	}
	return s
}

// cuePixelFunc returns a reader of sRGB values (0..1) composited over
// white, with fast paths for the common concrete image types.
func cuePixelFunc(img image.Image) func(x, y int) (r, g, b float64) {
	const k = 1.0 / 255
	over := func(r, g, b, a uint32) (float64, float64, float64) {
		// Premultiplied 16-bit colour over white.
		t := float64(0xffff - a)
		return (float64(r) + t) / 0xffff, (float64(g) + t) / 0xffff, (float64(b) + t) / 0xffff
	}
	switch m := img.(type) {
	case *image.RGBA:
		return func(x, y int) (float64, float64, float64) {
			i := m.PixOffset(x, y)
			p := m.Pix[i : i+4 : i+4]
			if p[3] == 255 {
				return float64(p[0]) * k, float64(p[1]) * k, float64(p[2]) * k
			}
			return over(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, uint32(p[3])*0x101)
		}
	case *image.NRGBA:
		return func(x, y int) (float64, float64, float64) {
			i := m.PixOffset(x, y)
			p := m.Pix[i : i+4 : i+4]
			a := float64(p[3]) * k
			return float64(p[0])*k*a + 1 - a, float64(p[1])*k*a + 1 - a, float64(p[2])*k*a + 1 - a
		}
	case *image.YCbCr:
		return func(x, y int) (float64, float64, float64) {
			c := m.YCbCrAt(x, y)
			r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
			return float64(r) * k, float64(g) * k, float64(b) * k
		}
	case *image.Paletted:
		// Indices past the palette (which make Paletted.At panic) read as
		// transparent, that is white.
		pal := make([][3]float64, 256)
		for i := range pal {
			pal[i] = [3]float64{1, 1, 1}
			if i < len(m.Palette) && m.Palette[i] != nil {
				pal[i][0], pal[i][1], pal[i][2] = over(m.Palette[i].RGBA())
			}
		}
		return func(x, y int) (float64, float64, float64) {
			p := pal[m.ColorIndexAt(x, y)]
			return p[0], p[1], p[2]
		}
	case *image.Gray:
		return func(x, y int) (float64, float64, float64) {
			v := float64(m.GrayAt(x, y).Y) * k
			return v, v, v
		}
	}
	return func(x, y int) (float64, float64, float64) {
		return over(img.At(x, y).RGBA())
	}
}

// features computes colour, luminance and texture per pixel, and the
// global light and colour measures.
func (s *cueScene) features() {
	n := s.w * s.h
	s.hue, s.sat, s.val = make([]float64, n), make([]float64, n), make([]float64, n)
	s.lab, s.luma = make([][3]float64, n), make([]float64, n)
	var sumA, sumB float64
	for i := 0; i < n; i++ {
		r, g, b := s.r[i], s.g[i], s.b[i]
		s.hue[i], s.sat[i], s.val[i] = cueHSV(r, g, b)
		s.lab[i] = cueLab(r, g, b)
		s.luma[i] = 0.2126*r + 0.7152*g + 0.0722*b
		s.brightness += s.luma[i]
		s.saturation += s.sat[i]
		sumA += s.lab[i][1]
		sumB += s.lab[i][2]
		rad := s.hue[i] * math.Pi / 180
		s.hueX += s.sat[i] * math.Cos(rad)
		s.hueY += s.sat[i] * math.Sin(rad)
	}
	fn := float64(n)
	s.brightness /= fn
	s.saturation /= fn
	// Warm is the orange direction of the a*b* plane (60°), cool its
	// opposite (blue-cyan); 20 units of chroma along it is nearly ±1.
	s.warmth = math.Tanh((0.5*sumA/fn + 0.866*sumB/fn) / 20)
	s.texture()
	if s.brightness < 0.35 {
		bright := 0
		for _, v := range s.luma {
			if v > 0.85 {
				bright++
			}
		}
		s.lights = float64(bright) / fn
	}
}

// texture sets s.tex to the standard deviation of L* in the 5×5 window
// around each pixel (clipped at the borders), from integral images.
func (s *cueScene) texture() {
	w, h := s.w, s.h
	s1 := make([]float64, (w+1)*(h+1))
	s2 := make([]float64, (w+1)*(h+1))
	for y := 0; y < h; y++ {
		var r1, r2 float64
		for x := 0; x < w; x++ {
			l := s.lab[y*w+x][0]
			r1 += l
			r2 += l * l
			s1[(y+1)*(w+1)+x+1] = s1[y*(w+1)+x+1] + r1
			s2[(y+1)*(w+1)+x+1] = s2[y*(w+1)+x+1] + r2
		}
	}
	s.tex = make([]float64, w*h)
	for y := 0; y < h; y++ {
		y0, y1 := max(0, y-2), min(h, y+3)
		for x := 0; x < w; x++ {
			x0, x1 := max(0, x-2), min(w, x+3)
			a := float64((y1 - y0) * (x1 - x0))
			sum := s1[y1*(w+1)+x1] - s1[y0*(w+1)+x1] - s1[y1*(w+1)+x0] + s1[y0*(w+1)+x0]
			sq := s2[y1*(w+1)+x1] - s2[y0*(w+1)+x1] - s2[y1*(w+1)+x0] + s2[y0*(w+1)+x0]
			m := sum / a
			s.tex[y*w+x] = math.Sqrt(max(0, sq/a-m*m))
		}
	}
}

// cueHSV converts sRGB (0..1) to hue (degrees), saturation and value.
func cueHSV(r, g, b float64) (h, s, v float64) {
	mx, mn := max(r, g, b), min(r, g, b)
	v = mx
	d := mx - mn
	if mx <= 0 || d <= 0 {
		return 0, 0, v
	}
	s = d / mx
	switch mx {
	case r:
		h = 60 * math.Mod((g-b)/d, 6)
	case g:
		h = 60 * ((b-r)/d + 2)
	default:
		h = 60 * ((r-g)/d + 4)
	}
	if h < 0 {
		h += 360
	}
	return h, s, v
}

// cueLab converts sRGB (0..1) to CIE L*a*b* (D65).
func cueLab(r, g, b float64) [3]float64 {
	lin := func(c float64) float64 {
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	r, g, b = lin(r), lin(g), lin(b)
	x := (0.4124*r + 0.3576*g + 0.1805*b) / 0.95047
	y := 0.2126*r + 0.7152*g + 0.0722*b
	z := (0.0193*r + 0.1192*g + 0.9505*b) / 1.08883
	f := func(t float64) float64 {
		if t > 216.0/24389 {
			return math.Cbrt(t)
		}
		return (24389.0/27*t + 16) / 116
	}
	fx, fy, fz := f(x), f(y), f(z)
	return [3]float64{116*fy - 16, 500 * (fx - fy), 200 * (fy - fz)}
}

func cueDeltaE(a, b [3]float64) float64 {
	return math.Sqrt((a[0]-b[0])*(a[0]-b[0]) + (a[1]-b[1])*(a[1]-b[1]) + (a[2]-b[2])*(a[2]-b[2]))
}

// cueWarmHue reports a red, orange or yellow hue.
func cueWarmHue(h float64) bool { return h < 50 || h >= 330 }

// skyLike reports a pixel whose colour and smoothness could be sky: blue
// (down to a dark night blue), grey or white, sunset orange and red, or
// twilight purple.
func (s *cueScene) skyLike(i int) bool {
	if s.tex[i] >= cueSkyTexture {
		return false
	}
	h, sat, v := s.hue[i], s.sat[i], s.val[i]
	switch {
	case h >= 175 && h <= 265 && sat >= 0.12 && v >= 0.12: // blue
		return true
	case h >= 190 && h <= 260 && sat >= 0.25 && v >= 0.05: // night blue
		return true
	case sat < 0.18 && v >= 0.5: // overcast, haze, white cloud
		return true
	case cueWarmHue(h) && sat >= 0.2 && v >= 0.35: // sunset glow
		return true
	case h > 265 && h < 330 && sat >= 0.1 && v >= 0.25: // twilight purple
		return true
	}
	return false
}
