package mediatest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"encoding/pem"
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
// MIAOBI_C2PA_VERIFIER at that directory or its node_modules; make test
// installs it there.
const c2paInstallHint = "mkdir -p /tmp/c2pa-verifier && cd /tmp/c2pa-verifier && npm init -y >/dev/null && " +
	"npm install --ignore-scripts --no-audit --no-fund @contentauth/c2pa-node@0.5.5"

//go:embed c2pa-verify.mjs
var verifyScript []byte

// C2PANode runs the independent verifier (and signer) c2pa-node.
type C2PANode struct {
	node, modules, dir string
}

// NeedC2PANode finds node and the c2pa-node modules, skipping the test
// when either is missing (failing under CI, where make test installs
// them).
func NeedC2PANode(t testing.TB) *C2PANode {
	t.Helper()
	skip := t.Skip
	if os.Getenv("CI") != "" {
		skip = t.Fatal
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("C2PA interop: node is not installed")
	}
	modules := verifierModules()
	if modules == "" {
		skip("C2PA interop: @contentauth/c2pa-node not found under $MIAOBI_C2PA_VERIFIER (default /tmp/c2pa-verifier); install it with: " + c2paInstallHint)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "c2pa-verify.mjs"), verifyScript, 0o644); err != nil {
		t.Fatal(err)
	}
	return &C2PANode{node: node, modules: modules, dir: dir}
}

// verifierModules finds the node_modules directory holding
// @contentauth/c2pa-node, or "".
func verifierModules() string {
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

// Verdict is what c2pa-verify.mjs prints for a file.
type Verdict struct {
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

// Created reports whether the manifest has the action c2pa.created with
// the digital source type trainedAlgorithmicMedia.
func (v Verdict) Created() bool {
	return slices.ContainsFunc(v.Actions, func(a struct {
		Action            string `json:"action"`
		DigitalSourceType string `json:"digitalSourceType"`
	}) bool {
		return a.Action == "c2pa.created" && a.DigitalSourceType == "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
	})
}

// IngredientFailures lists the validation failures c2pa-rs reports for
// ingredients.
func (v Verdict) IngredientFailures() []any {
	var out []any
	for _, d := range v.IngredientDeltas {
		if f, _ := d["validationDeltas"].(map[string]any)["failure"].([]any); len(f) > 0 {
			out = append(out, f...)
		}
	}
	return out
}

// Verify writes file to the node's directory as name and reads it with
// c2pa-rs, trusting the PEM certificate at anchor ("" for none).
func (c *C2PANode) Verify(t testing.TB, name string, file []byte, mime, anchor string) Verdict {
	t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{filepath.Join(c.dir, "c2pa-verify.mjs"), c.modules, path, mime}
	if anchor != "" {
		args = append(args, anchor)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(c.node, args...)
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		msg := stderr.String()
		if strings.Contains(msg, "ERR_MODULE_NOT_FOUND") || strings.Contains(msg, "ERR_DLOPEN_FAILED") || strings.Contains(msg, "Cannot find module") {
			first, _, _ := strings.Cut(strings.TrimSpace(msg), "\n")
			if os.Getenv("CI") != "" {
				t.Fatalf("C2PA interop: the verifier does not load (%v): %s", err, first)
			}
			t.Skipf("C2PA interop: the verifier does not load here (%v): %s", err, first)
		}
		t.Fatalf("verifier: %v\n%s", err, msg)
	}
	var v Verdict
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("verifier output %q: %v", out, err)
	}
	t.Logf("c2pa-node %s (%s, anchor %v, %.1fs): %s", name, mime, anchor != "", time.Since(start).Seconds(), strings.TrimSpace(string(out)))
	return v
}

// Path is where Verify wrote the file called name.
func (c *C2PANode) Path(name string) string { return filepath.Join(c.dir, name) }

// Sign signs a file with c2pa-rs (a c2pa.created action of
// trainedAlgorithmicMedia), with the given key and certificate chain,
// for checking that Miaobi reads what c2pa-rs writes.
func (c *C2PANode) Sign(t testing.TB, name string, file []byte, mime string, key *ecdsa.PrivateKey, chain []*x509.Certificate) []byte {
	t.Helper()
	pk8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var chainPEM []byte
	for _, cert := range chain {
		chainPEM = append(chainPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})...)
	}
	files := map[string][]byte{
		"sign.mjs": []byte(`import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [, , modules, inp, out, mime, cert, key] = process.argv;
const { Builder, LocalSigner } = await import(pathToFileURL(join(modules, '@contentauth/c2pa-node/dist/index.js')).href);
const signer = LocalSigner.newSigner(readFileSync(cert), readFileSync(key), 'es256');
const builder = Builder.withJson({ claim_generator_info: [{ name: 'c2pa-node', version: '0.5.5' }], title: 'by c2pa-rs',
  assertions: [{ label: 'c2pa.actions', data: { actions: [{ action: 'c2pa.created',
    digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia' }] } }] });
builder.sign(signer, { path: inp, mimeType: mime }, { path: out });
`),
		"chain.pem": chainPEM,
		"key.pem":   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8}),
		name:        file,
	}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(c.dir, n), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	outPath := filepath.Join(c.dir, "rs-"+name)
	cmd := exec.Command(c.node, filepath.Join(c.dir, "sign.mjs"), c.modules, filepath.Join(c.dir, name), outPath, mime,
		filepath.Join(c.dir, "chain.pem"), filepath.Join(c.dir, "key.pem"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("c2pa-node sign: %v\n%s", err, out)
	}
	b, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
