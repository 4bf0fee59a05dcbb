// Miaobi (妙笔): a self-hosted AIGC creative studio.
//
// Dependencies (each must earn its place; see THIRD_PARTY.md):
//   github.com/mozillazg/go-pinyin — modern Mandarin readings per character, the
//     basis of the 中华新韵 rhyme book (14 groups from pinyin finals). Pure Go, MIT.
//   golang.org/x/image — vector: anti-aliased polygon rasterisation for the
//     ink-wash painter (package paint); the standard library has none. Pure Go, BSD-3-Clause.
//   modernc.org/sqlite — the studio's default database, SQLite compiled to Go, so
//     'miaobi serve' needs no cgo and no database server. BSD-3-Clause.
//   github.com/jackc/pgx/v5 — the PostgreSQL driver (database/sql) behind
//     'miaobi serve --db postgres://…'. Pure Go, MIT.
//   github.com/nats-io/nats-server/v2, github.com/nats-io/nats.go — the job
//     queue: a NATS JetStream server embedded in 'miaobi serve' (durable
//     work-queue stream, redelivery after a crash), or an external one shared
//     with 'miaobi worker' processes. Pure Go, Apache-2.0.
//   golang.org/x/crypto — argon2id password hashing for studio accounts
//     (already required by nats-server). BSD-3-Clause.
//   github.com/openai/openai-go/v3 — the official OpenAI SDK: the one adapter for
//     every OpenAI-compatible engine (package engine), with its retries and
//     streaming. Pure Go, Apache-2.0.
//   github.com/ollama/ollama (package api) — Ollama's own client, for the
//     "ollama" engine kind; only api and the few packages it imports are
//     built, not the server. Pure Go, MIT.
//   github.com/go-ego/gse — Chinese word segmentation (jieba's method, pure Go,
//     embedded dictionary) for the offline summary (package prose). Apache-2.0.
//   github.com/sergi/go-diff — the diff of a polished draft. Pure Go, MIT.
//   github.com/prometheus/client_golang — the studio's Prometheus metrics (the
//     hand-written exposition it replaced kept the same names). Apache-2.0.
//   github.com/fxamacker/cbor/v2 — CBOR for C2PA (core deterministic encoding),
//     fuzzed and security-reviewed, replacing a hand-written codec. MIT.
//   github.com/veraison/go-cose — COSE_Sign1 for the C2PA claim signature,
//     replacing hand-written signing and verification. MPL-2.0.
//   golang.org/x/text — the GB 2312 code table (simplifiedchinese) that chooses the
//     fallback glyph set's characters (paint/internal/glyphgen). Pure Go, BSD-3-Clause.
module miaobi

go 1.26.0

require (
	github.com/fxamacker/cbor/v2 v2.10.0
	github.com/go-ego/gse v0.80.3
	github.com/gopxl/beep/v2 v2.1.1
	github.com/hajimehoshi/go-mp3 v0.3.4
	github.com/jackc/pgx/v5 v5.12.0
	github.com/mozillazg/go-pinyin v0.21.0
	github.com/nats-io/nats-server/v2 v2.15.2
	github.com/nats-io/nats.go v1.55.0
	github.com/ollama/ollama v0.17.4
	github.com/openai/openai-go/v3 v3.102.0
	github.com/prometheus/client_golang v1.25.0
	github.com/prometheus/client_model v0.6.3
	github.com/prometheus/common v0.72.0
	github.com/sergi/go-diff v1.4.5
	github.com/veraison/go-cose v1.3.0
	gitlab.com/gomidi/midi/v2 v2.3.16
	golang.org/x/crypto v0.58.0
	golang.org/x/image v0.48.0
	golang.org/x/sys v0.50.0
	golang.org/x/text v0.44.0
	golang.org/x/time v0.16.0
	gonum.org/v1/gonum v0.17.0
	modernc.org/sqlite v1.62.0
)

require (
	github.com/antithesishq/antithesis-sdk-go v0.8.0-default-no-op // indirect
	github.com/bahlo/generic-list-go v0.2.0 // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/buger/jsonparser v1.1.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/coder/websocket v1.8.15 // indirect
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/mailru/easyjson v0.7.7 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/minio/highwayhash v1.0.4 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/nats-io/jwt/v2 v2.8.2 // indirect
	github.com/nats-io/nkeys v0.4.16 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/tidwall/gjson v1.20.0 // indirect
	github.com/tidwall/match v1.1.1 // indirect
	github.com/tidwall/pretty v1.2.1 // indirect
	github.com/tidwall/sjson v1.2.5 // indirect
	github.com/vcaesar/cedar v0.20.2 // indirect
	github.com/wk8/go-ordered-map/v2 v2.1.8 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	golang.org/x/sync v0.25.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
	modernc.org/libc v1.80.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)
