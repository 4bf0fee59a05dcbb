package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/hanzi"
	"miaobi/prosody"
	"miaobi/sound"
)

const pinyinHelp = `Usage: miaobi pinyin [TEXT | -] [--marks] [--sandhi] [--verse]

Prints how Miaobi reads each character of a text (what 'miaobi recite'
speaks): one syllable per character, separated by spaces, one output line
per input line, punctuation left out. Polyphones are read by word (银行
yin2 hang2, 行走 xing2 zou3). Tones are numbers (5 is the neutral tone),
as read in isolation; --sandhi shows them as spoken (一 and 不 before a
fourth tone, third tones before a third); --marks writes tone marks (yín
háng). A poem (lines of one length, as 'miaobi poem' prints them), or any
text with --verse, is read as verse: 还 ending a line reads huan2. With no
TEXT, or -, the text is read from standard input.

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
	var text string
	switch {
	case fs.NArg() == 0 || fs.NArg() == 1 && fs.Arg(0) == "-":
		b, err := io.ReadAll(io.LimitReader(stdin, 4<<20))
		if err != nil {
			fmt.Fprintf(stderr, "miaobi pinyin: %v\n", err)
			return 2
		}
		text = string(b)
	default:
		text = strings.Join(fs.Args(), " ")
	}
	if p, err := prosody.ParsePoem(text); err == nil && sound.IsVerse(p.Lines) {
		*verse = true
	}
	read := hanzi.Pinyin
	if *verse {
		read = hanzi.ReadVerse
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		syl, err := read(line)
		if err != nil {
			fmt.Fprintf(stderr, "miaobi pinyin: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, hanzi.FormatPinyin(syl, *marks, *spoken))
	}
	return 0
}
