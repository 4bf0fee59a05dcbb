// Package poem writes classical Chinese poems — 五绝, 七绝, 五律, 七律,
// 藏头诗, 词 and 对联 — from keywords or from a person's draft, with the
// form's rules enforced while decoding rather than hoped for.
//
// The pipeline: keywords map to classical images (a hand-written modern →
// classical lexicon plus character links learned from the corpus, see
// Imagery); a plan gives the images to lines so the poem moves 起 → 承 →
// 转 → 合; a prosody.Template fixes each position's tone and the rhyme
// positions; a beam search over a character language model (package lm)
// fills the template, admitting only characters of the right tone (a 多音字
// only in a reading poets commonly give it), one rhyme family, no repeated
// character, and no run copied from a corpus line (judge.Guard). A frame
// learned from the corpus keeps the poem in one season, leans each line to
// its 起承转合 role and keeps words inside rhythmic units; a topic space
// (LSA) pulls characters towards the keywords; each line is pulled towards
// what the line before it spoke of; a backward model judges how each line
// leads into its last character, and one place earlier a lookahead asks
// whether a good rhyme word can still follow; the generator's own stock
// phrases (Habits, found by writing many poems) cost extra; the best
// candidates are polished with right context and ranked as whole poems by
// coherence.
// Every finished poem is confirmed 合律 by the prosody checker before it is
// returned. Revise and Alternatives decode with some
// positions locked by the person, so the human leads and the model fills in.
package poem
