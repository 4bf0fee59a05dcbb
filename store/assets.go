package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Assets keeps the files works make, one folder per work, under a root
// directory. Names are checked, so no name can reach outside its folder.
type Assets struct{ root string }

// NewAssets opens (and creates) the asset store at root.
func NewAssets(root string) (*Assets, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("store: assets: %w", err)
	}
	return &Assets{root: root}, nil
}

// ErrBadName means an asset or work name could reach outside the store.
var ErrBadName = errors.New("bad asset name: use letters, digits, '.', '-' and '_', not starting with '.'")

// ValidName checks an asset or work id: 1 to 100 of [A-Za-z0-9._-], not
// starting with a dot.
func ValidName(name string) error {
	if name == "" || len(name) > 100 || name[0] == '.' {
		return ErrBadName
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return ErrBadName
		}
	}
	return nil
}

func (a *Assets) path(workID, name string) (string, error) {
	if err := ValidName(workID); err != nil {
		return "", err
	}
	if err := ValidName(name); err != nil {
		return "", err
	}
	return filepath.Join(a.root, workID, name), nil
}

// Put writes an asset through a temporary file and a rename, so a crash
// never leaves half a file under the name.
func (a *Assets) Put(workID, name string, data []byte) error {
	p, err := a.path(workID, name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("store: put %s: %w", name, err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("store: put %s: %w", name, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("store: put %s: %w", name, err)
	}
	return nil
}

// Get reads an asset; ErrNotFound when there is none.
func (a *Assets) Get(workID, name string) ([]byte, error) {
	p, err := a.path(workID, name)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: get %s: %w", name, err)
	}
	return b, nil
}

// List names a work's assets.
func (a *Assets) List(workID string) ([]string, error) {
	if err := ValidName(workID); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(filepath.Join(a.root, workID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") && e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Remove deletes a work's folder and everything in it.
func (a *Assets) Remove(workID string) error {
	if err := ValidName(workID); err != nil {
		return err
	}
	if err := os.RemoveAll(filepath.Join(a.root, workID)); err != nil {
		return fmt.Errorf("store: remove %s: %w", workID, err)
	}
	return nil
}
