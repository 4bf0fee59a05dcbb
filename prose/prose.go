// Package prose writes and rewrites prose, the text tasks beside the
// poems: summaries of long texts, short stories from keywords, and
// polishing or restyling a person's draft.
//
// Summaries work offline. Summarize is extractive: the text is split into
// sentences, each sentence is cut into words by gse (the pure-Go port of
// jieba's dictionary segmenter, with its embedded simplified-Chinese
// dictionary and stop words), and TextRank (Mihalcea & Tarau 2004) ranks
// the sentences by how much of their vocabulary the others share; the best
// are kept, in the text's order, up to a budget. The other tasks need a
// language model and go through package engine: Prompts build the requests
// (story, abstractive summary, polish in a style, 文言↔白话), and Diff
// shows a rewrite against the person's draft so that they accept it or
// not. Every text Miaobi gives back carries the GB 45438 text label
// (package label); that is done by the callers that write it out.
package prose
