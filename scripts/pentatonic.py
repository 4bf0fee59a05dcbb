#!/usr/bin/env python3
"""Measures, from outside, how pentatonic a piece of music is.

aubio's note tracker (Debian: apt install aubio-tools) lists the notes it
hears in each WAV; this script sums the notes' durations by pitch class and
prints the share of note time that lies on the best-fitting pentatonic scale
(the pitch classes 0, 2, 4, 7, 9 above some root). The first 1.6 s (Miaobi's
rhythm cue) are skipped unless --all is given. A random chromatic melody
scores about 0.6 on this measure; see docs/sound.md.

    python3 scripts/pentatonic.py m.wav [more.wav ...] [--all]
"""
import collections
import subprocess
import sys

NAMES = "C C# D D# E F F# G G# A A# B".split()


def share(path, skip):
    out = subprocess.run(["aubionotes", "-i", path], capture_output=True, text=True, check=True).stdout
    dur = collections.Counter()
    notes = 0
    for line in out.splitlines():
        f = line.split()
        if len(f) != 3:
            continue
        midi, start, end = float(f[0]), float(f[1]), float(f[2])
        if start < skip:
            continue
        dur[int(round(midi)) % 12] += end - start
        notes += 1
    total = sum(dur.values())
    if total == 0:
        return notes, 0.0, "-"
    best, root = max((sum(dur[(r + k) % 12] for k in (0, 2, 4, 7, 9)) / total, r) for r in range(12))
    return notes, best, NAMES[root]


def main():
    files = [a for a in sys.argv[1:] if a != "--all"]
    skip = 0.0 if "--all" in sys.argv else 1.6
    if not files:
        sys.exit(__doc__)
    for f in files:
        n, s, root = share(f, skip)
        print(f"{f}: {n} notes, {100 * s:.1f} % of note time on the pentatonic scale of {root}")


if __name__ == "__main__":
    main()
