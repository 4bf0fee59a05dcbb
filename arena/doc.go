// Package arena asks people whether Miaobi is creative, and measures what
// can be measured without them. It is the studio's 擂台: blind rounds in
// which readers see poems on the same prompt with no hint of who wrote
// them, guess which a person wrote, pick the better one and score each 1–10;
// and the figures those answers give, per source, form and engine version.
//
// The parts:
//
//   - stats.go: the estimates — shares with Wilson intervals (how often a
//     source was taken for a person), means with t intervals (scores), and
//     Bradley–Terry strengths with Laplace intervals (pairwise preferences),
//     fitted by Newton's method on the aggregated win matrix, so 10,000
//     answers cost one pass to count and microseconds to fit.
//   - deal.go: which poems a reader sees — pairs and singles balanced over
//     forms, prompts and sources, never a poem (by its text) the reader has
//     seen before.
//   - results.go: answers → the tables and series the results page shows,
//     and the CSV export.
//   - chart.go: those series as SVG interval charts, drawn on the server so
//     the page needs no script to show them.
//
// Per work, the value traits and the Lovelace report are in arena/report,
// which needs the poem engine; this package needs nothing of Miaobi's, so
// the store can keep its types.
//
// The store keeps rounds, poems, deals and answers (store/arena.go); the
// studio builds rounds and answers readers (studio/arena.go); the server
// serves the pages and API (server/arena.go).
package arena
