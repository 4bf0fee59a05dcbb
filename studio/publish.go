package studio

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/paint"
	"miaobi/poem"
	"miaobi/store"
)

// Publish writes the bundle of the current version: the poem text with
// its explicit label and AIGC sidecar, the painting with the poem
// inscribed and every label layer (its C2PA manifest lists who made which
// part and binds the poem text by hash), the recitation and the music when
// the person asked for them (recitation.mp3, music.mp3, labelled the same
// way; WAV without ffmpeg), the film when one was made (film.mp4: its
// manifest says which frames show which part and who wrote it), and
// metadata.json with the full history. The review must be ready, or ack
// must be true.
func (s *Studio) Publish(ctx context.Context, a Actor, id string, base int, ack bool) (*Work, error) {
	return s.publish(ctx, a, id, base, a.UserID, ack)
}

func (s *Studio) publish(ctx context.Context, a Actor, id string, base int, author string, ack bool) (*Work, error) {
	rev, err := s.Review(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !rev.Ready && !ack {
		return nil, fmt.Errorf("%w: the review asks you to look first: %s; publish with ack to go ahead", ErrInput, strings.Join(rev.Blocking, "; "))
	}
	w, vs, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if base > 0 && base != w.Head {
		return nil, fmt.Errorf("%w: you reviewed version %d but the work is at version %d now; review it again", ErrConflict, base, w.Head)
	}
	if rev.Version != w.Head {
		return nil, fmt.Errorf("%w: the work changed while it was being published (version %d, now %d); review it again", ErrConflict, rev.Version, w.Head)
	}
	b, err := s.bundle(ctx, w, c, rev)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("bundle-v%d.zip", vs.N+1)
	if err := s.Assets.Put(id, name, b); err != nil {
		return nil, err
	}
	return s.update(ctx, a, id, w.Head, author, "publish", "published "+name, StagePublish, func(_ *store.Work, c *Content) error {
		c.Bundle = name
		return nil
	})
}

// Metadata is metadata.json of a bundle.
type Metadata struct {
	Work      string            `json:"work"`
	Title     string            `json:"title"`
	Version   int               `json:"version"`
	Published string            `json:"published"`
	Brief     Brief             `json:"brief"`
	Lines     []string          `json:"lines"`
	Hands     []string          `json:"hands"`
	Share     Share             `json:"share"`
	Parts     []Part            `json:"parts"`
	History   []HistoryEntry    `json:"history"`
	Check     string            `json:"check"`
	Labels    Labels            `json:"labels"`
	Files     map[string]string `json:"files"` // name → SHA-256
}

// HistoryEntry is one version in metadata.json.
type HistoryEntry struct {
	N      int    `json:"n"`
	At     string `json:"at"`
	Author string `json:"author"`
	Action string `json:"action"`
	Note   string `json:"note"`
}

// labelledPoem is the bundle's poem.txt: the title, the poem, and the
// explicit AIGC label.
func labelledPoem(c *Content) (string, error) {
	return label.Text(c.Title+"\n\n"+poemText(c.Lines)+"\n", label.DefaultTextLabel, false)
}

func (s *Studio) bundle(ctx context.Context, w *store.Work, c *Content, rev *ReviewReport) ([]byte, error) {
	version := w.Head + 1
	pid := produceID(w.ID, version, c)
	files := map[string][]byte{}
	var order []string
	add := func(name string, b []byte) { files[name] = b; order = append(order, name) }

	labelled, err := labelledPoem(c)
	if err != nil {
		return nil, err
	}
	add("poem.txt", []byte(labelled))
	add("poem.txt.aigc.json", []byte(label.New(label.DefaultProducer, pid, hashHex([]byte(labelled))[:40]).JSON()+"\n"))
	if c.Painting != nil {
		img, err := s.rawPainting(w.ID, c.Painting)
		if err != nil {
			return nil, fmt.Errorf("studio: painting: %w", err)
		}
		ins := paint.Inscription{Title: c.Title, Lines: c.Lines, Signature: "妙笔", Seal: "妙笔"}
		prov := label.Provenance{
			ProduceID:   pid,
			Title:       "painting.png",
			Description: fmt.Sprintf("「%s」: poem and painting made in the Miaobi studio; %.0f%% of the text by the person", c.Title, 100*c.Share().Person),
			AIGenerated: true,
			Layers:      label.AllLayers,
			Signer:      s.Signer,
			History:     historyActions(c.Parts),
		}
		if c.Painting.IsPhoto() {
			// 题画: the person's photo, the file as received its parent.
			prov.Action = "c2pa.edited"
			prov.Description = fmt.Sprintf("「%s」 written on the person's photo in the Miaobi studio; %.0f%% of the text by the person", c.Title, 100*c.Share().Person)
			if prov.Ingredient, err = s.Assets.Get(w.ID, c.Painting.Upload); err == nil {
				err = paint.InscribePhoto(img, ins)
			}
		} else {
			err = paint.Inscribe(img, ins)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		h := sha256.Sum256([]byte(labelled))
		prov.Components = []c2pa.Ingredient{{Title: "poem.txt", Format: "text/plain", Relationship: c2pa.RelationComponentOf, Hash: h[:]}}
		png, err := label.Encode(img, "png", prov)
		if err != nil {
			return nil, err
		}
		add("painting.png", png)
	}
	sf, sorder, err := s.soundFiles(ctx, c, pid, []byte(labelled))
	if err != nil {
		return nil, fmt.Errorf("studio: sound: %w", err)
	}
	for _, n := range sorder {
		add(n, sf[n])
	}
	if c.Film != nil {
		// The film, signed from its working copy with the poem bound in.
		raw, err := s.Assets.Get(w.ID, c.Film.Raw)
		if err != nil {
			return nil, fmt.Errorf("studio: film: %w", err)
		}
		mp4, err := s.labelFilm(raw, c, c.Film, []byte(labelled))
		if err != nil {
			return nil, err
		}
		add("film.mp4", mp4)
	}
	// The value traits and the Lovelace report travel with the work.
	rep, err := s.report(ctx, w.ID, version, c, false)
	if err != nil {
		return nil, err
	}
	rj, _ := json.MarshalIndent(rep, "", "  ")
	add("report.json", append(rj, '\n'))
	vs, err := s.DB.Versions(ctx, w.ID)
	if err != nil {
		return nil, err
	}
	md := Metadata{Work: w.ID, Title: c.Title, Version: version, Published: time.Now().UTC().Format(time.RFC3339),
		Brief: c.Brief, Lines: c.Lines, Hands: c.Hands, Share: c.Share(), Parts: c.Parts, Check: rev.Check.Verdict,
		Labels: rev.Labels, Files: map[string]string{}}
	md.Labels.ProduceID = pid
	for _, v := range vs {
		md.History = append(md.History, HistoryEntry{N: v.N, At: time.UnixMilli(v.Created).UTC().Format(time.RFC3339), Author: v.Author, Action: v.Action, Note: v.Note})
	}
	for _, n := range order {
		md.Files[n] = hashHex(files[n])
	}
	mj, _ := json.MarshalIndent(md, "", "  ")
	add("metadata.json", append(mj, '\n'))

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range order {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: time.Unix(0, 0).UTC()})
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// poemText is the poem punctuated as poem.Poem.Text does it (，。 by
// couplet), one couplet per line.
func poemText(lines []string) string {
	return strings.TrimSuffix(strings.ReplaceAll((&poem.Poem{Lines: lines}).Text(), "。", "。\n"), "\n")
}

func hashHex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Asset returns a served asset of a work: working files (raw-*) are not
// served.
func (s *Studio) Asset(ctx context.Context, a Actor, id, name string) ([]byte, error) {
	if _, _, _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	if store.ValidName(name) != nil {
		return nil, fmt.Errorf("%w: asset name %q: use letters, digits, '.', '-' and '_'", ErrInput, name)
	}
	if strings.HasPrefix(name, "raw-") {
		return nil, fmt.Errorf("asset %q: %w", name, ErrNotFound)
	}
	b, err := s.Assets.Get(id, name)
	if err == store.ErrNotFound {
		return nil, fmt.Errorf("asset %q: %w", name, ErrNotFound)
	}
	return b, err
}
