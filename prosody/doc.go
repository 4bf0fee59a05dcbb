// Package prosody knows the sound of classical Chinese verse: the tone class
// (平/仄) and rhyme group of every character in three rhyme books (平水韵,
// 词林正韵, 中华新韵), the patterns of regulated verse (五绝, 七绝, 五律, 七律)
// and of 词 tunes, and a checker that reports where a poem keeps or breaks them.
//
// Poems come in as text (Scanner, ParsePoem) and go out as a Result with a
// verdict — 合律, 拗 (broken only where an accepted 拗救 repairs it) or 出律 —
// and a problem list that names the line, column and rule of each finding.
// A 多音字 is read as poets read it (Usage: counts from the corpus, and the
// words that decide a reading), so a line that keeps the form only by a
// reading nobody hears is 出律 (RuleRare, 僻读), and each line reports the
// reading the checker assumed.
package prosody
