package corpus

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// fixtureDir holds a handful of real records of chinese-poetry@2.0.1 in the
// package's own layout (see testdata/SOURCES.md).
const fixtureDir = "testdata/chinese-poetry"

// tarEntry is one regular file of a test tarball.
type tarEntry struct {
	Name string
	Body []byte
}

// fixtureEntries reads the fixture tree into tarball entries named as in the
// npm package ("package/dist/…"), in lexical path order.
func fixtureEntries(t testing.TB) []tarEntry {
	t.Helper()
	var es []tarEntry
	err := filepath.WalkDir(fixtureDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(fixtureDir, p)
		if err != nil {
			return err
		}
		es = append(es, tarEntry{Name: filepath.ToSlash(rel), Body: b})
		return nil
	})
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if len(es) == 0 {
		t.Fatalf("fixture %s is empty", fixtureDir)
	}
	return es
}

// tarGz returns a gzip-compressed tarball holding es in the given order,
// with a directory entry before the first file of each directory, as npm
// pack does not but other tar tools do (Build must skip them).
func tarGz(t testing.TB, es []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mtime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC) // npm pack's fixed date
	dirs := map[string]bool{}
	for _, e := range es {
		if d := filepath.ToSlash(filepath.Dir(e.Name)); d != "." && !dirs[d] {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: mtime}); err != nil {
				t.Fatal(err)
			}
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: e.Name, Mode: 0o644, Size: int64(len(e.Body)), ModTime: mtime}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(e.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeTgz writes a tarball of es into a new temporary directory and returns
// its path.
func writeTgz(t testing.TB, es []tarEntry) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), TarballName)
	if err := os.WriteFile(p, tarGz(t, es), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fixtureTgz packs the fixture tree into a tarball in a temporary directory.
func fixtureTgz(t testing.TB) string {
	t.Helper()
	return writeTgz(t, fixtureEntries(t))
}

// buildBytes runs Build on tgz and returns the uncompressed JSON lines.
func buildBytes(t testing.TB, tgz string) ([]byte, *Stats) {
	t.Helper()
	var out bytes.Buffer
	st, err := Build(tgz, &out)
	if err != nil {
		t.Fatalf("Build(%s): %v", tgz, err)
	}
	zr, err := gzip.NewReader(&out)
	if err != nil {
		t.Fatalf("Build output is not gzip: %v", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("Build output: %v", err)
	}
	return b, st
}

// decodeLines decodes JSON lines into poems, failing on any other content.
func decodeLines(t testing.TB, b []byte) []*Poem {
	t.Helper()
	var ps []*Poem
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if line == "" {
			continue
		}
		var p Poem
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		ps = append(ps, &p)
	}
	return ps
}

// record is a source record as the package stores it, for synthetic files.
func recordsJSON(t testing.TB, rs ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func reversed[T any](s []T) []T {
	c := slices.Clone(s)
	slices.Reverse(c)
	return c
}

// gzipBytes compresses b.
func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFile writes b to dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
