package judge

import (
	"bytes"
	"encoding/json"
	"slices"
	"unicode/utf8"
)

// A parser of the corpus's JSON records, fast because it reads only the
// fields the index needs; it is fuzzed (FuzzParseRecord).

// parseRecord reads one corpus record (a JSON object) into rec. It takes
// only the plain shape the corpus writer produces and returns errSlowPath
// for anything else (nulls, keys that differ from a known one only in case,
// escapes in keys, bad UTF-8, …); whatever it accepts, encoding/json decodes
// into a corpus.Poem with the same values.
func parseRecord(data []byte, rec *rawPoem) error {
	*rec = rawPoem{lines: rec.lines[:0]}
	i := jsonSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errSlowPath
	}
	i = jsonSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			key, ni, ok := jsonString(data, i)
			if !ok || bytes.IndexByte(data[i:ni], '\\') >= 0 {
				return errSlowPath
			}
			i = jsonSpace(data, ni)
			if i >= len(data) || data[i] != ':' {
				return errSlowPath
			}
			i = jsonSpace(data, i+1)
			if f := fieldOf(rec, key); f != nil {
				v, ni, ok := jsonString(data, i)
				if !ok {
					return errSlowPath
				}
				*f, i = v, ni
			} else if slices.Contains(recordArrays, string(key)) {
				keep := string(key) == "lines"
				if keep {
					rec.lines = rec.lines[:0]
				}
				if i >= len(data) || data[i] != '[' {
					return errSlowPath
				}
				i = jsonSpace(data, i+1)
				if i < len(data) && data[i] == ']' {
					i++
				} else {
					for {
						v, ni, ok := jsonString(data, i)
						if !ok {
							return errSlowPath
						}
						if keep {
							rec.lines = append(rec.lines, v)
						}
						i = jsonSpace(data, ni)
						if i < len(data) && data[i] == ',' {
							i = jsonSpace(data, i+1)
							continue
						}
						if i < len(data) && data[i] == ']' {
							i++
							break
						}
						return errSlowPath
					}
				}
			} else {
				for _, k := range recordStrings {
					if bytes.EqualFold(key, []byte(k)) {
						return errSlowPath
					}
				}
				for _, k := range recordArrays {
					if bytes.EqualFold(key, []byte(k)) {
						return errSlowPath
					}
				}
				end, ok := jsonSkip(data, i)
				if !ok || !json.Valid(data[i:end]) {
					return errSlowPath
				}
				i = end
			}
			i = jsonSpace(data, i)
			if i < len(data) && data[i] == ',' {
				i = jsonSpace(data, i+1)
				continue
			}
			if i < len(data) && data[i] == '}' {
				i++
				break
			}
			return errSlowPath
		}
	}
	if jsonSpace(data, i) != len(data) {
		return errSlowPath
	}
	return nil
}

func fieldOf(rec *rawPoem, key []byte) *[]byte {
	switch string(key) {
	case "id":
		return &rec.id
	case "dynasty":
		return &rec.dynasty
	case "title":
		return &rec.title
	case "author":
		return &rec.author
	case "form":
		return &rec.form
	case "puncts":
		return &rec.puncts
	case "collection", "title_t", "author_t", "tune":
		return new([]byte)
	}
	return nil
}

func jsonSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonString reads the JSON string at data[i]: its value and the index after
// it. It refuses bad UTF-8 and lone surrogates, which encoding/json would
// replace, rather than decide them itself.
func jsonString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	start := i + 1
	esc := false
	j := start
	for ; j < len(data); j++ {
		c := data[j]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return nil, 0, false
		}
		if c == '\\' {
			esc = true
			j++
		}
	}
	if j >= len(data) {
		return nil, 0, false
	}
	raw := data[start:j]
	if !esc {
		if !utf8.Valid(raw) {
			return nil, 0, false
		}
		return raw, j + 1, true
	}
	out := make([]byte, 0, len(raw))
	for k := 0; k < len(raw); {
		c := raw[k]
		if c != '\\' {
			out = append(out, c)
			k++
			continue
		}
		if k+1 >= len(raw) {
			return nil, 0, false
		}
		switch raw[k+1] {
		case '"', '\\', '/':
			out = append(out, raw[k+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			c1, ok := jsonHex4(raw, k+2)
			if !ok {
				return nil, 0, false
			}
			k += 6
			if c1 >= 0xD800 && c1 < 0xDC00 {
				if k+1 >= len(raw) || raw[k] != '\\' || raw[k+1] != 'u' {
					return nil, 0, false
				}
				c2, ok := jsonHex4(raw, k+2)
				if !ok || c2 < 0xDC00 || c2 >= 0xE000 {
					return nil, 0, false
				}
				k += 6
				c1 = 0x10000 + (c1-0xD800)<<10 + (c2 - 0xDC00)
			} else if c1 >= 0xDC00 && c1 < 0xE000 {
				return nil, 0, false
			}
			out = utf8.AppendRune(out, c1)
			continue
		default:
			return nil, 0, false
		}
		k += 2
	}
	if !utf8.Valid(out) {
		return nil, 0, false
	}
	return out, j + 1, true
}

func jsonHex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var v rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// jsonSkip finds the end of the JSON value at data[i], not checking it.
func jsonSkip(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		_, end, ok := jsonString(data, i)
		return end, ok
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				_, end, ok := jsonString(data, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j, j > i
		}
		j++
	}
	return j, j > i
}
