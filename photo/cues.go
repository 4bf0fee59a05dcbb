package photo

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"
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

// classify labels every pixel and smooths the labels.
func (s *cueScene) classify() {
	w, h, n := s.w, s.h, s.w*s.h
	s.class = make([]Region, n)
	s.autumn = make([]bool, n)
	s.waterline, s.horizon = -1, -1
	if s.backdrop() {
		return // a studio or cut-out picture: all bare
	}

	// Sky: flood from the top rows through sky-like pixels, across small
	// colour steps only, so a horizon stops it.
	queue := make([]int, 0, n)
	top := max(1, h/50)
	for y := 0; y < top; y++ {
		for x := 0; x < w; x++ {
			if i := y*w + x; s.skyLike(i) && s.class[i] != RegionSky {
				s.class[i] = RegionSky
				queue = append(queue, i)
			}
		}
	}
	s.flood(queue, func(from, to int) bool {
		return s.skyLike(to) && cueDeltaE(s.lab[from], s.lab[to]) < cueSkyStep
	})
	s.dropRoughSky()
	s.findHorizon()
	if s.dimSky() {
		for i, c := range s.class {
			if c == RegionSky {
				s.class[i] = RegionBare
			}
		}
		s.horizon = -1
	}
	// Clouds and glow above the horizon that touch the sky join it.
	if s.horizon > 0 {
		queue = queue[:0]
		for i, c := range s.class {
			if c == RegionSky {
				queue = append(queue, i)
			}
		}
		s.flood(queue, func(_, to int) bool {
			cloud := s.sat[to] < 0.2 && s.val[to] >= 0.6 && s.tex[to] < 2*cueSkyTexture // a cloud's edge
			return to/w < s.horizon && (cloud || s.skyLike(to))
		})
	}
	lower := func(i int) bool {
		if s.horizon >= 0 {
			return i/w >= s.horizon
		}
		return i/w >= h*2/5
	}

	// Green vegetation: green pixels in green patches (at least 5 of the
	// 3×3 window), not the coloured fringes of edges.
	greenish := make([]bool, n)
	for i := range greenish {
		hh := s.hue[i]
		chroma := math.Hypot(s.lab[i][1], s.lab[i][2]) // HSV saturation is noise in the dark
		greenish[i] = s.class[i] != RegionSky && hh >= 60 && hh <= 170 && s.sat[i] >= 0.15 && chroma >= 10
	}
	var sky, green int
	for i := range s.class {
		if s.class[i] == RegionSky {
			sky++
			continue
		}
		if greenish[i] && cueNeighbours(greenish, w, h, i) >= 5 {
			s.class[i] = RegionVegetation
			green++
		}
	}
	fn := float64(n)
	s.outdoor = float64(sky) >= cueMinRegion*fn || float64(green) >= cueMinRegion*fn

	// Autumn foliage, snow and water only in an outdoor scene: indoors the
	// same colours are wood, fur, walls and crockery.
	var snowCand []int
	for i := range s.class {
		if s.class[i] != RegionBare {
			continue
		}
		switch {
		case s.outdoor && cueWarmHue(s.hue[i]) && s.sat[i] >= 0.35 && s.val[i] >= 0.15 && s.tex[i] >= cueLeafTexture &&
			(s.brightness >= 0.3 || s.val[i] < 0.55): // in a dark picture, bright orange is lamplight
			s.class[i], s.autumn[i] = RegionVegetation, true
		case lower(i) && s.val[i] >= 0.75 && s.sat[i] <= 0.12 && s.tex[i] < cueSnowTexture:
			snowCand = append(snowCand, i)
		}
	}
	if s.outdoor || float64(len(snowCand)) >= 0.35*fn {
		for _, i := range snowCand {
			s.class[i] = RegionSnow
		}
	}
	if s.outdoor {
		s.water(lower)
	}
	s.smooth()
}

// findHorizon sets s.horizon below the last row that is mostly sky, or to
// -1 when no row is.
func (s *cueScene) findHorizon() {
	w := s.w
	s.horizon = -1
	for y := s.h - 1; y >= 0; y-- {
		c := 0
		for x := 0; x < w; x++ {
			if s.class[y*w+x] == RegionSky {
				c++
			}
		}
		if float64(c) >= 0.3*float64(w) {
			s.horizon = y + 1
			return
		}
	}
}

// dimSky reports a sky that is mostly not blue — grey, white, orange —
// and not clearly brighter than the land below it: more likely a wall or
// a curtain than an overcast or sunset sky, which light the land. Snow may
// be as bright as a grey sky.
func (s *cueScene) dimSky() bool {
	w := s.w
	var sky, blue, skyL, land, landL, snow float64
	for i, c := range s.class {
		switch {
		case c == RegionSky:
			sky++
			skyL += s.luma[i]
			if s.lab[i][2] < -5 {
				blue++
			}
		case s.horizon >= 0 && i/w >= s.horizon:
			land++
			landL += s.luma[i]
			if s.sat[i] <= 0.12 && s.val[i] >= 0.75 {
				snow++
			}
		}
	}
	if sky == 0 || blue >= 0.5*sky || land < 0.05*float64(len(s.class)) || snow >= 0.3*land {
		return false
	}
	return skyL/sky < 1.3*landL/land
}

// backdrop reports a studio or cut-out picture: most of the border is one
// flat colour (a wall, paper or a transparent background made white), so
// the picture shows a thing, not a landscape.
func (s *cueScene) backdrop() bool {
	w, h := s.w, s.h
	if w < 8 || h < 8 {
		return false
	}
	var border []int
	for x := 0; x < w; x++ {
		border = append(border, x, (h-1)*w+x)
	}
	for y := 1; y < h-1; y++ {
		border = append(border, y*w, y*w+w-1)
	}
	// The median colour of the flat border pixels.
	var flat []int
	for _, i := range border {
		if s.tex[i] < 0.6 {
			flat = append(flat, i)
		}
	}
	if float64(len(flat)) < 0.6*float64(len(border)) {
		return false
	}
	var ref [3]float64
	for c := range ref {
		v := make([]float64, len(flat))
		for k, i := range flat {
			v[k] = s.lab[i][c]
		}
		sort.Float64s(v)
		ref[c] = v[len(v)/2]
	}
	same := 0
	for _, i := range flat {
		if cueDeltaE(s.lab[i], ref) < 3 {
			same++
		}
	}
	// A blue border is sky filling the frame, not a backdrop.
	return ref[2] > -8 && float64(same) >= 0.6*float64(len(border))
}

// dropRoughSky unlabels sky regions whose median texture is above
// cueSkyMedian: open sky is smoother than anything else in a photograph,
// while wood, fur, walls and blurred rooms of sky-like colour are not
// smooth throughout.
func (s *cueScene) dropRoughSky() {
	w, h := s.w, s.h
	seen := make([]bool, len(s.class))
	var comp, stack []int
	var tex []float64
	for start, c := range s.class {
		if c != RegionSky || seen[start] {
			continue
		}
		comp, stack = comp[:0], append(stack[:0], start)
		seen[start] = true
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			comp = append(comp, i)
			x, y := i%w, i/w
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= w || ny >= h {
					continue
				}
				if j := ny*w + nx; s.class[j] == RegionSky && !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		tex = tex[:0]
		for _, i := range comp {
			tex = append(tex, s.tex[i])
		}
		sort.Float64s(tex)
		if tex[len(tex)/2] > cueSkyMedian {
			for _, i := range comp {
				s.class[i] = RegionBare
			}
		}
	}
}

// cueNeighbours counts the set cells of the 3×3 window around i.
func cueNeighbours(set []bool, w, h, i int) int {
	x, y, c := i%w, i/w, 0
	for ny := max(0, y-1); ny <= min(h-1, y+1); ny++ {
		for nx := max(0, x-1); nx <= min(w-1, x+1); nx++ {
			if set[ny*w+nx] {
				c++
			}
		}
	}
	return c
}

// flood grows the sky from queue to 4-neighbours that join reports true.
func (s *cueScene) flood(queue []int, join func(from, to int) bool) {
	w, h := s.w, s.h
	for len(queue) > 0 {
		i := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		x, y := i%w, i/w
		for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
			nx, ny := x+d[0], y+d[1]
			if nx < 0 || ny < 0 || nx >= w || ny >= h {
				continue
			}
			j := ny*w + nx
			if s.class[j] != RegionSky && join(i, j) {
				s.class[j] = RegionSky
				queue = append(queue, j)
			}
		}
	}
}

// water labels wide regions below the horizon that are smooth and blue,
// grey or dark, or that mirror the picture above a waterline.
func (s *cueScene) water(lower func(int) bool) {
	w, h, n := s.w, s.h, s.w*s.h
	cand := s.mirrored()
	for i := range cand {
		if cand[i] || s.class[i] != RegionBare || !lower(i) || s.tex[i] >= cueWaterTexture {
			continue
		}
		hh, sat, v := s.hue[i], s.sat[i], s.val[i]
		switch {
		case hh >= 160 && hh <= 260 && sat >= 0.1 && v >= 0.05:
			cand[i] = true
		case sat < 0.2 && v >= 0.08 && v <= 0.85:
			cand[i] = true
		}
	}
	// Keep connected regions that are large and wide, as water surfaces are.
	seen := make([]bool, n)
	var comp, stack []int
	for start := range cand {
		if !cand[start] || seen[start] {
			continue
		}
		comp, stack = comp[:0], append(stack[:0], start)
		seen[start] = true
		x0, x1 := w, -1
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			comp = append(comp, i)
			x, y := i%w, i/w
			x0, x1 = min(x0, x), max(x1, x)
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= w || ny >= h {
					continue
				}
				if j := ny*w + nx; cand[j] && !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		if float64(len(comp)) >= 0.01*float64(n) && float64(x1-x0+1) >= 0.15*float64(w) {
			for _, i := range comp {
				s.class[i] = RegionWater
			}
		}
	}
}

// Reflection search: an axis is a waterline when, in blocks of
// cueMirrorBlock pixels, the rows below it follow the rows above in
// mirror order (mean correlation at least cueMirrorCorr) clearly better
// than in the same order (by cueMirrorGain).
const (
	cueMirrorBlock = 8
	cueMirrorCorr  = 0.6
	cueMirrorGain  = 0.4
)

// mirrored finds a waterline — a row about which the picture below mirrors
// the picture above, as a calm lake mirrors hills and sky — and marks the
// columns of blocks below it whose profile follows their mirror image.
// Reflections are darker, bluer and softer than what they mirror, so the
// profiles are compared by correlation, which ignores gain and offset.
func (s *cueScene) mirrored() []bool {
	w, h := s.w, s.h
	mask := make([]bool, w*h)
	if h < 24 {
		return mask
	}
	bw := max(1, min(cueMirrorBlock, w/4))
	nb := (w + bw - 1) / bw
	// Row-block means of L*a*b*, channel by channel.
	var blk [3][]float64
	for c := range blk {
		blk[c] = make([]float64, h*nb)
	}
	for y := 0; y < h; y++ {
		for b := 0; b < nb; b++ {
			x0, x1 := b*bw, min(w, (b+1)*bw)
			for x := x0; x < x1; x++ {
				for c := range blk {
					blk[c][y*nb+b] += s.lab[y*w+x][c] / float64(x1-x0)
				}
			}
		}
	}
	// corr is the correlation, over k rows, of block b's profile at rows
	// ya(i) and yb(i), averaged over the channels that vary; ok is false
	// where none does.
	corr := func(b, k int, ya, yb func(int) int) (float64, bool) {
		var sum float64
		var n int
		for c := range blk {
			var sx, sy, sxx, syy, sxy float64
			for i := 0; i < k; i++ {
				x, y := blk[c][ya(i)*nb+b], blk[c][yb(i)*nb+b]
				sx += x
				sy += y
				sxx += x * x
				syy += y * y
				sxy += x * y
			}
			fk := float64(k)
			vx, vy := sxx/fk-(sx/fk)*(sx/fk), syy/fk-(sy/fk)*(sy/fk)
			if vx < 1 || vy < 1 { // flat: no evidence either way
				continue
			}
			sum += (sxy/fk - sx/fk*sy/fk) / math.Sqrt(vx*vy)
			n++
		}
		if n == 0 {
			return 0, false
		}
		return sum / float64(n), true
	}
	axis, axisScore, axisK := -1, math.Inf(-1), 0
	var blockCorr, bc []float64
	for a := h * 3 / 10; a <= h*9/10; a++ {
		k := min(a, h-a, h/3)
		if k < h/8 {
			continue
		}
		var mir, tra float64
		valid := 0
		bc = bc[:0]
		for b := 0; b < nb; b++ {
			m, ok := corr(b, k, func(i int) int { return a - 1 - i }, func(i int) int { return a + i })
			t, _ := corr(b, k, func(i int) int { return a - k + i }, func(i int) int { return a + i })
			bc = append(bc, m)
			if ok {
				mir += m
				tra += t
				valid++
			}
		}
		if valid < max(1, nb/4) {
			continue
		}
		mir /= float64(valid)
		tra /= float64(valid)
		if mir >= cueMirrorCorr && mir-tra >= cueMirrorGain && mir > axisScore {
			axis, axisScore, axisK = a, mir, k
			blockCorr = append(blockCorr[:0], bc...)
		}
	}
	if axis < 0 {
		return mask
	}
	s.waterline = axis
	for b, m := range blockCorr {
		if m < cueMirrorCorr {
			continue
		}
		for y := axis; y < axis+axisK; y++ {
			for x := b * bw; x < min(w, (b+1)*bw); x++ {
				mask[y*w+x] = true
			}
		}
	}
	return mask
}

// smooth applies a 3×3 majority filter twice; ties keep the label.
func (s *cueScene) smooth() {
	w, h := s.w, s.h
	next := make([]Region, len(s.class))
	for range 2 {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var cnt [5]int
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						nx, ny := x+dx, y+dy
						if nx >= 0 && ny >= 0 && nx < w && ny < h {
							cnt[s.class[ny*w+nx]]++
						}
					}
				}
				cur := s.class[y*w+x]
				best := cur
				for c := range cnt {
					if cnt[c] > cnt[best] {
						best = Region(c)
					}
				}
				next[y*w+x] = best
			}
		}
		s.class, next = next, s.class
	}
}

// cues turns the labelled scene into Cues.
func (s *cueScene) cues() Cues {
	n := float64(len(s.class))
	var cnt [5]float64
	// Sums over regions: sky luma, warm sky, cloud; vegetation colour.
	var skyLuma, warmSky, cloud, skyB float64
	var vegHue, vegSat, vegVal, vegTex, vegY, autumn float64
	var snowLike float64
	for i, c := range s.class {
		cnt[c]++
		switch c {
		case RegionSky:
			skyLuma += s.luma[i]
			skyB += s.lab[i][2]
			if cueWarmHue(s.hue[i]) && s.sat[i] >= 0.25 && s.val[i] >= 0.3 {
				warmSky++
			}
			if s.sat[i] < 0.18 && s.val[i] >= 0.5 {
				cloud++
			}
		case RegionVegetation:
			vegTex += s.tex[i]
			vegY += float64(i/s.w) / float64(s.h)
			if s.autumn[i] {
				autumn++
			} else {
				vegHue += s.hue[i]
				vegSat += s.sat[i]
				vegVal += s.val[i]
			}
		}
		if s.sat[i] < 0.15 && s.val[i] > 0.6 {
			snowLike++
		}
	}
	c := Cues{
		Sky:        cnt[RegionSky] / n,
		Water:      cnt[RegionWater] / n,
		Vegetation: cnt[RegionVegetation] / n,
		Snow:       cnt[RegionSnow] / n,
		Brightness: s.brightness,
		Warmth:     s.warmth,
		Saturation: s.saturation,
	}
	c.Bare = max(0, 1-c.Sky-c.Water-c.Vegetation-c.Snow)
	if nv := cnt[RegionVegetation]; nv > 0 {
		vegTex /= nv
		vegY /= nv
	}
	if ng := cnt[RegionVegetation] - autumn; ng > 0 {
		vegHue, vegSat, vegVal = vegHue/ng, vegSat/ng, vegVal/ng
	}
	if ns := cnt[RegionSky]; ns > 0 {
		skyLuma, warmSky, cloud, skyB = skyLuma/ns, warmSky/ns, cloud/ns, skyB/ns
	}

	// Season.
	switch {
	case c.Snow >= 0.12:
		c.Season = "冬"
	case c.Vegetation >= 0.12 && autumn >= 0.4*cnt[RegionVegetation]:
		c.Season = "秋"
	case c.Vegetation >= 0.12 && (vegHue < 95 || vegVal > 0.6 && vegSat < 0.5):
		c.Season = "春"
	case c.Vegetation >= 0.12:
		c.Season = "夏"
	case c.Sky >= 0.1 && c.Vegetation < 0.03 && c.Saturation < 0.12 && c.Brightness > 0.45:
		c.Season = "冬" // bare grey-white land under a pale sky
	}

	// Time of day.
	warm := c.Sky >= cueMinRegion && warmSky >= 0.3
	switch {
	case warm:
		c.Time = "暮"
	case c.Brightness < 0.12:
		c.Time = "夜"
	case c.Sky >= cueMinRegion && skyLuma < 0.15:
		c.Time = "夜"
	case c.Sky >= cueMinRegion && skyLuma < 0.3 && skyB < -10:
		c.Time = "暮" // the blue hour after sunset
	case c.Sky >= cueMinRegion || c.Brightness >= 0.5:
		c.Time = "昼"
	}

	// Keywords, scored by salience.
	type cand struct {
		word  string
		score float64
	}
	var cs []cand
	add := func(w string, sc float64) { cs = append(cs, cand{w, sc}) }
	switch c.Time {
	case "夜":
		add("夜", 0.9)
		if c.Sky >= 0.1 {
			add("月", 0.85)
		}
	case "暮":
		if warm {
			add("夕阳", 0.95)
			if c.Sky >= 0.25 {
				add("晚霞", 0.5+c.Sky/2)
			}
		} else {
			add("黄昏", 0.9)
		}
	}
	if s.lights >= 0.002 {
		add("灯", 0.8)
	}
	if c.Sky >= 0.12 && !warm && c.Time != "夜" {
		switch {
		case cloud >= 0.3:
			add("云", c.Sky+0.1)
		case c.Sky >= 0.4:
			add("长空", c.Sky+0.1)
		default:
			add("天", c.Sky+0.1)
		}
	}
	if c.Water >= 0.06 {
		add(s.waterWord(), c.Water+0.3)
	}
	if c.Vegetation >= 0.08 {
		switch {
		case c.Season == "秋":
			add("枫", c.Vegetation+0.2)
		case c.Sky >= 0.1 && vegY < 0.5:
			add("山", c.Vegetation+0.1)
		case vegTex >= 6:
			add("林", c.Vegetation+0.1)
		default:
			add("草", c.Vegetation+0.1)
		}
	}
	if c.Snow >= 0.08 {
		add("雪", c.Snow+0.3)
	}
	switch c.Season {
	case "春":
		add("春", 0.45)
	case "夏":
		add("夏", 0.35)
	case "秋":
		add("秋", 0.6)
	case "冬":
		if c.Snow >= 0.08 {
			add("冬", 0.2)
		} else {
			add("冬", 0.5)
		}
	}
	if c.Sky >= 0.1 && c.Vegetation < 0.08 && c.Time != "夜" && s.horizon > 0 {
		// Bare land under the sky, lit: hills or mountains. Towers and
		// buildings standing into the sky are not.
		var land, luma, all float64
		for i, k := range s.class {
			if k == RegionBare {
				all++
				if i/s.w >= s.horizon {
					land++
					luma += s.luma[i]
				}
			}
		}
		if land >= 0.2*n && land >= 0.5*all && luma/land >= 0.2 {
			add("山", land/n)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].score > cs[j].score })
	seen := map[string]bool{}
	for _, k := range cs {
		if !seen[k.word] && len(c.Keywords) < 4 {
			seen[k.word] = true
			c.Keywords = append(c.Keywords, k.word)
		}
	}
	// Too few: the colour of the picture and its light.
	if len(c.Keywords) < 2 {
		if w := s.colourWord(snowLike / n); !seen[w] {
			seen[w] = true
			c.Keywords = append(c.Keywords, w)
		}
	}
	if len(c.Keywords) < 2 {
		w := "光"
		if !s.outdoor && c.Warmth > 0.2 && c.Brightness < 0.4 {
			w = "灯" // a warm, dim room: lamplight
		}
		if seen[w] {
			w = "影"
		}
		c.Keywords = append(c.Keywords, w)
	}
	return c
}

// cueWords lists every keyword Read can give; the tests check the poem
// engine accepts each.
var cueWords = []string{
	"夜", "月", "夕阳", "晚霞", "黄昏", "灯", "云", "长空", "天", "江", "湖", "水",
	"枫", "山", "林", "草", "雪", "春", "夏", "秋", "冬",
	"红", "黄", "翠", "碧", "紫", "白", "墨", "光", "影",
}

// waterWord names the water: 江 for a surface across the whole width, 湖
// for a smooth one that does not reach both sides, 水 otherwise.
func (s *cueScene) waterWord() string {
	w, h := s.w, s.h
	left, right := false, false
	var tex, cnt float64
	for y := 0; y < h; y++ {
		left = left || s.class[y*w] == RegionWater
		right = right || s.class[y*w+w-1] == RegionWater
	}
	for i, c := range s.class {
		if c == RegionWater {
			tex += s.tex[i]
			cnt++
		}
	}
	switch {
	case left && right:
		return "江"
	case cnt > 0 && tex/cnt < 2:
		return "湖"
	}
	return "水"
}

// colourWord names the dominant colour: the saturation-weighted mean hue,
// or 白 and 墨 for a colourless picture.
func (s *cueScene) colourWord(pale float64) string {
	n := float64(len(s.class))
	if math.Hypot(s.hueX, s.hueY)/n < 0.08 {
		if pale >= 0.3 || s.brightness >= 0.55 {
			return "白"
		}
		return "墨"
	}
	hh := math.Atan2(s.hueY, s.hueX) * 180 / math.Pi
	if hh < 0 {
		hh += 360
	}
	switch {
	case hh < 20 || hh >= 330:
		return "红"
	case hh < 70:
		return "黄"
	case hh < 170:
		return "翠"
	case hh < 260:
		return "碧"
	}
	return "紫"
}
