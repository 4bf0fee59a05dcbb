package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// verified runs miaobi verify --json on a file.
func verified(t *testing.T, e *env, path string, code int) map[string]any {
	t.Helper()
	r := e.run(t, nil, "verify", "--json", path)
	r.wantCode(t, code)
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, r.stdout)
	}
	return rep
}

// wantAllLayers checks miaobi verify finds every label layer in a file:
// the visible label, the AIGC metadata, a valid C2PA manifest and the
// watermark (and, when matched, the watermark carrying the ProduceID).
func wantAllLayers(t *testing.T, e *env, path string, matched bool) map[string]any {
	t.Helper()
	rep := verified(t, e, path, 0)
	ok := field(rep, "explicit", "found") == true && field(rep, "implicit", "found") == true &&
		field(rep, "c2pa", "Valid") == true && field(rep, "watermark", "found") == true
	if matched {
		ok = ok && field(rep, "watermark_matches_produce_id") == true
	}
	if !ok {
		b, _ := json.Marshal(rep)
		t.Errorf("%s: not every layer verified: %s", filepath.Base(path), b)
	}
	return rep
}

func field(rep map[string]any, path ...string) any {
	var v any = rep
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func TestLabelledOutputs(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	for _, name := range []string{"p.png", "p.jpg"} {
		out := filepath.Join(dir, name)
		e.run(t, nil, "paint", "-k", "江,月", "--size", "480x240", "-o", out).wantCode(t, 0)
		rep := verified(t, e, out, 0)
		for _, want := range []struct {
			path []string
			v    any
		}{
			{[]string{"explicit", "found"}, true},
			{[]string{"implicit", "found"}, true},
			{[]string{"implicit", "aigc", "Label"}, "1"},
			{[]string{"implicit", "content_intact"}, true},
			{[]string{"c2pa", "Valid"}, true},
			{[]string{"c2pa", "Trusted"}, true},
			{[]string{"c2pa", "DigitalSourceType"}, "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"},
			{[]string{"watermark", "found"}, true},
			{[]string{"tampered"}, false},
		} {
			if got := field(rep, want.path...); got != want.v {
				t.Errorf("%s: %v = %v, want %v", name, want.path, got, want.v)
			}
		}
		// One byte of the picture changed: reported, exit status 1.
		b := readFile(t, out)
		b[len(b)-40] ^= 0x55
		bad := filepath.Join(dir, "tampered-"+name)
		os.WriteFile(bad, b, 0o644)
		rep = verified(t, e, bad, 1)
		if field(rep, "tampered") != true || field(rep, "c2pa", "Valid") != false {
			t.Errorf("%s: a changed byte was not reported: %v", name, rep["c2pa"])
		}
	}
	// Without a visible label the file says so; --unsigned has no manifest.
	plain := filepath.Join(dir, "plain.png")
	e.run(t, nil, "paint", "-k", "山", "--size", "480x240", "--no-visible-label", "--unsigned", "-o", plain).wantCode(t, 0)
	rep := verified(t, e, plain, 0)
	if field(rep, "explicit", "found") != false || field(rep, "c2pa", "Present") != false || field(rep, "watermark", "found") != true {
		t.Errorf("no visible label, unsigned: %v", rep)
	}
	// Labelling a person's photo, and verifying text.
	lab := filepath.Join(dir, "labelled.jpg")
	e.run(t, nil, "label", photoPath, "-o", lab).wantCode(t, 0)
	rep = verified(t, e, lab, 0)
	if field(rep, "c2pa", "Valid") != true || field(rep, "watermark", "found") != true {
		t.Errorf("label: %v", rep)
	}
	r := e.run(t, nil, "poem", "-k", "灯", "--seed", "1")
	txt := filepath.Join(dir, "poem.txt")
	os.WriteFile(txt, []byte(r.stdout), 0o644)
	if rep := verified(t, e, txt, 0); field(rep, "explicit", "found") != true {
		t.Errorf("a printed poem has no explicit label: %v", rep)
	}
	k := e.run(t, nil, "keys", "show")
	k.wantCode(t, 0)
	if !strings.Contains(k.stdout, "Miaobi Signer") {
		t.Errorf("keys show: %q", k.stdout)
	}
	e.wantUsageErrors(t, []usageError{
		{[]string{"verify"}, "one file"},
		{[]string{"verify", filepath.Join(dir, "none.png")}, "no such file"},
		{[]string{"label", photoPath, "--layers", "glitter", "-o", lab}, "unknown layer"},
		{[]string{"paint", "-k", "山", "--label-text", "机器画的", "-o", plain}, "AI element"},
	})
}

// TestExiftoolReadsAIGC: an independent reader, exiftool, finds the
// implicit label in both picture formats.
func TestExiftoolReadsAIGC(t *testing.T) {
	if _, err := exec.LookPath("exiftool"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("exiftool is missing; make test installs it (apt install libimage-exiftool-perl)")
		}
		t.Skip("exiftool not installed (apt install libimage-exiftool-perl)")
	}
	e := newEnv(t)
	dir := t.TempDir()
	for _, name := range []string{"x.png", "x.jpg"} {
		out := filepath.Join(dir, name)
		e.run(t, nil, "paint", "-k", "松", "--size", "320x160", "-o", out).wantCode(t, 0)
		b, err := exec.Command("exiftool", "-s3", "-XMP-TC260:AIGC", out).Output()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), `"Label":"1"`) || !strings.Contains(string(b), `"ContentProducer":"Miaobi"`) {
			t.Errorf("%s: exiftool read %q", name, b)
		}
	}
}

func TestPoemFileLabels(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "poem.txt")
	e.run(t, nil, "poem", "-k", "灯", "-o", out, "--aigc-inband").wantCode(t, 0)
	rep := verified(t, e, out, 0)
	if field(rep, "implicit", "aigc", "Label") != "1" || field(rep, "explicit", "found") != true {
		t.Errorf("poem file: %v", rep)
	}
	os.WriteFile(out, []byte(strings.Split(string(readFile(t, out)), "{")[0]), 0o644) // in-band line gone
	if rep := verified(t, e, out, 0); field(rep, "implicit", "where") != "sidecar poem.txt.aigc.json" {
		t.Errorf("sidecar: %v", rep["implicit"])
	}
	// The labelled file still paints: footer and JSON lines are not poem.
	e.run(t, nil, "paint", "--poem", out, "--size", "960x480", "-o", filepath.Join(dir, "p.png")).wantCode(t, 0)
}
