// Miaobi (妙笔): a self-hosted AIGC creative studio.
//
// Dependencies (each must earn its place; see THIRD_PARTY.md):
//   github.com/mozillazg/go-pinyin — modern Mandarin readings per character, the
//     basis of the 中华新韵 rhyme book (14 groups from pinyin finals). Pure Go, MIT.
//   golang.org/x/image — vector: anti-aliased polygon rasterisation for the
//     ink-wash painter (package paint); the standard library has none. Pure Go, BSD-3-Clause.
//   golang.org/x/text — the GB 2312 code table (simplifiedchinese) that chooses the
//     fallback glyph set's characters (paint/internal/glyphgen). Pure Go, BSD-3-Clause.
module miaobi

go 1.26.0

require (
	github.com/mozillazg/go-pinyin v0.21.0
	golang.org/x/image v0.48.0
	golang.org/x/text v0.44.0
)

require golang.org/x/sys v0.50.0 // indirect
