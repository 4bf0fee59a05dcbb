# Miaobi — the two set-up commands are `make run` and `make test`.
GO ?= go
BIN := bin/miaobi

.PHONY: run demo test build deps fuzz bench corpus train fonts clean

build:
	$(GO) build -o $(BIN) ./cmd/miaobi

# The main job: the studio on 127.0.0.1:8080 with the embedded defaults
# (SQLite, embedded NATS, the shipped models). It prints the URL and, on the
# first run, the admin's password. Ctrl-C stops it.
run: build
	./$(BIN) serve

# The command-line tour: write poems with the embedded model, then check the
# sample poems with the embedded rhyme books.
demo: build
	./$(BIN) poem -k 灯,跳舞,翅膀 --n 2
	./$(BIN) check --color always examples/sample.txt || test $$? -eq 1

# The independent C2PA verifier the interop tests run (npm, about 96 MB).
C2PA_VERIFIER ?= $(HOME)/.cache/miaobi/c2pa-verifier
APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

# Installs what the tests need — Go modules, exiftool, ffmpeg, lame,
# PostgreSQL and Chromium (Debian), the C2PA verifier c2pa-node,
# playwright-core and the openai client (npm) — starts a private PostgreSQL
# (scripts/testdb.sh), builds a real Ollama from the Go module proxy once
# per machine (scripts/ollama.sh, about 9 minutes on 2 cores, then cached),
# then runs every test, the fuzz targets' seed corpora included. The tests
# never download the corpus.
test: deps
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); test -z "$$out" || { echo "gofmt: these files are not formatted:"; echo "$$out"; exit 1; }
	$(GO) vet ./...
	MIAOBI_TEST_POSTGRES=$$(scripts/testdb.sh) MIAOBI_TEST_OLLAMA=$$(scripts/ollama.sh) MIAOBI_C2PA_VERIFIER=$(C2PA_VERIFIER) $(GO) test -count=1 -timeout 30m ./...

deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 is needed: install it from https://go.dev/dl or your package manager"; exit 1; }
	@$(GO) version
	$(GO) mod download
	@# The Debian packages the tests use, installed in one go (with a fresh
	@# package list) when any is missing.
	@missing=""; \
	command -v exiftool >/dev/null || missing="$$missing libimage-exiftool-perl"; \
	command -v ffmpeg >/dev/null || missing="$$missing ffmpeg"; \
	command -v lame >/dev/null || missing="$$missing lame"; \
	command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	test -d /usr/share/fonts/opentype/noto || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(APT) update -q && DEBIAN_FRONTEND=noninteractive $(APT) install -y -q $$missing; \
	fi
	@test -f e2e/node_modules/playwright-core/package.json -a -f e2e/node_modules/openai/package.json || (cd e2e && npm ci --ignore-scripts --no-audit --no-fund)
	@test -f $(C2PA_VERIFIER)/node_modules/@contentauth/c2pa-node/package.json || { \
		mkdir -p $(C2PA_VERIFIER) && cd $(C2PA_VERIFIER) && npm init -y >/dev/null && \
		npm install --ignore-scripts --no-audit --no-fund @contentauth/c2pa-node@0.5.5; }

# A short fuzzing session of every fuzz target (not part of `make test`).
fuzz:
	$(GO) test ./prosody -run '^$$' -fuzz FuzzCheck -fuzztime 30s
	$(GO) test ./prosody -run '^$$' -fuzz FuzzParseUsage -fuzztime 30s
	$(GO) test ./hanzi -run '^$$' -fuzz FuzzConvert -fuzztime 30s
	$(GO) test ./corpus -run '^$$' -fuzz FuzzBuild -fuzztime 30s
	$(GO) test ./poem -run '^$$' -fuzz FuzzParseDraft -fuzztime 30s
	$(GO) test ./poem -run '^$$' -fuzz FuzzRequest -fuzztime 30s
	$(GO) test ./poem -run '^$$' -fuzz FuzzReadFrame -fuzztime 30s
	$(GO) test ./lm -run '^$$' -fuzz FuzzReadTopic -fuzztime 30s
	$(GO) test ./judge -run '^$$' -fuzz FuzzParseRatings -fuzztime 30s
	$(GO) test ./judge -run '^$$' -fuzz FuzzParseGuard -fuzztime 30s
	$(GO) test ./lm -run '^$$' -fuzz FuzzReadKN -fuzztime 30s
	$(GO) test ./lm -run '^$$' -fuzz FuzzReadNPLM -fuzztime 30s
	$(GO) test ./paint/glyph -run '^$$' -fuzz FuzzDecodeWOFF -fuzztime 30s
	$(GO) test ./paint/glyph -run '^$$' -fuzz FuzzParseGlyphSet -fuzztime 30s
	$(GO) test ./photo -run '^$$' -fuzz FuzzDecode -fuzztime 30s
	$(GO) test ./photo -run '^$$' -fuzz FuzzRead -fuzztime 30s
	$(GO) test ./label -run '^$$' -fuzz '^FuzzReadAIGC$$' -fuzztime 30s
	$(GO) test ./label -run '^$$' -fuzz FuzzReadMP4AIGC -fuzztime 30s
	$(GO) test ./label -run '^$$' -fuzz FuzzDecodeWAV -fuzztime 30s
	$(GO) test ./label -run '^$$' -fuzz FuzzReadAIGCWAV -fuzztime 30s
	$(GO) test ./label -run '^$$' -fuzz FuzzReadAIGCMP3 -fuzztime 30s
	$(GO) test ./label/c2pa -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime 30s
	$(GO) test ./label/c2pa -run '^$$' -fuzz FuzzParseJUMBF -fuzztime 30s
	$(GO) test ./label/c2pa -run '^$$' -fuzz FuzzDecodeCBOR -fuzztime 30s
	$(GO) test ./label/watermark -run '^$$' -fuzz FuzzDetectWatermark -fuzztime 30s
	$(GO) test ./judge -run '^$$' -fuzz FuzzParseRecord -fuzztime 30s
	$(GO) test ./judge -run '^$$' -fuzz FuzzParseLexicon -fuzztime 30s
	$(GO) test ./judge -run '^$$' -fuzz FuzzTasteUnmarshal -fuzztime 30s
	$(GO) test ./server -run '^$$' -fuzz FuzzDecodeJSON -fuzztime 30s
	$(GO) test ./engine -run '^$$' -fuzz FuzzParse -fuzztime 30s
	$(GO) test ./poem -run '^$$' -fuzz FuzzExtractPoem -fuzztime 30s
	$(GO) test ./studio -run '^$$' -fuzz FuzzUnderstand -fuzztime 30s
	$(GO) test ./server -run '^$$' -fuzz FuzzChatRequest -fuzztime 30s
	$(GO) test ./prose -run '^$$' -fuzz FuzzSummarize -fuzztime 30s
	$(GO) test ./sound -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime 30s
	$(GO) test ./sound -run '^$$' -fuzz FuzzReadMIDI -fuzztime 30s
	$(GO) test ./sound -run '^$$' -fuzz FuzzParseNotes -fuzztime 30s

# Fetch the real corpus (about 85 MB through npm) and measure the checker.
corpus: build
	./$(BIN) corpus fetch

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./prosody ./hanzi ./lm ./poem ./paint ./photo
	./$(BIN) bench check
	./$(BIN) bench poem
	@# The OpenCV anchor for the photo styles needs Debian's python3-opencv.
	-dpkg -s python3-opencv >/dev/null 2>&1 || apt-get install -y -q python3-opencv
	./$(BIN) bench paint
	./$(BIN) bench label
	./$(BIN) bench mend

# Retrain the poem model from the corpus into models/poem (needs 'make corpus').
train: build
	./$(BIN) train poem

# Rebuild the embedded fallback glyph set (paint/glyph/fonts/wenkai.glyphs) from
# LXGW WenKai Medium, fetched from npm.
fonts:
	rm -rf /tmp/miaobi-fonts && mkdir -p /tmp/miaobi-fonts
	cd /tmp/miaobi-fonts && npm pack --silent @fontsource/lxgw-wenkai@5.3.0 && tar xzf fontsource-lxgw-wenkai-5.3.0.tgz
	$(GO) run ./paint/internal/glyphgen -from /tmp/miaobi-fonts/package/files/lxgw-wenkai-latin-500-normal.woff -o paint/glyph/fonts/wenkai.glyphs

clean:
	rm -rf bin
