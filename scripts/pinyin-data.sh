#!/bin/sh
# Regenerates hanzi/data/pinyin-*.txt.gz from two MIT-licensed npm
# packages: pinyin@4.0.0 (hotoo/pinyin; its data is mozillazg's pinyin-data
# and phrase-pinyin-data) — every character's readings and 41 000 phrases —
# into pinyin-chars and pinyin-phrases; and pinyin-pro@3.29.4 — characters'
# readings, commonest first, and 4 000 common words with neutral tones —
# into pinyin-pro ("C\tchar\treadings", "P\tword\tsyllables"); and
# @pinyin-pro/data@1.3.1 (ISC), pinyin-pro's 349 000-word dictionary, into
# pinyin-words: only the words whose reading differs from what the other
# two already give (the phrase's reading, or each character's commonest),
# about 30 000, since the rest would read the same.
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
npm pack --silent @pinyin-pro/data@1.3.1 >/dev/null
mkdir ppd && tar xzf pinyin-pro-data-1.3.1.tgz -C ppd
cat > words.js <<'JS'
const fs = require('fs');
const marks = { a: 'āáǎà', e: 'ēéěè', i: 'īíǐì', o: 'ōóǒò', u: 'ūúǔù', v: 'ǖǘǚǜ' };
const num = (p) => {
  let t = 5, out = '';
  for (const ch of p.trim()) {
    let plain = ch === 'ü' ? 'v' : ch;
    for (const [v, m] of Object.entries(marks)) { const i = m.indexOf(ch); if (i >= 0) { plain = v; t = i + 1; } }
    out += plain;
  }
  return out + t;
};
// Sandhi written into the data (一个 yí gè) is undone when read, as Go does.
const norm = (w, syl) => [...w].map((c, i) => c === '一' && syl[i].startsWith('yi') ? 'yi1' : c === '不' && syl[i].startsWith('bu') ? 'bu4' : syl[i]);
const first = new Map();
for (const l of fs.readFileSync('chars.txt', 'utf8').split('\n')) { const [c, r] = l.split('\t'); if (r) first.set(c, num(r.split(',')[0])); }
const phrases = new Map();
for (const l of fs.readFileSync('phrases.txt', 'utf8').split('\n')) { const [w, r] = l.split('\t'); if (r) phrases.set(w, r); }
for (const l of fs.readFileSync('pp.txt', 'utf8').split('\n')) {
  const [k, w, r] = l.split('\t');
  if (k === 'C' && r) first.set(w, num(r.split(' ')[0]));
  if (k === 'P' && r) phrases.set(w, r);
}
const words = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const w of Object.keys(words).sort()) {
  const r = words[w][0];
  const syl = norm(w, r.split(' ').map(num));
  if (syl.length !== [...w].length) continue;
  const had = phrases.has(w) ? norm(w, phrases.get(w).split(' ').map(num)) : [...w].map(c => first.get(c));
  if (syl.join(' ') !== had.join(' ')) out.push(w + '\t' + r);
}
fs.writeFileSync(process.argv[3], out.join('\n') + '\n');
console.log(out.length + ' of ' + Object.keys(words).length + ' words from @pinyin-pro/data');
JS
node words.js ppd/package/json/complete.json words.txt
gzip -9 -n -c words.txt > "$repo/hanzi/data/pinyin-words.txt.gz"
