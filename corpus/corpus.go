// Package corpus fetches the chinese-poetry collection (npm package
// chinese-poetry@2.0.1, MIT) and turns it into Miaobi's compact corpus: one
// record per poem with title, author, dynasty, lines in simplified and
// traditional characters, detected form and, for Tang and Song shi, the
// package's own 平仄 annotations. Duplicates across collections are dropped.
//
// The corpus is a gzip-compressed JSON-lines file in the data directory; Read
// streams it back one poem at a time.
package corpus

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The pinned source package.
const (
	Package   = "chinese-poetry"
	Version   = "2.0.1"
	Integrity = "sha512-KtYARvV7CWNtax0na9+Jn6PlhGgSoid7PWyDzXI4KsCEm2odZcqEQyval5koaLygZnM/EQ3lfJ//25K8p3uHNg=="
)

// Poem is one record of the corpus.
type Poem struct {
	ID         string   `json:"id"`
	Collection string   `json:"collection"`
	Dynasty    string   `json:"dynasty"`
	Title      string   `json:"title"`
	TitleT     string   `json:"title_t"`
	Author     string   `json:"author"`
	AuthorT    string   `json:"author_t"`
	Form       string   `json:"form"`
	Tune       string   `json:"tune,omitempty"`
	Lines      []string `json:"lines"`
	LinesT     []string `json:"lines_t"`
	// Puncts holds the punctuation mark that closes each line (，。？！；：、).
	Puncts string `json:"puncts"`
	// Strains holds the source's 平仄 annotation per line (平, 仄, ○ either,
	// ？ unknown), present only where it aligns with the text.
	Strains []string `json:"strains,omitempty"`
}

// Text returns the poem in simplified characters with its punctuation.
func (p *Poem) Text() string {
	var b []byte
	pu := []rune(p.Puncts)
	for i, l := range p.Lines {
		b = append(b, l...)
		if i < len(pu) {
			b = append(b, string(pu[i])...)
		}
	}
	return string(b)
}

// DataDir returns Miaobi's data directory: $MIAOBI_HOME, or
// ~/.local/share/miaobi.
func DataDir() (string, error) {
	if d := os.Getenv("MIAOBI_HOME"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("corpus: no data directory: set MIAOBI_HOME (%w)", err)
	}
	return filepath.Join(home, ".local", "share", "miaobi"), nil
}

// DefaultPath is where the built corpus lives inside a data directory.
func DefaultPath(dataDir string) string {
	return filepath.Join(dataDir, "corpus", fmt.Sprintf("%s-%s.jsonl.gz", Package, Version))
}

// ErrNoCorpus means the corpus has not been built yet.
var ErrNoCorpus = errors.New("the corpus is not built yet: run 'miaobi corpus fetch' first")

// Read streams the corpus at path, calling fn for each poem; fn may stop the
// walk by returning an error, which Read returns.
func Read(path string, fn func(*Poem) error) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("corpus: %s: %w", path, ErrNoCorpus)
	}
	if err != nil {
		return fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return fmt.Errorf("corpus: %s: not a corpus file (%w); rebuild it with 'miaobi corpus fetch'", path, err)
	}
	dec := json.NewDecoder(zr)
	for n := 1; ; n++ {
		var p Poem
		if err := dec.Decode(&p); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("corpus: %s: record %d: %w; rebuild it with 'miaobi corpus fetch'", path, n, err)
		}
		if err := fn(&p); err != nil {
			return err
		}
	}
}
