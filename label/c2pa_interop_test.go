package label

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The independent verifier: c2pa-rs 0.82.1 inside
// @contentauth/c2pa-node 0.5.5 (the last release for Node 20), installed
// outside the repository:
//
//	mkdir -p /tmp/c2pa-verifier && cd /tmp/c2pa-verifier && npm init -y >/dev/null &&
//	  npm install --ignore-scripts --no-audit --no-fund @contentauth/c2pa-node@0.5.5
//
// (--ignore-scripts skips a postinstall that downloads from GitHub; the
// package ships its linux-x64 binary dist/index.node.) Point
// MIAOBI_C2PA_VERIFIER at that directory or its node_modules.
const c2paInstallHint = "mkdir -p /tmp/c2pa-verifier && cd /tmp/c2pa-verifier && npm init -y >/dev/null && " +
	"npm install --ignore-scripts --no-audit --no-fund @contentauth/c2pa-node@0.5.5"

// c2paVerifierModules finds the node_modules directory holding
// @contentauth/c2pa-node, or "".
func c2paVerifierModules() string {
	dir := os.Getenv("MIAOBI_C2PA_VERIFIER")
	if dir == "" {
		dir = "/tmp/c2pa-verifier"
	}
	for _, d := range []string{filepath.Join(dir, "node_modules"), dir} {
		if _, err := os.Stat(filepath.Join(d, "@contentauth", "c2pa-node", "dist", "index.node")); err == nil {
			return d
		}
	}
	return ""
}

// c2paVerdict is what testdata/c2pa-verify.mjs prints.
type c2paVerdict struct {
	State            string           `json:"state"`
	Error            string           `json:"error"`
	Failure          []string         `json:"failure"`
	Informational    []string         `json:"informational"`
	Success          []string         `json:"success"`
	IngredientDeltas []map[string]any `json:"ingredientDeltas"`
	Actions          []struct {
		Action            string `json:"action"`
		DigitalSourceType string `json:"digitalSourceType"`
	} `json:"actions"`
	Title       string `json:"title"`
	Ingredients int    `json:"ingredients"`
	Manifests   int    `json:"manifests"`
}

// TestC2PAInterop checks files signed here with c2pa-rs, the reference
// implementation: Trusted with the local CA as trust anchor; Valid with
// only signingCredential.untrusted without it (expected: a local root is
// in no public trust list); the action c2pa.created with
// trainedAlgorithmicMedia; Invalid with assertion.dataHash.mismatch
// after one byte of image data changes; chained and multi-segment stores
// Trusted too.
func TestC2PAInterop(t *testing.T) {
	// Under CI (make test installs the verifier) a missing verifier is a
	// failure, not a skip.
	skip := t.Skip
	if os.Getenv("CI") != "" {
		skip = t.Fatal
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("C2PA interop: node is not installed")
	}
	modules := c2paVerifierModules()
	if modules == "" {
		skip("C2PA interop: @contentauth/c2pa-node not found under $MIAOBI_C2PA_VERIFIER (default /tmp/c2pa-verifier); install it with: " + c2paInstallHint)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "c2pa-verify.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	s := testSigner(t)
	dir := t.TempDir()
	anchor := testCAFile(t, dir)
	run := func(name string, file []byte, mime string, trust bool) c2paVerdict {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{script, modules, path, mime}
		if trust {
			args = append(args, anchor)
		}
		cmd := exec.Command(node, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		out, err := cmd.Output()
		if err != nil {
			msg := stderr.String()
			if strings.Contains(msg, "ERR_MODULE_NOT_FOUND") || strings.Contains(msg, "ERR_DLOPEN_FAILED") || strings.Contains(msg, "Cannot find module") {
				t.Skipf("C2PA interop: the verifier does not load here (%v): %s", err, firstLine(msg))
			}
			t.Fatalf("verifier: %v\n%s", err, msg)
		}
		var v c2paVerdict
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("verifier output %q: %v", out, err)
		}
		t.Logf("%s (trust anchor %v, %.1fs): %s", name, trust, time.Since(start).Seconds(), strings.TrimSpace(string(out)))
		return v
	}
	requireTrusted := func(name string, v c2paVerdict) {
		t.Helper()
		if v.State != "Trusted" || len(v.Failure) > 0 {
			t.Errorf("%s: state %q, failures %v, want Trusted without failures", name, v.State, v.Failure)
		}
		for _, d := range v.IngredientDeltas {
			if f, _ := d["validationDeltas"].(map[string]any)["failure"].([]any); len(f) > 0 {
				t.Errorf("%s: ingredient failures %v", name, f)
			}
		}
	}
	requireCreated := func(name string, v c2paVerdict) {
		t.Helper()
		if !slices.ContainsFunc(v.Actions, func(a struct {
			Action            string `json:"action"`
			DigitalSourceType string `json:"digitalSourceType"`
		}) bool {
			return a.Action == ActionCreated && a.DigitalSourceType == DigitalSourceTrainedAlgorithmicMedia
		}) {
			t.Errorf("%s: no c2pa.created with trainedAlgorithmicMedia in %+v", name, v.Actions)
		}
	}

	jpg, err := SignJPEG(c2paRocketJPEG(t), aiManifest("rocket.jpg"), s)
	if err != nil {
		t.Fatal(err)
	}
	pngFile, err := SignPNG(c2paRocketPNG(t), aiManifest("rocket.png"), s)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, mime string
		file       []byte
	}{{"signed.jpg", "image/jpeg", jpg}, {"signed.png", "image/png", pngFile}} {
		v := run(c.name, c.file, c.mime, true)
		requireTrusted(c.name, v)
		requireCreated(c.name, v)
		if v.Manifests != 1 || !strings.HasPrefix(v.Title, "rocket.") {
			t.Errorf("%s: %d manifests, title %q", c.name, v.Manifests, v.Title)
		}
		// Without the anchor the only finding is the untrusted local CA.
		v = run("untrusted-"+c.name, c.file, c.mime, false)
		if v.State != "Valid" || !slices.Equal(v.Failure, []string{"signingCredential.untrusted"}) {
			t.Errorf("%s without anchor: state %q, failures %v; want Valid with only signingCredential.untrusted", c.name, v.State, v.Failure)
		}
		// One byte of image data changed.
		bad := bytes.Clone(c.file)
		bad[len(bad)-100] ^= 0x01
		v = run("tampered-"+c.name, bad, c.mime, true)
		if v.State != "Invalid" || !slices.Contains(v.Failure, "assertion.dataHash.mismatch") {
			t.Errorf("tampered %s: state %q, failures %v; want Invalid with assertion.dataHash.mismatch", c.name, v.State, v.Failure)
		}
		// Our verifier agrees.
		if r, _ := VerifyC2PA(bad, testRoots(t)); r.Valid {
			t.Errorf("tampered %s: VerifyC2PA says valid", c.name)
		}
	}

	// Re-signing chains the old store as the parentOf ingredient.
	edited, err := SignJPEG(jpg, Manifest{Title: "edited", Actions: []Action{{Action: ActionOpened}, {Action: ActionEdited, Description: "label stamped"}}}, s)
	if err != nil {
		t.Fatal(err)
	}
	v := run("resigned.jpg", edited, "image/jpeg", true)
	requireTrusted("resigned.jpg", v)
	if v.Manifests != 2 || v.Ingredients != 1 || len(v.IngredientDeltas) != 1 ||
		!strings.Contains(strings.Join(v.Success, ","), "assertion.dataHash.match") {
		t.Errorf("resigned.jpg: %+v", v)
	}
	// An edit of a person's file (no credentials of its own): c2pa.opened
	// of the parentOf ingredient, then c2pa.edited.
	person := c2paSmall(t, "jpeg")
	h := sha256.Sum256(person)
	personEdit, err := SignJPEG(c2paRocketJPEG(t), Manifest{Title: "edit.jpg",
		Actions:     []Action{{Action: ActionEdited, DigitalSourceType: DigitalSourceCompositeWithTrainedAlgorithmicMedia, SoftwareAgent: "Miaobi"}},
		Ingredients: []Ingredient{{Title: "photo.jpg", Format: "image/jpeg", Relationship: RelationParentOf, Hash: h[:]}}}, s)
	if err != nil {
		t.Fatal(err)
	}
	v = run("person-edit.jpg", personEdit, "image/jpeg", true)
	requireTrusted("person-edit.jpg", v)
	if len(v.Actions) != 2 || v.Actions[0].Action != ActionOpened || v.Actions[1].Action != ActionEdited || v.Ingredients != 1 {
		t.Errorf("person-edit.jpg: %+v", v)
	}
	// A store of several APP11 segments (a large chained ingredient).
	big, err := SignPNG(c2paSmall(t, "png"), Manifest{Title: strings.Repeat("大", 50000)}, s)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := ExtractC2PA(big)
	split, err := SignJPEG(c2paRocketJPEG(t), Manifest{Title: "split", Actions: []Action{{Action: ActionOpened}, {Action: ActionEdited}},
		Ingredients: []Ingredient{{Title: "big.png", Format: "image/png", Relationship: RelationParentOf, ManifestStore: store}}}, s)
	if err != nil {
		t.Fatal(err)
	}
	if segs, _ := jpegJUMBFSegments(split); len(segs) < 3 {
		t.Fatalf("only %d APP11 segments", len(segs))
	}
	v = run("split.jpg", split, "image/jpeg", true)
	requireTrusted("split.jpg", v)
	if v.Manifests != 2 {
		t.Errorf("split.jpg: %d manifests", v.Manifests)
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
