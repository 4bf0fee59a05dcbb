package c2pa

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"

	"miaobi/label/internal/mediatest"
)

// TestInterop checks files signed here with c2pa-rs, the reference
// implementation: Trusted with the local CA as trust anchor; Valid with
// only signingCredential.untrusted without it (expected: a local root is
// in no public trust list); the action c2pa.created with
// trainedAlgorithmicMedia; Invalid with assertion.dataHash.mismatch
// after one byte of image data changes; chained and multi-segment stores
// Trusted too.
func TestInterop(t *testing.T) {
	cn := mediatest.NeedC2PANode(t)
	s := testSigner(t)
	dir := t.TempDir()
	anchor := testCAFile(t, dir)
	run := func(name string, file []byte, mime string, trust bool) mediatest.Verdict {
		t.Helper()
		if trust {
			return cn.Verify(t, name, file, mime, anchor)
		}
		return cn.Verify(t, name, file, mime, "")
	}
	requireTrusted := func(name string, v mediatest.Verdict) {
		t.Helper()
		if v.State != "Trusted" || len(v.Failure) > 0 {
			t.Errorf("%s: state %q, failures %v, want Trusted without failures", name, v.State, v.Failure)
		}
		if f := v.IngredientFailures(); len(f) > 0 {
			t.Errorf("%s: ingredient failures %v", name, f)
		}
	}
	requireCreated := func(name string, v mediatest.Verdict) {
		t.Helper()
		if !v.Created() {
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
		if r, _ := Verify(bad, testRoots(t)); r.Valid {
			t.Errorf("tampered %s: Verify says valid", c.name)
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
	person := mediatest.Picture(t, "jpeg")
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
	big, err := SignPNG(mediatest.Picture(t, "png"), Manifest{Title: strings.Repeat("大", 50000)}, s)
	if err != nil {
		t.Fatal(err)
	}
	store, _ := Extract(big)
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
