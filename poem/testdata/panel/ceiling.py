#!/usr/bin/env python3
"""How much could choosing among the generator's own variants gain?

Reads every panel under this directory (key.tsv, list.txt, ratings/*.tsv).
A *group* is one request — the same keywords, form and seed in one panel —
written by two or more variants of Miaobi's generator (the dev panels
compare variants side by side; the full panels have one). For each group it
takes each distinct poem's mean rating (the mean of the four scores over the
panel's raters) and reports:

  * the spread of those means within a group (standard deviation), and
  * the oracle gain: the best poem's mean minus the group's mean, i.e. what
    a reranker that knew the raters' verdict in advance would gain by
    choosing among the variants.

Standard library only: python3 poem/testdata/panel/ceiling.py
"""
import glob
import os
import re
import statistics as st
import sys

root = os.path.dirname(os.path.abspath(__file__))


def poems(listfile):
    out = {}
    text = open(listfile, encoding="utf-8").read()
    for m in re.finditer(r"(?m)^(\d+)\.\n((?:[^\n]+\n?)+)", text):
        out[int(m.group(1))] = "".join(m.group(2).split())
    return out


guesses = {"miaobi": [0, 0], "human": [0, 0]}  # ratings, of them guessed human


def ratings(d, source):
    sc = {}
    for r in glob.glob(os.path.join(d, "ratings", "*.tsv")):
        for row in open(r, encoding="utf-8"):
            f = row.rstrip("\n").split("\t")
            if len(f) >= 6 and f[0].isdigit() and int(f[0]) in source:
                sc.setdefault(int(f[0]), []).append(st.mean(float(x) for x in f[1:5]))
                g = guesses["human" if source[int(f[0])] == "human" else "miaobi"]
                g[0] += 1
                g[1] += f[5].strip().upper() == "H"
    return {i: st.mean(v) for i, v in sc.items()}


groups = []
for kf in sorted(glob.glob(os.path.join(root, "**", "key.tsv"), recursive=True)):
    d = os.path.dirname(kf)
    rows = [r.split("\t") for r in open(kf, encoding="utf-8").read().strip().split("\n")[1:]]
    source = {int(f[0]): f[1] for f in rows}
    text, score = poems(os.path.join(d, "list.txt")), ratings(d, source)
    g = {}
    for f in rows:
        i, src, form, origin = int(f[0]), f[1], f[2], f[3]
        if src == "human" or i not in score:
            continue
        request = (form, origin.split(" | ")[0])
        g.setdefault(request, {})[text.get(i, str(i))] = score[i]
    groups += [list(v.values()) for v in g.values() if len(v) >= 2]

if not groups:
    sys.exit("no panel with two variants of one request")
sd = [st.pstdev(v) for v in groups]
gain = [max(v) - st.mean(v) for v in groups]
best = [max(v) for v in groups]
se = st.pstdev(gain) / len(gain) ** 0.5
print(f"requests written by two or more variants: {len(groups)} "
      f"(variants per request: mean {st.mean(len(v) for v in groups):.2f})")
print(f"mean of the four scores, all variants:   {st.mean(st.mean(v) for v in groups):.2f}")
print(f"spread within a request (sd):            {st.mean(sd):.2f}")
print(f"oracle gain (best variant - mean):       {st.mean(gain):+.2f} ± {se:.2f}")
print(f"best variant's mean, over all requests:  {st.mean(best):.2f}")
print(f"requests whose best variant reaches 3.5: {sum(b >= 3.5 for b in best)} of {len(best)}")
for src, (n, h) in guesses.items():
    print(f"{src} poems' ratings guessing human:      {h} of {n} ({100 * h / n:.1f} %)")
