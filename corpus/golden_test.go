package corpus

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/fixture.golden.jsonl from the current Build output")

const goldenFile = "testdata/fixture.golden.jsonl"

// TestBuildGolden compares the corpus built from the fixture line by line
// with the checked-in golden file. Rewrite it after an intended change with
//
//	go test ./corpus -run TestBuildGolden -update
//
// and review the diff.
func TestBuildGolden(t *testing.T) {
	got, _ := buildBytes(t, fixtureTgz(t))
	if *update {
		if err := os.WriteFile(goldenFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", goldenFile)
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gl := strings.Split(string(got), "\n")
	wl := strings.Split(string(want), "\n")
	for i := 0; i < max(len(gl), len(wl)); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s line %d differs:\n got: %s\nwant: %s", filepath.Base(goldenFile), i+1, g, w)
		}
	}
	t.Log("if the change is intended, rerun with -update and review the diff")
}
