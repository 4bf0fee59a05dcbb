package film

// Looks: colour grades as 3D lookup tables in the .cube format (Adobe's,
// which ffmpeg's lut3d filter reads). Miaobi's own — ink (水墨), vintage,
// film — are computed here; a person's .cube file is read, checked and
// written out again, so ffmpeg only ever sees a well-formed table.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// LUT is a 3D colour table: Size³ entries, red fastest, each an RGB
// triple in 0–1.
type LUT struct {
	Title string
	Size  int
	Data  [][3]float64
}

// Looks are Miaobi's own looks.
var Looks = []string{"ink", "vintage", "film"}

// maxCubeSize bounds a .cube file's table (65³ is the common largest).
const maxCubeSize = 129

// LookLUT computes one of Miaobi's looks, 33 entries a side.
func LookLUT(name string) (*LUT, error) {
	var f func(r, g, b float64) (float64, float64, float64)
	switch name {
	case "ink":
		// 水墨: the colour drained to the paper's warm grey, the ink's
		// blacks deep, the contrast of a brush.
		f = func(r, g, b float64) (float64, float64, float64) {
			y := 0.2126*r + 0.7152*g + 0.0722*b
			y = scurve(y, 1.6)
			sat := 0.08
			return mix(y, r, sat) * (0.96 + 0.04*y), mix(y, g, sat) * (0.94 + 0.05*y), mix(y, b, sat) * (0.88 + 0.06*y)
		}
	case "vintage":
		// Faded: lifted blacks, softened whites, warm, less saturated.
		f = func(r, g, b float64) (float64, float64, float64) {
			y := 0.2126*r + 0.7152*g + 0.0722*b
			r, g, b = mix(y, r, 0.7), mix(y, g, 0.7), mix(y, b, 0.7)
			return 0.08 + 0.86*r*1.04, 0.07 + 0.86*g, 0.06 + 0.82*b*0.92
		}
	case "film":
		// Film: a gentle S-curve, shadows to teal, highlights to orange.
		f = func(r, g, b float64) (float64, float64, float64) {
			y := 0.2126*r + 0.7152*g + 0.0722*b
			r, g, b = scurve(r, 1.25), scurve(g, 1.25), scurve(b, 1.25)
			sh, hi := (1-y)*(1-y)*0.06, y*y*0.06
			return r - sh + hi, g + sh*0.3 + hi*0.3, b + sh - hi
		}
	default:
		return nil, fmt.Errorf("film: unknown look %q: use %s, or a .cube file", name, strings.Join(Looks, ", "))
	}
	const n = 33
	l := &LUT{Title: "Miaobi " + name, Size: n, Data: make([][3]float64, 0, n*n*n)}
	for bi := range n {
		for gi := range n {
			for ri := range n {
				r, g, b := f(float64(ri)/(n-1), float64(gi)/(n-1), float64(bi)/(n-1))
				l.Data = append(l.Data, [3]float64{clamp01(r), clamp01(g), clamp01(b)})
			}
		}
	}
	return l, nil
}

// scurve raises contrast around the middle grey: k > 1 steeper.
func scurve(x, k float64) float64 {
	x = clamp01(x)
	a := math.Pow(x, k)
	return a / (a + math.Pow(1-x, k))
}

func mix(a, b, t float64) float64 { return a + (b-a)*t }

func clamp01(x float64) float64 { return min(1, max(0, x)) }

// ReadLook reads a look by name or from a .cube file.
func ReadLook(nameOrPath string) (*LUT, error) {
	if !strings.HasSuffix(strings.ToLower(nameOrPath), ".cube") {
		return LookLUT(nameOrPath)
	}
	f, err := os.Open(nameOrPath)
	if err != nil {
		return nil, fmt.Errorf("film: look: %w", err)
	}
	defer f.Close()
	l, err := ParseCube(io.LimitReader(f, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("film: look %s: %w", nameOrPath, err)
	}
	return l, nil
}

// ParseCube reads a 3D LUT in the .cube format: TITLE, LUT_3D_SIZE N,
// optional DOMAIN_MIN/DOMAIN_MAX (the values are rescaled to 0–1), then
// N³ lines of three numbers. 1D tables and anything malformed are errors
// that say what was wrong.
func ParseCube(r io.Reader) (*LUT, error) {
	l := &LUT{}
	lo, hi := [3]float64{0, 0, 0}, [3]float64{1, 1, 1}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 4096)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || s[0] == '#' {
			continue
		}
		f := strings.Fields(s)
		switch strings.ToUpper(f[0]) {
		case "TITLE":
			l.Title = strings.Trim(strings.TrimSpace(s[5:]), `"`)
			continue
		case "LUT_1D_SIZE":
			return nil, fmt.Errorf("line %d: a 1D table; give a 3D one (LUT_3D_SIZE)", line)
		case "LUT_3D_SIZE":
			if len(f) != 2 {
				return nil, fmt.Errorf("line %d: LUT_3D_SIZE takes one number", line)
			}
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 2 || n > maxCubeSize {
				return nil, fmt.Errorf("line %d: LUT_3D_SIZE %q: use 2 to %d", line, f[1], maxCubeSize)
			}
			if l.Size != 0 {
				return nil, fmt.Errorf("line %d: a second LUT_3D_SIZE", line)
			}
			l.Size = n
			continue
		case "DOMAIN_MIN", "DOMAIN_MAX":
			v, err := triple(f[1:])
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %v", line, f[0], err)
			}
			if strings.EqualFold(f[0], "DOMAIN_MIN") {
				lo = v
			} else {
				hi = v
			}
			continue
		}
		if l.Size == 0 {
			return nil, fmt.Errorf("line %d: values before LUT_3D_SIZE", line)
		}
		v, err := triple(f)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if len(l.Data) == l.Size*l.Size*l.Size {
			return nil, fmt.Errorf("line %d: more than %d³ entries", line, l.Size)
		}
		l.Data = append(l.Data, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %v", line+1, err)
	}
	if l.Size == 0 {
		return nil, fmt.Errorf("no LUT_3D_SIZE: not a 3D .cube table")
	}
	if want := l.Size * l.Size * l.Size; len(l.Data) != want {
		return nil, fmt.Errorf("%d entries, %d³ = %d wanted", len(l.Data), l.Size, want)
	}
	for c := range 3 {
		if !(hi[c] > lo[c]) {
			return nil, fmt.Errorf("DOMAIN_MAX must be above DOMAIN_MIN")
		}
	}
	for i, v := range l.Data {
		for c := range 3 {
			l.Data[i][c] = clamp01((v[c] - lo[c]) / (hi[c] - lo[c]))
		}
	}
	return l, nil
}

func triple(f []string) ([3]float64, error) {
	var v [3]float64
	if len(f) != 3 {
		return v, fmt.Errorf("%d numbers where 3 belong", len(f))
	}
	for i, s := range f {
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return v, fmt.Errorf("%q is not a number", s)
		}
		v[i] = x
	}
	return v, nil
}

// Cube writes the table in the .cube format.
func (l *LUT) Cube() []byte {
	var b bytes.Buffer
	title := strings.NewReplacer(`"`, "", "\n", " ", "\r", " ").Replace(l.Title)
	fmt.Fprintf(&b, "TITLE \"%s\"\nLUT_3D_SIZE %d\n", title, l.Size)
	for _, v := range l.Data {
		fmt.Fprintf(&b, "%.6f %.6f %.6f\n", v[0], v[1], v[2])
	}
	return b.Bytes()
}

// Apply maps one colour (0–255) through the table, trilinearly.
func (l *LUT) Apply(r, g, b uint8) (uint8, uint8, uint8) {
	n := l.Size - 1
	pos := func(x uint8) (int, float64) {
		f := float64(x) / 255 * float64(n)
		i := min(int(f), n-1)
		return i, f - float64(i)
	}
	ri, rf := pos(r)
	gi, gf := pos(g)
	bi, bf := pos(b)
	at := func(i, j, k int) [3]float64 { return l.Data[(k*l.Size+j)*l.Size+i] }
	var out [3]uint8
	for c := range 3 {
		c00 := mix(at(ri, gi, bi)[c], at(ri+1, gi, bi)[c], rf)
		c10 := mix(at(ri, gi+1, bi)[c], at(ri+1, gi+1, bi)[c], rf)
		c01 := mix(at(ri, gi, bi+1)[c], at(ri+1, gi, bi+1)[c], rf)
		c11 := mix(at(ri, gi+1, bi+1)[c], at(ri+1, gi+1, bi+1)[c], rf)
		v := mix(mix(c00, c10, gf), mix(c01, c11, gf), bf)
		out[c] = uint8(math.Round(clamp01(v) * 255))
	}
	return out[0], out[1], out[2]
}
