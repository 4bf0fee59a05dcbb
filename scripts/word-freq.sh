#!/bin/sh
# Regenerates hanzi/data/word-freq.txt.gz: how often each word of the
# pinyin data's phrases occurs in modern text, from the dictionary of
# cppjieba as the MIT-licensed Go module github.com/yanyiwu/gojieba v1.4.6
# ships it (deps/cppjieba/dict/jieba.dict.utf8: word, count, part of
# speech). Only the counts of words that the phrase data holds are kept;
# Pinyin uses them to choose between two cuts of prose into words that
# cover as much (他/处理/问题, not 他处/理/问题).
set -eu
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
go mod init tmp >/dev/null 2>&1
dir=$(GOFLAGS=-mod=mod go mod download -json github.com/yanyiwu/gojieba@v1.4.6 | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
dict="$dir/deps/cppjieba/dict/jieba.dict.utf8"
{
  zcat "$repo/hanzi/data/pinyin-phrases.txt.gz" "$repo/hanzi/data/pinyin-words.txt.gz" | cut -f1
  zcat "$repo/hanzi/data/pinyin-pro.txt.gz" | awk -F'\t' '$1=="P" {print $2}'
  grep -v '^#' "$repo/hanzi/data/pinyin-miaobi.txt" | cut -f1
} | sort -u > words.txt
awk 'NR==FNR {want[$1]=1; next} ($1 in want) {print $1 "\t" $2}' words.txt "$dict" | sort > freq.txt
gzip -9 -n -c freq.txt > "$repo/hanzi/data/word-freq.txt.gz"
echo "$(wc -l < freq.txt) of $(wc -l < words.txt) words have a count"
