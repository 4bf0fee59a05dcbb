package corpus

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// buildFile builds the fixture corpus into a file and returns its path and
// the uncompressed JSON lines Build wrote.
func buildFile(t *testing.T) (string, []byte) {
	t.Helper()
	tgz := fixtureTgz(t)
	var out bytes.Buffer
	if _, err := Build(tgz, &out); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "corpus.jsonl.gz")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	raw, _ := buildBytes(t, tgz)
	return p, raw
}

func TestReadRoundTrip(t *testing.T) {
	path, raw := buildFile(t)
	want := decodeLines(t, raw)
	var got []*Poem
	if err := Read(path, func(p *Poem) error { got = append(got, p); return nil }); err != nil {
		t.Fatalf("Read: %v", err)
	}
	if len(got) != fixturePoems {
		t.Fatalf("Read %d poems, want %d", len(got), fixturePoems)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Read returned other poems than Build wrote")
	}
	// Read hands out a new Poem each time.
	if got[0] == got[1] {
		t.Errorf("Read reused one *Poem for two records")
	}
	// Encoding a poem again gives the line Build wrote.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for _, p := range got {
		if err := enc.Encode(p); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(buf.Bytes(), raw) {
		t.Errorf("re-encoding the poems Read returned differs from what Build wrote")
	}
}

func TestReadStops(t *testing.T) {
	path, _ := buildFile(t)
	stop := errors.New("enough")
	n := 0
	err := Read(path, func(*Poem) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("Read returned %v, want the callback's error unchanged", err)
	}
	if n != 3 {
		t.Errorf("callback ran %d times after returning an error at 3", n)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string { return writeFile(t, dir, name, b) }
	tests := []struct {
		name     string
		path     string
		noCorpus bool
		want     string
		poems    int // delivered before the error
	}{
		{"missing", filepath.Join(dir, "corpus", "chinese-poetry-2.0.1.jsonl.gz"), true, "miaobi corpus fetch", 0},
		{"not gzip", write("plain.jsonl.gz", []byte(`{"id":"a","lines":["白日依山尽"]}`+"\n")), false, "not a corpus file", 0},
		{"bad second record", write("bad.jsonl.gz", gzipBytes(t, []byte(`{"id":"a","lines":["白日依山尽"]}`+"\n"+`{"id": "b", "lines": [`))), false, "record 2", 1},
		{"wrong type", write("type.jsonl.gz", gzipBytes(t, []byte(`{"id":"a","lines":"白日依山尽"}`+"\n"))), false, "record 1", 0},
		{"truncated gzip", write("trunc.jsonl.gz", func() []byte {
			b := gzipBytes(t, bytes.Repeat([]byte(`{"id":"a","lines":["白日依山尽"]}`+"\n"), 200))
			return b[:len(b)-20]
		}()), false, "record", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := Read(tt.path, func(*Poem) error { n++; return nil })
			if err == nil {
				t.Fatalf("Read succeeded after %d poems, want an error", n)
			}
			if errors.Is(err, ErrNoCorpus) != tt.noCorpus {
				t.Errorf("errors.Is(%q, ErrNoCorpus) = %v, want %v", err, !tt.noCorpus, tt.noCorpus)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if tt.noCorpus && !strings.Contains(err.Error(), tt.path) {
				t.Errorf("error %q does not name the path", err)
			}
			if tt.poems >= 0 && n != tt.poems {
				t.Errorf("callback ran %d times, want %d", n, tt.poems)
			}
		})
	}
}

func TestReadEmpty(t *testing.T) {
	p := filepath.Join(t.TempDir(), "empty.jsonl.gz")
	if err := os.WriteFile(p, gzipBytes(t, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Read(p, func(*Poem) error { t.Error("callback called for an empty corpus"); return nil }); err != nil {
		t.Errorf("Read of an empty corpus: %v", err)
	}
}

func integrityOf(b []byte) string {
	sum := sha512.Sum512(b)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestVerifyIntegrity(t *testing.T) {
	tgz := fixtureTgz(t)
	b, err := os.ReadFile(tgz)
	if err != nil {
		t.Fatal(err)
	}
	good := integrityOf(b)
	if err := VerifyIntegrity(tgz, good); err != nil {
		t.Errorf("VerifyIntegrity with the file's own sha512: %v", err)
	}

	changed := bytes.Clone(b)
	changed[len(changed)/2] ^= 0x01
	bad := filepath.Join(t.TempDir(), TarballName)
	if err := os.WriteFile(bad, changed, 0o644); err != nil {
		t.Fatal(err)
	}
	err = VerifyIntegrity(bad, good)
	if err == nil {
		t.Fatal("VerifyIntegrity accepted a file with one byte changed")
	}
	for _, w := range []string{"does not match", bad, integrityOf(changed)} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}

	// The fixture is not the published package.
	if err := VerifyIntegrity(tgz, Integrity); err == nil || !strings.Contains(err.Error(), Package+"@"+Version) {
		t.Errorf("VerifyIntegrity(fixture, Integrity) = %v, want a mismatch naming %s@%s", err, Package, Version)
	}

	for _, in := range []string{"sha1-" + strings.TrimPrefix(good, "sha512-"), strings.TrimPrefix(good, "sha512-"), "", "SHA512-" + strings.TrimPrefix(good, "sha512-")} {
		if err := VerifyIntegrity(tgz, in); err == nil || !strings.Contains(err.Error(), "only sha512") {
			t.Errorf("VerifyIntegrity(%.20q…) = %v, want an unsupported-algorithm error", in, err)
		}
	}

	err = VerifyIntegrity(filepath.Join(t.TempDir(), "missing.tgz"), good)
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("VerifyIntegrity on a missing file = %v, want an error wrapping os.ErrNotExist (Fetch relies on it)", err)
	}
}

func TestIntegrityConstant(t *testing.T) {
	algo, sum, ok := strings.Cut(Integrity, "-")
	if !ok || algo != "sha512" {
		t.Fatalf("Integrity %q is not sha512-<base64>", Integrity)
	}
	b, err := base64.StdEncoding.DecodeString(sum)
	if err != nil || len(b) != sha512.Size {
		t.Errorf("Integrity digest: %d bytes, %v; want %d bytes", len(b), err, sha512.Size)
	}
	if TarballName != "chinese-poetry-2.0.1.tgz" {
		t.Errorf("TarballName = %q", TarballName)
	}
}

func TestInstall(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "home")
	tgz := fixtureTgz(t)
	out, st, err := Install(tgz, dataDir)
	if err != nil {
		t.Fatalf("Install: %v", err)
	}
	if out != DefaultPath(dataDir) {
		t.Errorf("Install wrote %s, want %s", out, DefaultPath(dataDir))
	}
	if st.Poems != fixturePoems || st.Integrity != "unverified" {
		t.Errorf("stats: %d poems, integrity %q; want %d, unverified", st.Poems, st.Integrity, fixturePoems)
	}
	n := 0
	if err := Read(out, func(*Poem) error { n++; return nil }); err != nil || n != fixturePoems {
		t.Errorf("Read installed corpus: %d poems, %v", n, err)
	}
	mfPath := strings.TrimSuffix(out, ".jsonl.gz") + ".manifest.json"
	b, err := os.ReadFile(mfPath)
	if err != nil {
		t.Fatalf("manifest: %v", err)
	}
	var mf Stats
	if err := json.Unmarshal(b, &mf); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	if !reflect.DeepEqual(&mf, st) {
		t.Errorf("manifest %+v, stats %+v", mf, *st)
	}

	// A failed build leaves the good corpus and no temporary files.
	before, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.tgz")
	if err := os.WriteFile(bad, []byte("not a tarball"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Install(bad, dataDir); err == nil {
		t.Fatal("Install of a broken tarball succeeded")
	}
	after, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("a failed Install changed the corpus (%v)", err)
	}
	ents, err := os.ReadDir(filepath.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".build-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestDataDirAndDefaultPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("MIAOBI_HOME", home)
	d, err := DataDir()
	if err != nil || d != home {
		t.Errorf("DataDir() = %q, %v; want %q", d, err, home)
	}
	t.Setenv("MIAOBI_HOME", "")
	t.Setenv("HOME", home)
	d, err = DataDir()
	if want := filepath.Join(home, ".local", "share", "miaobi"); err != nil || d != want {
		t.Errorf("DataDir() without MIAOBI_HOME = %q, %v; want %q", d, err, want)
	}
	if got, want := DefaultPath("/data"), filepath.Join("/data", "corpus", "chinese-poetry-2.0.1.jsonl.gz"); got != want {
		t.Errorf("DefaultPath = %q, want %q", got, want)
	}
}

func TestPoemText(t *testing.T) {
	tests := []struct {
		p    Poem
		want string
	}{
		{Poem{Lines: []string{"白日依山尽", "黄河入海流"}, Puncts: "，。"}, "白日依山尽，黄河入海流。"},
		{Poem{Lines: []string{"争渡", "争渡"}, Puncts: "，"}, "争渡，争渡"},
		{Poem{}, ""},
	}
	for _, tt := range tests {
		if got := tt.p.Text(); got != tt.want {
			t.Errorf("Text() = %q, want %q", got, tt.want)
		}
	}
}

// TestFetchWithoutNpm runs Fetch where no npm is on PATH: it must not use
// the network, must drop a tarball that fails verification, and must say how
// to go on.
func TestFetchWithoutNpm(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	dataDir := t.TempDir()
	stale := filepath.Join(dataDir, "downloads", TarballName)
	if err := os.MkdirAll(filepath.Dir(stale), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte("not the package"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Fetch(t.Context(), dataDir)
	if err == nil {
		t.Fatalf("Fetch without npm returned %s", got)
	}
	for _, w := range []string{"npm", "--from", TarballName} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the tarball that failed verification is still there (%v)", err)
	}
}
