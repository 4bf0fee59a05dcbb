// Package models holds the trained artefacts Miaobi ships, embedded in the
// binary so that it works offline from a fresh clone: models/poem holds the
// poem generator's forward and backward language models, originality guard,
// imagery map, frame and topic space, with the manifest that records how
// `miaobi train poem` made them.
package models

import (
	"embed"
	"io/fs"
)

//go:embed poem
var files embed.FS

// Poem returns the poem generator's artefacts.
func Poem() fs.FS {
	sub, err := fs.Sub(files, "poem")
	if err != nil {
		panic(err) // cannot happen: the directory is embedded
	}
	return sub
}
