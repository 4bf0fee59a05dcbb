// Package cli holds what the miaobi commands share: the exit status of a
// flag error, error reports without package prefixes, the --corpus flag,
// writing files whole (through a temporary file) and a child process's
// peak memory.
package cli

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"miaobi/corpus"
	"miaobi/models"
	"miaobi/poem"
)

// ParseExit is the exit status for a flag parsing error: 0 after --help,
// 2 for a bad flag (the flag package has printed why).
func ParseExit(err error) int {
	if err == flag.ErrHelp {
		return 0
	}
	return 2
}

// Failer returns a function that reports err for the named subcommand,
// without the package prefixes a user does not need, and returns code.
func Failer(stderr io.Writer, cmd string) func(code int, err error) int {
	return func(code int, err error) int {
		msg := err.Error()
		for _, pkg := range []string{"photo: ", "paint: ", "label: "} {
			msg = strings.ReplaceAll(msg, pkg, "")
		}
		fmt.Fprintf(stderr, "miaobi %s: %s\n", cmd, msg)
		return code
	}
}

// CorpusFlag registers --corpus and returns a function that gives its value,
// or the corpus in the data directory when it is not set.
func CorpusFlag(fs *flag.FlagSet) func() (string, error) {
	p := fs.String("corpus", "", "corpus file (default: the one in the data dir)")
	return func() (string, error) {
		if *p != "" {
			return *p, nil
		}
		dir, err := corpus.DataDir()
		if err != nil {
			return "", err
		}
		return corpus.DefaultPath(dir), nil
	}
}

// WriteFileAtomic writes through a temporary file, so a failed write
// leaves nothing half-written.
func WriteFileAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// WriteVia writes a file through a temporary one beside it, renamed into
// place only when write succeeded, so a failed or interrupted command
// leaves nothing half-written (and no temporary file).
func WriteVia(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".miaobi-*"+filepath.Ext(path))
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// WriteImage encodes img, unlabelled, by the file's extension and writes
// it through a temporary file (see WriteFileAtomic). Products go through
// writeLabelled instead; this is for working files such as the bench's.
func WriteImage(path string, img image.Image) error {
	var b bytes.Buffer
	var err error
	if strings.HasSuffix(strings.ToLower(path), ".png") {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 92})
	}
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, b.Bytes())
}

// PoemEngine loads the poem engine of the given kind ("kn", …) from
// modelsDir, or the built-in models when modelsDir is "".
func PoemEngine(modelsDir, kind string) (*poem.Engine, error) {
	var dir fs.FS = models.Poem()
	if modelsDir != "" {
		if _, err := os.Stat(modelsDir); err != nil {
			return nil, fmt.Errorf("--models: %w", err)
		}
		dir = os.DirFS(modelsDir)
	}
	return poem.LoadModel(dir, kind)
}
