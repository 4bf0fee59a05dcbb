package paint

import "strings"

// Scene says what a painting holds; SceneOf reads it from imagery words.
type Scene struct {
	Water, Boat, Moon, Trees, Pavilion, Geese bool
	Pine, Willow, Plum                        bool   // kinds of tree called for
	Season                                    string // 春 夏 秋 冬 or ""
	Night                                     bool
}

// cues maps characters to the scene element they call for.
var cues = []struct {
	chars string
	set   func(*Scene)
}{
	{"水江河湖溪波浪潮渡津浦海滩洲", func(s *Scene) { s.Water = true }},
	{"舟船帆棹桨渔钓", func(s *Scene) { s.Boat, s.Water = true, true }},
	{"月蟾婵娟", func(s *Scene) { s.Moon = true }},
	{"夜宵暮昏灯烛星", func(s *Scene) { s.Night = true }},
	{"树林竹木枝叶", func(s *Scene) { s.Trees = true }},
	{"松柏", func(s *Scene) { s.Trees, s.Pine = true, true }},
	{"柳", func(s *Scene) { s.Trees, s.Willow = true, true }},
	{"梅桃杏花", func(s *Scene) { s.Trees, s.Plum = true, true }},
	{"楼亭阁寺塔台轩庐家村", func(s *Scene) { s.Pavilion = true }},
	{"雁鸿鹤鸟燕", func(s *Scene) { s.Geese = true }},
	{"春", func(s *Scene) { s.Season = "春" }},
	{"夏荷蝉", func(s *Scene) { s.Season = "夏" }},
	{"秋菊枫霜", func(s *Scene) { s.Season = "秋" }},
	{"冬雪寒冰", func(s *Scene) { s.Season = "冬" }},
}

// SceneOf reads a scene from text (a poem or keywords): imagery words
// decide the elements, season and time words the palette and light.
// Trees are always present unless winter leaves them bare of leaves.
func SceneOf(text string) Scene {
	s := Scene{Trees: true}
	for _, r := range text {
		for _, c := range cues {
			if strings.ContainsRune(c.chars, r) {
				c.set(&s)
			}
		}
	}
	return s
}
