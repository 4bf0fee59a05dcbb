package main

import (
	"bufio"
	ebin "encoding/binary"
	"fmt"
	"io"
	"math/rand"
	"os"
)

// A tiny language model for the Ollama test, written as GGUF (version 3)
// from the format's description: a one-block llama with random weights and
// a vocabulary of single characters. What it writes is nonsense, which is
// the point: the guard must still make a 合律 poem of it. The output rows
// of the byte and control tokens are zero, so that sampling mostly picks
// characters rather than stray bytes or the end.

// ggufKV is one metadata pair.
type ggufKV struct {
	key string
	val any // uint32, float32, string, bool, []string, []float32, []int32
}

// ggufTensor is one F32 tensor; dims are ne[0] (fastest) first.
type ggufTensor struct {
	name string
	dims []uint64
	data []float32
}

func ggufString(w io.Writer, s string) {
	ebin.Write(w, ebin.LittleEndian, uint64(len(s)))
	io.WriteString(w, s)
}

func ggufValue(w io.Writer, v any) error {
	le := ebin.LittleEndian
	switch x := v.(type) {
	case uint32:
		ebin.Write(w, le, uint32(4))
		ebin.Write(w, le, x)
	case int32:
		ebin.Write(w, le, uint32(5))
		ebin.Write(w, le, x)
	case float32:
		ebin.Write(w, le, uint32(6))
		ebin.Write(w, le, x)
	case bool:
		ebin.Write(w, le, uint32(7))
		b := uint8(0)
		if x {
			b = 1
		}
		ebin.Write(w, le, b)
	case string:
		ebin.Write(w, le, uint32(8))
		ggufString(w, x)
	case []string:
		ebin.Write(w, le, uint32(9))
		ebin.Write(w, le, uint32(8))
		ebin.Write(w, le, uint64(len(x)))
		for _, s := range x {
			ggufString(w, s)
		}
	case []float32:
		ebin.Write(w, le, uint32(9))
		ebin.Write(w, le, uint32(6))
		ebin.Write(w, le, uint64(len(x)))
		ebin.Write(w, le, x)
	case []int32:
		ebin.Write(w, le, uint32(9))
		ebin.Write(w, le, uint32(5))
		ebin.Write(w, le, uint64(len(x)))
		ebin.Write(w, le, x)
	default:
		return fmt.Errorf("gguf: no encoding for %T", v)
	}
	return nil
}

// writeGGUF writes the model file.
func writeGGUF(path string, kvs []ggufKV, tensors []ggufTensor) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	le := ebin.LittleEndian
	io.WriteString(w, "GGUF")
	ebin.Write(w, le, uint32(3))
	ebin.Write(w, le, uint64(len(tensors)))
	ebin.Write(w, le, uint64(len(kvs)))
	for _, kv := range kvs {
		ggufString(w, kv.key)
		if err := ggufValue(w, kv.val); err != nil {
			return err
		}
	}
	const align = 32
	var off uint64
	for _, t := range tensors {
		ggufString(w, t.name)
		ebin.Write(w, le, uint32(len(t.dims)))
		for _, d := range t.dims {
			ebin.Write(w, le, d)
		}
		ebin.Write(w, le, uint32(0)) // F32
		ebin.Write(w, le, off)
		off += uint64(4 * len(t.data))
		off = (off + align - 1) / align * align
	}
	if err := w.Flush(); err != nil {
		return err
	}
	pos, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	pad := (align - pos%align) % align
	w.Write(make([]byte, pad))
	for _, t := range tensors {
		ebin.Write(w, le, t.data)
		if n := (4 * len(t.data)) % align; n != 0 {
			w.Write(make([]byte, align-n))
		}
	}
	return w.Flush()
}

// tinyChars are the characters the tiny model writes.
const tinyChars = "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从知使点明几开长把第身已正心月风花雪山水江河湖海云烟雨露霜春秋冬夏夜晓晚朝暮灯火光影声香色红白青黄绿翠金玉石松竹梅兰菊柳桃李草木林叶枝根鸟燕雁鹤鱼马龙凤舟船桥楼台亭阁寺门窗城村路客人君友故乡归去来思愁梦醒醉酒茶琴诗书剑笛歌舞飞落开谢流照映望听寻问别离逢相送留独孤寒暖清深远近高低长短新旧千万一二三两半斜东西南北"

// writeTinyModel writes the tiny model's GGUF and returns how many tokens
// its vocabulary has.
func writeTinyModel(path string, seed int64) (int, error) {
	tokens := []string{"<unk>", "<s>", "</s>"}
	types := []int32{2, 3, 3}
	for b := 0; b < 256; b++ {
		tokens = append(tokens, fmt.Sprintf("<0x%02X>", b))
		types = append(types, 6)
	}
	seen := map[rune]bool{}
	for _, r := range tinyChars + "，。▁" {
		if !seen[r] {
			seen[r] = true
			tokens = append(tokens, string(r))
			types = append(types, 1)
		}
	}
	scores := make([]float32, len(tokens))
	for i := range scores {
		scores[i] = -float32(i)
	}
	const (
		embd, ff, heads, ctx = 64, 128, 4, 2048
	)
	v := uint64(len(tokens))
	rng := rand.New(rand.NewSource(seed))
	randn := func(n int, scale float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32(rng.NormFloat64() * scale)
		}
		return out
	}
	ones := func(n int) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = 1
		}
		return out
	}
	output := randn(embd*int(v), 0.5)
	for tok := 0; tok < 3+256; tok++ { // no bytes, no control tokens
		clear(output[tok*embd : (tok+1)*embd])
	}
	tensors := []ggufTensor{
		{"token_embd.weight", []uint64{embd, v}, randn(embd*int(v), 1)},
		{"blk.0.attn_norm.weight", []uint64{embd}, ones(embd)},
		{"blk.0.attn_q.weight", []uint64{embd, embd}, randn(embd*embd, 0.1)},
		{"blk.0.attn_k.weight", []uint64{embd, embd}, randn(embd*embd, 0.1)},
		{"blk.0.attn_v.weight", []uint64{embd, embd}, randn(embd*embd, 0.1)},
		{"blk.0.attn_output.weight", []uint64{embd, embd}, randn(embd*embd, 0.1)},
		{"blk.0.ffn_norm.weight", []uint64{embd}, ones(embd)},
		{"blk.0.ffn_gate.weight", []uint64{embd, ff}, randn(embd*ff, 0.1)},
		{"blk.0.ffn_up.weight", []uint64{embd, ff}, randn(embd*ff, 0.1)},
		{"blk.0.ffn_down.weight", []uint64{ff, embd}, randn(ff*embd, 0.1)},
		{"output_norm.weight", []uint64{embd}, ones(embd)},
		{"output.weight", []uint64{embd, v}, output},
	}
	kvs := []ggufKV{
		{"general.architecture", "llama"},
		{"general.name", "miaobi-tiny"},
		{"general.file_type", uint32(0)},
		{"llama.context_length", uint32(ctx)},
		{"llama.embedding_length", uint32(embd)},
		{"llama.block_count", uint32(1)},
		{"llama.feed_forward_length", uint32(ff)},
		{"llama.attention.head_count", uint32(heads)},
		{"llama.attention.head_count_kv", uint32(heads)},
		{"llama.rope.dimension_count", uint32(embd / heads)},
		{"llama.rope.freq_base", float32(10000)},
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"llama.vocab_size", uint32(v)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.unknown_token_id", uint32(0)},
		{"tokenizer.ggml.bos_token_id", uint32(1)},
		{"tokenizer.ggml.eos_token_id", uint32(2)},
		{"tokenizer.ggml.add_bos_token", true},
		{"tokenizer.ggml.add_eos_token", false},
	}
	return len(tokens), writeGGUF(path, kvs, tensors)
}
