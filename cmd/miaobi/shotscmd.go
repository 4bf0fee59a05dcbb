package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/film"
)

const shotsHelp = `Usage: miaobi shots VIDEO [--json]

Finds where a video cuts from one shot to the next: hard cuts, fades
through black or white (one cut, in the middle), not flashes or camera
moves. Prints the cuts in seconds, or with --json {"cuts": [...], "fps": N,
"frames": N, "duration": S}. Needs ffmpeg.

Flags:
`

func runShots(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("shots", flag.ContinueOnError)
	fs.SetOutput(stderr)
	jsonOut := fs.Bool("json", false, "print JSON")
	fs.Usage = func() { fmt.Fprint(stderr, shotsHelp); fs.PrintDefaults() }
	files, args := leadingFiles(args)
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	files = append(files, fs.Args()...)
	if len(files) != 1 {
		fmt.Fprintln(stderr, "miaobi shots: give one video file")
		return 2
	}
	s, err := film.DetectShots(context.Background(), files[0])
	if err != nil {
		fmt.Fprintf(stderr, "miaobi shots: %v\n", err)
		return 1
	}
	if *jsonOut {
		b, _ := json.Marshal(s)
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	var cuts []string
	for _, c := range s.Cuts {
		cuts = append(cuts, fmt.Sprintf("%.3f", c))
	}
	fmt.Fprintf(stdout, "%s: %d cuts in %.1f s (%.3g fps)\n", files[0], len(s.Cuts), s.Duration, s.FPS)
	if len(cuts) > 0 {
		fmt.Fprintln(stdout, strings.Join(cuts, " "))
	}
	return 0
}

// leadingFiles splits off the file arguments written before the flags
// ("miaobi shots clip.mp4 --json"): Go's flag package stops at the first
// argument that is not a flag, so the commands that take files first
// take them here.
func leadingFiles(args []string) (files, rest []string) {
	for len(args) > 0 && (args[0] == "-" || !strings.HasPrefix(args[0], "-")) {
		files, args = append(files, args[0]), args[1:]
	}
	return files, args
}
