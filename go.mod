// Miaobi (妙笔): a self-hosted AIGC creative studio.
//
// Dependencies (each must earn its place; see THIRD_PARTY.md):
//   github.com/mozillazg/go-pinyin — modern Mandarin readings per character, the
//     basis of the 中华新韵 rhyme book (14 groups from pinyin finals). Pure Go, MIT.
module miaobi

go 1.26

require github.com/mozillazg/go-pinyin v0.21.0 // indirect
