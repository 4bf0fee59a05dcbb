/*
 * Build-only stand-in for miniaudio.h, for building Ollama from the Go
 * module proxy (scripts/ollama.sh). The module leaves out llama.cpp's
 * vendored miniaudio, which only mtmd-helper.cpp uses, to decode audio
 * input for multimodal models. Miaobi's tests never send audio to Ollama,
 * so every function here refuses (returns an error) and nothing is
 * decoded. Written for Miaobi from the calls mtmd-helper.cpp makes; it
 * holds no code of miniaudio.
 */
#ifndef MIAOBI_MINIAUDIO_STANDIN_H
#define MIAOBI_MINIAUDIO_STANDIN_H

#include <stddef.h>
#include <stdint.h>

typedef int ma_result;
typedef uint32_t ma_uint32;
typedef uint64_t ma_uint64;

#define MA_SUCCESS 0
#define MA_NOT_IMPLEMENTED (-29)

typedef enum { ma_format_unknown = 0, ma_format_u8, ma_format_s16, ma_format_s24, ma_format_s32, ma_format_f32 } ma_format;
typedef enum { ma_encoding_format_unknown = 0, ma_encoding_format_wav } ma_encoding_format;

typedef struct { ma_format format; ma_uint32 channels; ma_uint32 sampleRate; } ma_decoder_config;
typedef struct { int unused; } ma_decoder;
typedef struct { ma_encoding_format encodingFormat; ma_format format; ma_uint32 channels; ma_uint32 sampleRate; } ma_encoder_config;
typedef struct { int unused; } ma_encoder;

static inline ma_decoder_config ma_decoder_config_init(ma_format f, ma_uint32 channels, ma_uint32 rate) {
    ma_decoder_config c; c.format = f; c.channels = channels; c.sampleRate = rate; return c;
}
static inline ma_result ma_decoder_init_memory(const void *data, size_t size, const ma_decoder_config *c, ma_decoder *d) {
    (void)data; (void)size; (void)c; (void)d; return MA_NOT_IMPLEMENTED;
}
static inline ma_result ma_decoder_get_length_in_pcm_frames(ma_decoder *d, ma_uint64 *n) {
    (void)d; if (n) *n = 0; return MA_NOT_IMPLEMENTED;
}
static inline ma_result ma_decoder_read_pcm_frames(ma_decoder *d, void *out, ma_uint64 count, ma_uint64 *read) {
    (void)d; (void)out; (void)count; if (read) *read = 0; return MA_NOT_IMPLEMENTED;
}
static inline ma_result ma_decoder_uninit(ma_decoder *d) { (void)d; return MA_SUCCESS; }

static inline ma_encoder_config ma_encoder_config_init(ma_encoding_format e, ma_format f, ma_uint32 channels, ma_uint32 rate) {
    ma_encoder_config c; c.encodingFormat = e; c.format = f; c.channels = channels; c.sampleRate = rate; return c;
}
static inline ma_result ma_encoder_init_file(const char *path, const ma_encoder_config *c, ma_encoder *e) {
    (void)path; (void)c; (void)e; return MA_NOT_IMPLEMENTED;
}
static inline ma_result ma_encoder_write_pcm_frames(ma_encoder *e, const void *in, ma_uint64 count, ma_uint64 *written) {
    (void)e; (void)in; (void)count; if (written) *written = 0; return MA_NOT_IMPLEMENTED;
}
static inline void ma_encoder_uninit(ma_encoder *e) { (void)e; }

#endif
