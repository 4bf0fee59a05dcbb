package bench

import (
	"io"
)

const benchGuardHelp = `Usage: miaobi bench guard [flags]

Measures the guard on engine poems (what 'miaobi poem --engine' runs) without
an engine's own time: an in-process poet answers at once, in the shape a chat
model does (a preface, a title, the poem, a note). Its poems are held-out
(test split) regulated poems that keep the metre by the corpus's own
annotations, each with 1, 2 or 3 breaks injected (as 'bench mend' does: a
strict place flipped to the other tone, or a rhyme from another group). When
asked to mend its poem it sends the same poem back, so every break falls to
Miaobi's own repair: the hardest case. The poems are real, so their lines
are also copies of the corpus, which the guard must break; those changes are
counted apart from the metre's. Reports the share 合律 and original after
the guard, the metre changes against the breaks, and the guard's time.
Needs the corpus.

Flags:
`

func runBenchGuard(args []string, stdout, stderr io.Writer) int {
	return runBenchFix("guard", benchGuardHelp, true, args, stdout, stderr)
}
