package photo

import (
	"math"
	"sort"
)

// Cue words: the labelled scene turned into Cues — shares of sky, water,
// vegetation and the rest, season, time of day, weather, and the words
// (水, 山, 夕阳 …) a poet is offered.

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
