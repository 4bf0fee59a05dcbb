package main

// End-to-end tests: TestMain builds the real binary once and each test runs
// it as a user would, with its own empty MIAOBI_HOME.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const testVersion = "e2e-test"

var (
	binary     string // the miaobi binary under test
	fixtureTgz string // the corpus package fixture, packed
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "miaobi-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)

	gobin, err := exec.LookPath("go")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: the go command is needed to build miaobi: %v\n", err)
		return 1
	}
	binary = filepath.Join(dir, "miaobi")
	build := exec.Command(gobin, "build", "-o", binary, "-ldflags", "-X main.version="+testVersion, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build: %v\n", err)
		return 1
	}

	fixtureTgz = filepath.Join(dir, "chinese-poetry-2.0.1.tgz")
	if err := packFixture(filepath.Join("..", "..", "corpus", "testdata", "chinese-poetry"), fixtureTgz); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: pack fixture: %v\n", err)
		return 1
	}
	return m.Run()
}

// packFixture writes the directory tree under root (holding package/…) as a
// gzip-compressed tarball, as npm pack would.
func packFixture(root, dst string) error {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	mtime := time.Date(1985, 10, 26, 8, 15, 0, 0, time.UTC)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(b)), ModTime: mtime}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(dst, buf.Bytes(), 0o644)
}

// panicRE matches a Go panic or fatal error trace.
var panicRE = regexp.MustCompile(`(?m)^(panic: |fatal error: |goroutine \d+ \[)`)

// result is what one run of the binary produced.
type result struct {
	stdout, stderr string
	code           int
	elapsed        time.Duration
	state          *os.ProcessState
}

// env is the environment of a run: MIAOBI_HOME and HOME point into a
// temporary directory, and colour is off.
type env struct {
	home    string
	extra   []string      // more variables, NAME=VALUE
	timeout time.Duration // a run's limit; 0: a minute
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return &env{home: t.TempDir()}
}

// run runs miaobi with args and stdin (nil for none) and waits for it, for
// at most a minute.
func (e *env) run(t *testing.T, stdin io.Reader, args ...string) result {
	t.Helper()
	limit := e.timeout
	if limit == 0 {
		limit = time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = append(append(os.Environ(), "MIAOBI_HOME="+e.home, "HOME="+e.home, "NO_COLOR=1"), e.extra...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start), state: cmd.ProcessState}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	case ctx.Err() != nil:
		t.Fatalf("miaobi %s: timed out after %v\nstderr: %s", strings.Join(args, " "), r.elapsed, tail(r.stderr))
	default:
		t.Fatalf("miaobi %s: %v\nstderr: %s", strings.Join(args, " "), err, tail(r.stderr))
	}
	if panicRE.MatchString(r.stderr) {
		t.Fatalf("miaobi %s panicked:\n%s", strings.Join(args, " "), tail(r.stderr))
	}
	return r
}

// runStdin runs miaobi with text on standard input.
func (e *env) runStdin(t *testing.T, text string, args ...string) result {
	t.Helper()
	return e.run(t, strings.NewReader(text), args...)
}

// wantCode fails the test unless the run exited with code.
func (r result) wantCode(t *testing.T, code int) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit status %d, want %d\nstdout: %s\nstderr: %s", r.code, code, tail(r.stdout), tail(r.stderr))
	}
}

func tail(s string) string {
	if len(s) > 2000 {
		return "…" + s[len(s)-2000:]
	}
	return s
}

// checkResult mirrors the JSON that 'miaobi check --json' prints per poem.
type checkResult struct {
	Index      int    `json:"index"`
	Title      string `json:"title"`
	Form       string `json:"form"`
	Variant    string `json:"variant"`
	Book       string `json:"rhyme_book"`
	RhymeGroup string `json:"rhyme_group"`
	Verdict    string `json:"verdict"`
	Lines      []struct {
		Text     string `json:"text"`
		Tones    string `json:"tones"`
		Expected string `json:"expected"`
		Rhyme    string `json:"rhyme"`
	} `json:"lines"`
	Problems *[]struct {
		Line    int    `json:"line"`
		Col     int    `json:"col"`
		Rule    string `json:"rule"`
		Level   string `json:"level"`
		Message string `json:"message"`
	} `json:"problems"`
	Error string `json:"error"`
	File  string `json:"file"`
}

// jsonLines decodes one JSON object per line of out.
func jsonLines(t *testing.T, out string) []checkResult {
	t.Helper()
	var rs []checkResult
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			t.Fatalf("empty line %d in JSON output:\n%s", i+1, out)
		}
		var r checkResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		rs = append(rs, r)
	}
	return rs
}

func (r checkResult) hasRule(rule, level string) bool {
	if r.Problems == nil {
		return false
	}
	for _, p := range *r.Problems {
		if p.Rule == rule && (level == "" || p.Level == level) {
			return true
		}
	}
	return false
}

// buildCorpus builds the fixture corpus into e's data directory.
func (e *env) buildCorpus(t *testing.T) string {
	t.Helper()
	e.run(t, nil, "corpus", "build", "--from", fixtureTgz).wantCode(t, 0)
	return filepath.Join(e.home, "corpus", "chinese-poetry-2.0.1.jsonl.gz")
}
