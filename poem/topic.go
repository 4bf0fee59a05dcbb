package poem

import (
	"math"

	"miaobi/lm"
)

// Weights of the topic space in the decoder's score: the pull of each
// character towards the keywords (per character, nats × cosine) and the
// weight of the whole poem's coherence in ranking finished candidates.
const (
	topicWeight     = 1.2
	coherenceWeight = 3.0
	// relatedWeight scales the bonus for the characters the corpus links
	// with a keyword's images (dev panel 2026-12-06: halving it and the
	// topic pull, −0.09; both off, −0.06).
	relatedWeight = 3
)

// topicVector is the poem's topic: the sum of the vectors of the keywords,
// their first images and the fixed text; nil when none is embedded.
func (e *Engine) topicVector(keywords []Keyword, fixed [][]rune) []float32 {
	topic := make([]float32, e.Topic.Dim)
	for _, k := range keywords {
		e.Topic.Sum(topic, []rune(k.Text))
		for i, img := range k.Images {
			if i < 3 {
				e.Topic.Sum(topic, []rune(img))
			}
		}
	}
	for _, l := range fixed {
		for _, r := range l {
			if r != 0 {
				e.Topic.Sum(topic, []rune{r})
			}
		}
	}
	var norm float64
	for _, v := range topic {
		norm += float64(v) * float64(v)
	}
	if norm == 0 {
		return nil
	}
	inv := float32(1 / math.Sqrt(norm))
	for d := range topic {
		topic[d] *= inv
	}
	return topic
}

// applyTopic adds to every line's bonus the pull of each character towards
// the poem's topic.
func (e *Engine) applyTopic(s *spec, keywords []Keyword) {
	if e.Topic == nil {
		return
	}
	topic := e.topicVector(keywords, s.fixed)
	if topic == nil {
		return
	}
	V := e.vocab.Size()
	pull := make([]float32, V)
	for t := 0; t < V; t++ {
		v := e.Topic.Vec(e.vocab.Rune(lm.Token(t)))
		if v == nil {
			continue
		}
		var dot float32
		for d := range v {
			dot += v[d] * topic[d]
		}
		pull[t] = topicWeight * dot
	}
	s.ensureBonus(V)
	for _, b := range s.bonus {
		for t := range b {
			b[t] += pull[t]
		}
	}
}
