#!/bin/sh
# Regenerates hanzi/data/pinyin-chars.txt.gz and pinyin-phrases.txt.gz from
# the npm package pinyin@4.0.0 (hotoo/pinyin, MIT; its data is mozillazg's
# pinyin-data and phrase-pinyin-data, MIT): every character's readings,
# commonest first, and the phrases whose readings differ from them.
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
