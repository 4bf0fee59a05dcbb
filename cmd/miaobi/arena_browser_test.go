package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"miaobi/arena"
	"miaobi/corpus"
	"miaobi/store"
)

// TestArenaBrowser plays a blind round of the real binary's arena in
// headless Chromium (e2e/arena.mjs): the administrator starts a round of
// held-out corpus poems against Miaobi's, a reader answers its 20 items
// while the test searches every page and API answer for the poems'
// sources, then sees the sources, fails to answer again and reads the
// results with their intervals. The studio's corpus is the arena's fixture
// of Tang poems; a second round of 10,000 stored poems is there to measure
// the play page's first paint. Screenshots go to $MIAOBI_E2E_ARENA_ARTIFACTS
// (default e2e/artifacts-arena).
func TestArenaBrowser(t *testing.T) {
	out := browserSetup(t, "MIAOBI_E2E_ARENA_ARTIFACTS", "artifacts-arena")
	home := t.TempDir()
	authors := arenaCorpusHome(t, home)
	const load = "负载 10k"
	seedLoadRound(t, home, load, 10000)
	srv := startStudio(t, home)
	// The corpus loads in the background: wait for it.
	for i := 0; i < 200 && !strings.Contains(srv.stderr.String(), "corpus loaded"); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	log := runBrowser(t, srv, "arena.mjs", out, 5*time.Minute, "MIAOBI_ARENA_LOAD="+load, "MIAOBI_ARENA_LEAKS="+strings.Join(authors, ","))
	if m := regexp.MustCompile(`first paint, .*`).FindString(log); m != "" {
		t.Log(m)
	}
}

// arenaCorpusHome installs arena/testdata/tang.jsonl as the corpus of a
// studio's data directory and returns the poems' authors.
func arenaCorpusHome(t *testing.T, home string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "arena", "testdata", "tang.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	path := corpus.DefaultPath(home)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var authors []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var p corpus.Poem
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		authors = append(authors, p.Author)
	}
	return authors
}

// seedLoadRound stores an open round of n distinct poems — lines of the
// fixture recombined — in the studio's SQLite database before it starts.
func seedLoadRound(t *testing.T, home, name string, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, "", home)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := &store.Round{Name: name, Size: 20, State: store.RoundOpen, CreatedBy: "test"}
	if err := db.CreateRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	five := []rune("山水云月风花雪夜江春秋天人归来孤舟远寒烟柳")
	seven := []rune("千里长河落日圆万家灯火照归船明月清风")
	rng := rand.New(rand.NewSource(1))
	line := func(alphabet []rune, k int) string {
		b := make([]rune, k)
		for i := range b {
			b[i] = alphabet[rng.Intn(len(alphabet))]
		}
		return string(b)
	}
	forms := []string{"五绝", "七绝", "五律", "七律"}
	sources := []string{"human", "miaobi"}
	poems := make([]arena.Poem, 0, n)
	for i := range n {
		form := forms[i%4]
		alpha, k, nl := five, 5, 4
		if form[0:3] == "七" {
			alpha, k = seven, 7
		}
		if strings.HasSuffix(form, "律") {
			nl = 8
		}
		lines := make([]string, nl)
		for j := range lines {
			lines[j] = line(alpha, k)
		}
		poems = append(poems, arena.Poem{Source: sources[(i/4)%2], Version: "load", Form: form, Prompt: fmt.Sprintf("题%d", i/8), Lines: lines})
	}
	if err := db.AddPoems(ctx, r.ID, poems); err != nil {
		t.Fatal(err)
	}
}
