#!/bin/sh
# Regenerates the paintings in this folder (run from the repository root
# after `make build`); the stylized photographs need photo/testdata.
set -e
M=bin/miaobi
G=docs/gallery
$M poem -k 春,柳,江 --form 五绝 --seed 2 | $M paint --poem - --size 1600x800 --seed 2 -o $G/spring-willows.jpg
$M poem -k 夏,荷,亭 --form 七绝 --seed 5 | $M paint --poem - --size 1600x800 --seed 5 -o $G/summer-pavilion.jpg
$M poem -k 秋,山,枫 --form 五律 --seed 1 | $M paint --poem - --size 1600x800 --seed 1 -o $G/autumn-mountains.jpg
$M poem -k 雪,江,舟 --form 五绝 --seed 7 | $M paint --poem - --size 1600x800 --seed 7 -o $G/snow-river.jpg
$M poem -k 月,夜,灯,楼 --form 七律 --seed 4 | $M paint --poem - --size 1600x800 --seed 4 -o $G/night-moon.jpg
$M poem -k 梅,雪 --form 词:如梦令 --seed 3 | $M paint --poem - --size 1600x800 --seed 3 -o $G/ci-plum.jpg
$M poem -k 江,柳,渔,雁 --form 七绝 --seed 8 | $M paint --poem - --scroll 8192x1024 --seed 8 -o /tmp/scroll-river.png
$M adjust /tmp/scroll-river.png --resize 3200x -o $G/scroll-river.jpg
# Stylized photographs (photo/testdata: public domain and CC0) and a 题画.
for s in ink sketch watercolor oil; do
	$M stylize --style $s photo/testdata/coffee.jpg -o $G/coffee-$s.jpg
	$M stylize --style $s photo/testdata/rocket.jpg -o $G/rocket-$s.jpg
done
$M inscribe photo/testdata/rocket.jpg --seed 3 -o $G/rocket-inscribed.jpg
