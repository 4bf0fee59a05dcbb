// Command glyphgen builds the fallback glyph set embedded in package paint
// (paint/glyph/fonts/wenkai.glyphs) from a LXGW WenKai WOFF or TTF file: every
// character of GB 2312 (hanzi and symbols), the traditional forms of its
// hanzi (so --traditional poems can be inscribed), every character the
// embedded poem engine may write, and printable ASCII.
// Run it through `make fonts`, which fetches the font from npm.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"golang.org/x/text/encoding/simplifiedchinese"

	"miaobi/hanzi"
	"miaobi/models"
	"miaobi/paint/glyph"
	"miaobi/poem"
)

func main() {
	from := flag.String("from", "", "LXGW WenKai font file (.woff or .ttf)")
	out := flag.String("o", "paint/glyph/fonts/wenkai.glyphs", "glyph set to write")
	grid := flag.Int("grid", 2, "coordinate grid in font units")
	flag.Parse()
	if err := run(*from, *out, *grid); err != nil {
		fmt.Fprintln(os.Stderr, "glyphgen:", err)
		os.Exit(1)
	}
}

func run(from, out string, grid int) error {
	if from == "" {
		return fmt.Errorf("give the font with -from FILE")
	}
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if len(b) >= 4 && string(b[:4]) == "wOFF" {
		if b, err = glyph.DecodeWOFF(b); err != nil {
			return err
		}
	}
	runes := charset()
	e, err := poem.Load(models.Poem())
	if err != nil {
		return err
	}
	for _, r := range e.Writable() {
		runes = append(runes, r, []rune(hanzi.ToTraditional(string(r)))[0])
	}
	file, missing, err := glyph.BuildGlyphSet(b, runes, grid)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, file, 0o644); err != nil {
		return err
	}
	g, err := glyph.ParseGlyphSet(file)
	if err != nil {
		return err
	}
	slog.Info("glyph set written", "file", out, "chars", g.Len(), "missing", string(missing), "bytes", len(file))
	return nil
}

// charset is GB 2312 (rows 1–9 symbols, 16–87 hanzi), the traditional
// forms of its hanzi, and printable ASCII.
func charset() []rune {
	dec := simplifiedchinese.GBK.NewDecoder()
	var rs []rune
	for hi := 0xA1; hi <= 0xF7; hi++ {
		if hi > 0xA9 && hi < 0xB0 {
			continue
		}
		for lo := 0xA1; lo <= 0xFE; lo++ {
			s, err := dec.Bytes([]byte{byte(hi), byte(lo)})
			if err != nil {
				continue
			}
			r := []rune(string(s))
			if len(r) != 1 || r[0] == 0xFFFD || r[0] < 0x80 {
				continue
			}
			rs = append(rs, r[0])
			if hi >= 0xB0 {
				rs = append(rs, []rune(hanzi.ToTraditional(string(r)))...)
			}
		}
	}
	for r := rune(0x21); r < 0x7F; r++ {
		rs = append(rs, r)
	}
	return rs
}
