package arena

import (
	"fmt"
	"hash/fnv"
	"html"
	"math"
	"slices"
	"strings"
)

// Point is one estimate with its interval; N = 0 leaves a gap.
type Point struct {
	Value, Lo, Hi float64
	N             int
}

// Series is one source's estimates, one per group of the chart.
type Series struct {
	Name   string
	Points []Point
}

// Chart is an interval chart: groups along the x axis (sources, forms,
// days, versions), each series a coloured dot with its 95 % interval as a
// whisker in each group, a dashed reference line where Ref is set.
type Chart struct {
	Title, YLabel string
	YMin, YMax    float64
	Groups        []string
	Series        []Series
	// Ref draws a dashed line at this value (0.5 for "taken for human
	// half the time"); NaN for none.
	Ref float64
	// Percent writes the y axis and tooltips as percentages.
	Percent bool
}

// palette is distinguishable in colour and in grey.
var palette = []string{"#1b4f72", "#c0392b", "#229954", "#7d3c98", "#b9770e", "#5d6d7e", "#17a589", "#a04000"}

// SVG draws the chart as an inline SVG element with a <title> and a
// description for screen readers, and a tooltip on each point.
func (c Chart) SVG() string {
	const (
		w, h                     = 640, 300
		left, right, top, bottom = 56, 16, 34, 64
	)
	pw, ph := float64(w-left-right), float64(h-top-bottom)
	y := func(v float64) float64 {
		if c.YMax == c.YMin {
			return float64(top) + ph/2
		}
		v = math.Min(math.Max(v, c.YMin), c.YMax)
		return float64(top) + ph*(1-(v-c.YMin)/(c.YMax-c.YMin))
	}
	format := func(v float64) string {
		if c.Percent {
			return fmt.Sprintf("%.0f%%", v*100)
		}
		return fmt.Sprintf("%.2g", v)
	}
	var b strings.Builder
	id := fnv.New32a()
	id.Write([]byte(c.Title))
	fmt.Fprintf(&b, `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-labelledby="c%08x">`, w, h, id.Sum32())
	fmt.Fprintf(&b, `<title id="c%08x">%s</title>`, id.Sum32(), html.EscapeString(c.Title))
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold">%s</text>`, left, html.EscapeString(c.Title))
	// Y axis: five ticks.
	for i := 0; i <= 4; i++ {
		v := c.YMin + (c.YMax-c.YMin)*float64(i)/4
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" font-size="11" text-anchor="end">%s</text>`, left-6, y(v)+4, format(v))
	}
	fmt.Fprintf(&b, `<text transform="translate(14 %.0f) rotate(-90)" font-size="11" text-anchor="middle">%s</text>`, float64(top)+ph/2, html.EscapeString(c.YLabel))
	if !math.IsNaN(c.Ref) && c.Ref >= c.YMin && c.Ref <= c.YMax {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#888" stroke-dasharray="4 3"/>`, left, w-right, y(c.Ref), y(c.Ref))
	}
	n := max(len(c.Groups), 1)
	gw := pw / float64(n)
	ns := max(len(c.Series), 1)
	for g, label := range c.Groups {
		cx := float64(left) + gw*(float64(g)+0.5)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, cx, h-bottom+16, html.EscapeString(shorten(label, int(gw/7))))
		for s, ser := range c.Series {
			if g >= len(ser.Points) || ser.Points[g].N == 0 {
				continue
			}
			p := ser.Points[g]
			x := cx + (float64(s)-float64(ns-1)/2)*math.Min(18, gw/float64(ns+1))
			col := palette[s%len(palette)]
			fmt.Fprintf(&b, `<g class="pt"><title>%s · %s: %s [%s, %s], n=%d</title>`, html.EscapeString(ser.Name), html.EscapeString(label), format(p.Value), format(p.Lo), format(p.Hi), p.N)
			fmt.Fprintf(&b, `<line class="ci" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`, x, x, y(p.Lo), y(p.Hi), col)
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/><line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s"/>`, x-4, x+4, y(p.Lo), y(p.Lo), col, x-4, x+4, y(p.Hi), y(p.Hi), col)
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/></g>`, x, y(p.Value), col)
		}
	}
	// Legend.
	lx := float64(left)
	for s, ser := range c.Series {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%d" r="4" fill="%s"/><text x="%.1f" y="%d" font-size="11">%s</text>`, lx+4, h-14, palette[s%len(palette)], lx+12, h-10, html.EscapeString(ser.Name))
		lx += 24 + 7*float64(len([]rune(ser.Name)))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// shorten cuts a label to n runes with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if n < 4 || len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// ChartWords are the charts' titles and axis labels, by key, in English;
// Charts takes a translation of them.
var ChartWords = map[string]string{
	"chart_human":    "Taken for a person's poem (95 % interval)",
	"chart_score":    "Score 1–10 (95 % interval)",
	"chart_strength": "Preferred in pairs: Bradley–Terry strength (log-odds, 95 % interval)",
	"chart_days":     "Taken for a person's poem, by day",
	"chart_versions": "Taken for a person's poem, by engine version (oldest first)",
	"axis_human":     "share guessed human",
	"axis_score":     "mean score",
	"axis_strength":  "strength",
	"all":            "all",
}

// Charts are the results page's charts: how often each source was taken
// for a person's, by form; its scores by form; its Bradley–Terry
// strength; the share taken for human day by day; and per engine version
// in the order versions first appeared, so a change to an engine shows.
// words translates ChartWords' keys; nil keeps the English.
func (r *Results) Charts(words func(key string) string) []Chart {
	w := func(k string) string {
		if words != nil {
			if s := words(k); s != "" && s != k {
				return s
			}
		}
		return ChartWords[k]
	}
	var sources []string
	for _, s := range r.Sources {
		sources = append(sources, s.Source)
	}
	forms := []string{}
	for _, f := range r.Forms {
		if !slices.Contains(forms, f.Form) {
			forms = append(forms, f.Form)
		}
	}
	human := Chart{Title: w("chart_human"), YLabel: w("axis_human"), YMin: 0, YMax: 1, Ref: 0.5, Percent: true, Groups: append([]string{w("all")}, forms...)}
	score := Chart{Title: w("chart_score"), YLabel: w("axis_score"), YMin: 1, YMax: 10, Ref: math.NaN(), Groups: human.Groups}
	for _, s := range r.Sources {
		hs := Series{Name: s.Source, Points: []Point{sharePoint(s.Human)}}
		ss := Series{Name: s.Source, Points: []Point{meanPoint(s.Score)}}
		for _, f := range forms {
			hp, sp := Point{}, Point{}
			for _, row := range r.Forms {
				if row.Form == f && row.Source == s.Source {
					hp, sp = sharePoint(row.Human), meanPoint(row.Score)
				}
			}
			hs.Points = append(hs.Points, hp)
			ss.Points = append(ss.Points, sp)
		}
		human.Series = append(human.Series, hs)
		score.Series = append(score.Series, ss)
	}
	bt := Chart{Title: w("chart_strength"), YLabel: w("axis_strength"), Ref: 0}
	lo, hi := -1.0, 1.0
	var btPoints []Point
	for _, s := range r.Sources {
		if s.Strength == nil {
			continue
		}
		bt.Groups = append(bt.Groups, s.Source)
		btPoints = append(btPoints, Point{Value: s.Strength.Theta, Lo: s.Strength.Lo, Hi: s.Strength.Hi, N: int(s.Strength.Games)})
		lo, hi = math.Min(lo, s.Strength.Lo), math.Max(hi, s.Strength.Hi)
	}
	bt.YMin, bt.YMax = math.Floor(lo), math.Ceil(hi)
	bt.Series = []Series{{Name: w("axis_strength"), Points: btPoints}}
	days := Chart{Title: w("chart_days"), YLabel: w("axis_human"), YMin: 0, YMax: 1, Ref: 0.5, Percent: true}
	for _, d := range r.Days {
		if !slices.Contains(days.Groups, d.Day) {
			days.Groups = append(days.Groups, d.Day)
		}
	}
	for _, s := range sources {
		ser := Series{Name: s, Points: make([]Point, len(days.Groups))}
		for _, d := range r.Days {
			if d.Source == s {
				ser.Points[slices.Index(days.Groups, d.Day)] = sharePoint(d.Human)
			}
		}
		days.Series = append(days.Series, ser)
	}
	vers := Chart{Title: w("chart_versions"), YLabel: w("axis_human"), YMin: 0, YMax: 1, Ref: 0.5, Percent: true}
	for _, s := range sources {
		ser := Series{Name: s}
		for _, v := range r.Versions {
			if v.Source != s {
				continue
			}
			vers.Groups = append(vers.Groups, v.Source+" "+v.Version)
			for len(ser.Points) < len(vers.Groups)-1 {
				ser.Points = append(ser.Points, Point{})
			}
			ser.Points = append(ser.Points, sharePoint(v.Human))
		}
		vers.Series = append(vers.Series, ser)
	}
	return []Chart{human, score, bt, days, vers}
}

func sharePoint(s Share) Point { return Point{Value: s.P, Lo: s.Lo, Hi: s.Hi, N: s.N} }
func meanPoint(m Mean) Point   { return Point{Value: m.Mean, Lo: m.Lo, Hi: m.Hi, N: m.N} }
