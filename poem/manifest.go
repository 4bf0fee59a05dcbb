package poem

import (
	"slices"

	"miaobi/lm"
)

// HeldOutForms are the forms whose held-out poems measure the models.
var HeldOutForms = map[string]bool{"五绝": true, "七绝": true, "五律": true, "七律": true}

// Manifest records how the shipped artefacts were made and how well the
// model does on held-out poems.
type Manifest struct {
	Corpus struct {
		Package    string `json:"package"`
		Version    string `json:"version"`
		Integrity  string `json:"integrity"`
		Poems      int    `json:"poems"`
		TrainPoems int    `json:"train_poems"`
		TestPoems  int    `json:"test_poems"` // held-out regulated poems scored below
		Split      string `json:"split"`
	} `json:"corpus"`
	Model struct {
		Kind      string       `json:"kind"`
		Order     int          `json:"order"`
		MinCount  []int        `json:"min_count"`
		Vocab     int          `json:"vocab"`
		NGrams    []int        `json:"ngrams"`
		Discounts [][3]float64 `json:"discounts"`
		// Perplexity of the held-out regulated poems (test split), over
		// every token after BOS and over characters only.
		HeldOutPerplexity     float64 `json:"held_out_perplexity"`
		HeldOutCharPerplexity float64 `json:"held_out_char_perplexity"`
		HeldOutTokens         int     `json:"held_out_tokens"`
		Bytes                 int64   `json:"bytes"`
	} `json:"model"`
	Guard struct {
		Items         uint64  `json:"items"`
		FalsePositive float64 `json:"false_positive"`
		Bytes         int64   `json:"bytes"`
	} `json:"guard"`
	Imagery struct {
		Chars   int   `json:"chars"`
		Related int   `json:"related"`
		Pairs   int   `json:"pairs"`
		Bytes   int64 `json:"bytes"`
	} `json:"imagery"`
	Frame struct {
		Season int   `json:"season_chars"`
		SWords int   `json:"season_words"`
		Role   int   `json:"role_chars"`
		Words  int   `json:"words"`
		Bytes  int64 `json:"bytes"`
	} `json:"frame"`
	Topic struct {
		Chars   int     `json:"chars"`
		Dim     int     `json:"dim"`
		Bytes   int64   `json:"bytes"`
		Seconds float64 `json:"seconds"`
	} `json:"topic"`
	// Habits records how the generator's stock runs were found (see
	// Habits) and what charging for them did to a sample of its poems.
	Habits struct {
		Runs     int     `json:"runs"`
		Sample   int     `json:"sample_poems"`
		Rounds   int     `json:"rounds"`
		MinPoems int     `json:"min_poems"`
		Penalty  float64 `json:"penalty_nats"`
		Bytes    int64   `json:"bytes"`
		Seconds  float64 `json:"seconds"`
		// Before and After measure another sample (other keywords and
		// seeds) without and with the habits charged.
		Before Repeats `json:"before"`
		After  Repeats `json:"after"`
		// Function holds how often poets and the generator (before the
		// charge) write each function character; see FunctionChars.
		Function []FunctionUse `json:"function_chars,omitempty"`
	} `json:"habits"`
	// Comparison holds the figures of every model trained by this run.
	Comparison      []ModelFigures `json:"comparison"`
	TrainingSeconds float64        `json:"training_seconds"`
	Machine         string         `json:"machine"`
	Created         string         `json:"created"`
}

// ModelFigures are one model's measured figures on the held-out poems.
type ModelFigures struct {
	Name                  string  `json:"name"`
	File                  string  `json:"file"`
	Parameters            string  `json:"parameters"`
	HeldOutPerplexity     float64 `json:"held_out_perplexity"`
	HeldOutCharPerplexity float64 `json:"held_out_char_perplexity"`
	Bytes                 int64   `json:"bytes"`
	TrainSeconds          float64 `json:"train_seconds"`
	// NextMicros is the mean time of one full next-character distribution.
	NextMicros float64 `json:"next_micros"`
}

// Reversed returns each sequence read right to left (BOS first and EOS
// last still), for the backward model.
func Reversed(seqs [][]lm.Token) [][]lm.Token {
	out := make([][]lm.Token, len(seqs))
	for i, s := range seqs {
		r := make([]lm.Token, len(s))
		copy(r, s)
		if len(r) > 2 {
			slices.Reverse(r[1 : len(r)-1])
		}
		out[i] = r
	}
	return out
}

// TrainForms are the forms the language model and the imagery learn from:
// regulated and old-style 诗 of five- and seven-character lines, and 词.
// 曲, 楚辞, 诗经 and 杂言 are left out: their colloquial or archaic diction
// (兮, 娘的, stage directions) is not what the generator should write.
var TrainForms = map[string]bool{"五绝": true, "七绝": true, "五律": true, "七律": true,
	"五言排律": true, "七言排律": true, "五古": true, "七古": true, "词": true}
