package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/hanzi"
	"miaobi/poem"
	"miaobi/sound"
)

const pinyinHelp = `Usage: miaobi pinyin [TEXT | FILE | -] [--marks] [--sandhi] [--verse]

Prints how Miaobi reads each character of a text, as 'miaobi recite'
speaks it: one syllable per character, separated by spaces, a line of
output for each line read, punctuation left out. Polyphones are read by
word (银行 yin2 hang2, 行走 xing2 zou3). Tones are numbers (5 is the
neutral tone), as read in isolation; --sandhi shows them as spoken (一 and
不 before a fourth tone, third tones before a third); --marks writes tone
marks (yín háng). A poem (lines of one length, as 'miaobi poem' prints
them: its title and the line that labels it are not read), or any text
with --verse, is read as verse: no neutral tones, 还 ending a line reads
huan2, 朝 the morning reads zhao1. An argument that names a file is read
from the file; with no argument, or -, the text is read from standard
input.

Flags:
`

func runPinyin(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pinyin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	marks := fs.Bool("marks", false, "tone marks instead of numbers")
	spoken := fs.Bool("sandhi", false, "tones as spoken, after 一/不 and third-tone sandhi")
	verse := fs.Bool("verse", false, "read every line as a line of verse (on by itself for a poem)")
	fs.Usage = func() { fmt.Fprint(stderr, pinyinHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	// The text: standard input, a file named, or the arguments themselves.
	text := strings.Join(fs.Args(), " ")
	var src io.Reader
	switch {
	case fs.NArg() == 0 || fs.NArg() == 1 && fs.Arg(0) == "-":
		src = stdin
	case fs.NArg() == 1 && isFile(fs.Arg(0)):
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "miaobi pinyin: %v\n", err)
			return 2
		}
		defer f.Close()
		src = f
	}
	if src != nil {
		b, err := io.ReadAll(io.LimitReader(src, 4<<20))
		if err != nil {
			fmt.Fprintf(stderr, "miaobi pinyin: %v\n", err)
			return 2
		}
		text = string(b)
	}
	if !strings.ContainsFunc(text, hanzi.IsHan) {
		if src == nil && fs.NArg() == 1 {
			// Neither a file nor Chinese: most likely a file name mistyped.
			fmt.Fprintf(stderr, "miaobi pinyin: %s: no such file, and no Chinese to read; give Chinese text, a file, or - for standard input\n", text)
		} else {
			fmt.Fprintln(stderr, "miaobi pinyin: the text has no Chinese characters to read")
		}
		return 2
	}
	// The lines recite would speak: a poem's verse lines, without its
	// title and label; any other text's lines but the label.
	rec, _ := sound.RecitationOf(poem.StripFooter(text))
	read := hanzi.Pinyin
	if *verse || rec.Verse {
		read = hanzi.ReadVerse
	}
	for _, line := range rec.Lines {
		syl, err := read(line)
		if err != nil {
			fmt.Fprintf(stderr, "miaobi pinyin: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, hanzi.FormatPinyin(syl, *marks, *spoken))
	}
	return 0
}

// isFile reports whether path names a regular file.
func isFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
