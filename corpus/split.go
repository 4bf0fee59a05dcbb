package corpus

import "hash/fnv"

// Split names the part of the corpus a poem belongs to. The split is a pure
// function of the poem's ID, so every tool agrees on it without a file.
type Split uint8

const (
	// Train is for fitting the shipped models (85 %).
	Train Split = iota
	// Judge is held out from training and fits the judge language model that
	// measures fluency in benchmarks (10 %).
	Judge
	// Test is held out from both: human poems and titles for evaluation (5 %).
	Test
)

func (s Split) String() string {
	return [...]string{"train", "judge", "test"}[s]
}

// SplitOf returns the split of the poem with the given ID.
func SplitOf(id string) Split {
	h := fnv.New32a()
	h.Write([]byte(id))
	switch v := h.Sum32() % 20; {
	case v == 0:
		return Test
	case v <= 2:
		return Judge
	}
	return Train
}
