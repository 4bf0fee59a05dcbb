package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/prosody"
)

const checkHelp = `Usage: miaobi check [flags] [FILE|-]...

Reads poems (simplified or traditional, any common punctuation; separate
poems with a blank line; an optional first line without punctuation, or one in
《》, is the title), detects each poem's form or takes --form, and reports per
character the expected and actual tone, the rhyme, and every rule broken.

Verdicts: 合律 meets the form; 拗 breaks a rule only where an accepted 拗救
repairs it; 出律 breaks the form.
Exit status: 0 when every poem is 合律 or 拗, 1 when any is 出律, 2 for
unusable input (no poem, no Chinese, invalid UTF-8, unreadable file).

Flags:
`

func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	form := fs.String("form", "", "form: 五绝, 七绝, 五律, 七律, 五言排律, 七言排律 or 词:TUNE (default: detect)")
	rhyme := fs.String("rhyme", "pingshui", "rhyme book for regulated verse: pingshui (平水韵) or xinyun (中华新韵)")
	asJSON := fs.Bool("json", false, "print one JSON object per poem, one per line")
	color := fs.String("color", "auto", "colour the terminal output: auto, always or never")
	listTunes := fs.Bool("list-tunes", false, "list the 词牌 the checker knows and exit")
	fs.Usage = func() {
		fmt.Fprint(stderr, checkHelp)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	if *listTunes {
		return printTunes(stdout, stderr)
	}
	if *rhyme == "cilin" {
		fmt.Fprintln(stderr, "miaobi check: --rhyme cilin is used for 词 automatically; for regulated verse choose pingshui or xinyun")
		return 2
	}
	checker, err := prosody.NewChecker(*rhyme, *form)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi check: %v\n", err)
		return 2
	}
	useColor := false
	switch *color {
	case "always":
		useColor = true
	case "never":
	case "auto":
		useColor = isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	default:
		fmt.Fprintf(stderr, "miaobi check: --color must be auto, always or never, not %q\n", *color)
		return 2
	}

	files := fs.Args()
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	status, poems, failed := 0, 0, 0
	for _, name := range files {
		var r io.Reader = stdin
		var f *os.File
		if name != "-" {
			var err error
			if f, err = os.Open(name); err != nil {
				fmt.Fprintf(stderr, "miaobi check: %v\n", err)
				status = 2
				failed++
				continue
			}
			r = f
		}
		sc := prosody.NewScanner(r)
		for p := sc.Next(); p != nil; p = sc.Next() {
			poems++
			if p.Err != nil {
				status = 2
				if *asJSON {
					enc.Encode(map[string]any{"index": p.Index, "file": name, "error": p.Err.Error()})
				} else {
					out.Flush()
					fmt.Fprintf(stderr, "miaobi check: %s: poem %d: %v\n", displayName(name), p.Index, p.Err)
				}
				continue
			}
			res := checker.Check(p)
			if res.Verdict == prosody.VerdictFail && status == 0 {
				status = 1
			}
			if *asJSON {
				if err := enc.Encode(res); err != nil {
					fmt.Fprintf(stderr, "miaobi check: write: %v\n", err)
					return 2
				}
			} else {
				res.WriteText(out, useColor)
			}
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintf(stderr, "miaobi check: read %s: %v\n", displayName(name), err)
			status = 2
		}
		if f != nil {
			f.Close()
		}
	}
	if poems == 0 {
		out.Flush()
		if failed < len(files) {
			fmt.Fprintln(stderr, "miaobi check: no poem found in the input; give a file, or pipe a poem into 'miaobi check'")
		}
		return 2
	}
	return status
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func printTunes(stdout, stderr io.Writer) int {
	if err := prosody.WriteTunes(stdout); err != nil {
		fmt.Fprintf(stderr, "miaobi check: %v\n", err)
		return 2
	}
	return 0
}

// displayName names an input file for messages ("-" is standard input).
func displayName(name string) string {
	if name == "-" {
		return "standard input"
	}
	return name
}
