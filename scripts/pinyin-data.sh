#!/bin/sh
# Regenerates hanzi/data/pinyin-*.txt.gz from two MIT-licensed npm
# packages: pinyin@4.0.0 (hotoo/pinyin; its data is mozillazg's pinyin-data
# and phrase-pinyin-data) — every character's readings and 41 000 phrases —
# into pinyin-chars and pinyin-phrases; and pinyin-pro@3.29.4 — characters'
# readings, commonest first, and 4 000 common words with neutral tones —
# into pinyin-pro ("C\tchar\treadings", "P\tword\tsyllables").
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent pinyin@4.0.0 >/dev/null
tar xzf pinyin-4.0.0.tgz
cat > extract.js <<'JS'
const fs = require('fs');
const src = fs.readFileSync(process.argv[2], 'utf8');
const chars = [];
const re = /^dict\[0x([0-9a-f]+)\] = "([^"]*)";/gm;
let m;
while ((m = re.exec(src)) !== null) chars.push([parseInt(m[1], 16), m[2]]);
const start = src.indexOf('const phrases_dict = {');
const end = src.indexOf('\n};', start);
const phrases = new Function('return ' + src.slice(start + 'const phrases_dict = '.length, end + 2))();
fs.writeFileSync(process.argv[3], chars.map(([c, r]) => String.fromCodePoint(c) + '\t' + r).join('\n') + '\n');
fs.writeFileSync(process.argv[4], Object.keys(phrases).sort().map(k => k + '\t' + phrases[k].map(a => a[0]).join(' ')).join('\n') + '\n');
console.log(chars.length + ' characters, ' + Object.keys(phrases).length + ' phrases');
JS
node extract.js package/lib/cjs/pinyin.js chars.txt phrases.txt
gzip -9 -n -c chars.txt > "$repo/hanzi/data/pinyin-chars.txt.gz"
gzip -9 -n -c phrases.txt > "$repo/hanzi/data/pinyin-phrases.txt.gz"
npm pack --silent pinyin-pro@3.29.4 >/dev/null
mkdir pp && tar xzf pinyin-pro-3.29.4.tgz -C pp
cat > ppx.mjs <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const dir = process.argv[2];
const src = readFileSync(join(dir, 'dict1.mjs'), 'utf8');
const start = src.indexOf('const map = {');
const end = src.indexOf('\n};', start);
const map = new Function('return ' + src.slice(start + 'const map = '.length, end + 2))();
const lines = [];
for (const key of Object.keys(map)) for (const ch of map[key]) lines.push('C\t' + ch + '\t' + key);
for (const n of [2, 3, 4, 5]) {
  const d = (await import(pathToFileURL(join(dir, 'dict' + n + '.mjs')).href)).default;
  for (const k of Object.keys(d)) lines.push('P\t' + k + '\t' + d[k]);
}
writeFileSync(process.argv[3], lines.join('\n') + '\n');
console.log(lines.length + ' lines from pinyin-pro');
JS
node ppx.mjs "$tmp/pp/package/dist/esm/data" pp.txt
gzip -9 -n -c pp.txt > "$repo/hanzi/data/pinyin-pro.txt.gz"
