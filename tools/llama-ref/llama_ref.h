// llama_ref's shared parts: the library's functions (pointers resolved once at start-up by
// llama_ref.c), the parsed options, the helpers every command uses, and the commands (one unit
// per kind: llama_ref_run.c runs the model, llama_ref_text.c its vocabulary and templates,
// llama_ref_quantize.c writes quantized files).
#pragma once
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gguf.h"
#include "llama.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the output files are written in the machine's byte order, which must be little-endian"
#endif

// Every library function used, resolved once at start-up; the pointer types come from the
// declarations in llama.h / ggml-backend.h, so a signature mismatch is a compile error.
#define LLAMA_REF_FUNCTIONS(X) \
    X(llama_log_set) X(llama_backend_init) X(llama_backend_free) X(ggml_backend_reg_count) \
    X(ggml_backend_load_all) X(llama_print_system_info) X(llama_model_default_params) \
    X(llama_context_default_params) X(llama_model_load_from_file) X(llama_model_free) \
    X(llama_init_from_model) X(llama_free) X(llama_n_ctx) X(llama_model_get_vocab) \
    X(llama_vocab_n_tokens) X(llama_vocab_bos) X(llama_vocab_is_eog) X(llama_model_n_embd) \
    X(llama_model_n_layer) X(llama_model_n_head) X(llama_model_n_head_kv) \
    X(llama_model_n_ctx_train) X(llama_model_desc) X(llama_batch_init) X(llama_batch_free) \
    X(llama_decode) X(llama_synchronize) X(llama_get_logits_ith) X(llama_get_memory) \
    X(llama_memory_clear) X(llama_tokenize) X(llama_token_to_piece) X(llama_vocab_get_attr) \
    X(llama_model_chat_template) X(llama_chat_apply_template) \
    X(gguf_init_from_file) X(gguf_free) X(gguf_get_alignment) \
    X(gguf_get_data_offset) X(gguf_get_n_tensors) X(gguf_get_tensor_name) X(gguf_find_tensor) \
    X(gguf_get_tensor_type) X(gguf_get_tensor_offset) X(gguf_get_tensor_size) \
    X(gguf_set_val_u32) X(gguf_set_tensor_type) X(gguf_get_meta_size) \
    X(gguf_get_meta_data) X(ggml_free) X(ggml_get_tensor) X(ggml_type_name) X(ggml_blck_size) \
    X(ggml_row_size) X(ggml_get_type_traits) X(ggml_quantize_free) \
    X(ggml_quantize_requires_imatrix) X(ggml_quantize_chunk) X(ggml_validate_row_data)

#define DECLARE_POINTER(name) extern __typeof__(&name) p_##name;
LLAMA_REF_FUNCTIONS(DECLARE_POINTER)
#undef DECLARE_POINTER

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

struct options {
    const char *command;
    const char *model, *out, *text, *texts, *lib, *in, *types, *template, *messages;
    int *tokens;
    int n_tokens;
    int threads, ctx, steps, prompt, gen, reps, warmup, ubatch, ftype;
    enum ggml_type kv;
    enum llama_flash_attn_type flash;
    bool all, bos, special, add_ass, ignore_eog, no_repack, verbose;
};

extern const char *g_partial_out;  // quantize's output while it is written: removed by fail()

// Errors: print and exit (2: the command line, 1: anything else).
__attribute__((noreturn, format(printf, 1, 2))) void usage_error(const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *fmt, ...);
void *xmalloc(size_t n);

struct llama_model *load_model(const struct options *o, bool vocab_only);
// A context holding `positions` tokens, taking batches of up to `batch` tokens.
struct llama_context *new_context(const struct options *o, struct llama_model *m, int positions, int batch);
int vocab_size(const struct llama_model *m);
void check_tokens(const struct options *o, int n_vocab);
// Decodes tokens[0..n) at positions pos0.. in one batch; logits for every position (all) or the last.
void decode(struct llama_context *c, const int *tokens, int n, int pos0, bool all);
const float *logits_row(struct llama_context *c, int i);
// The best id (the lowest among equal maxima, banned ids skipped) and its margin over the second-best logit.
int argmax(const float *l, int n, const bool *banned, float *margin);
FILE *open_out(const char *path);
void write_all(FILE *f, const char *path, const void *data, size_t size, size_t count);
void close_out(FILE *f, const char *path);
double now_s(void);  // the monotonic clock, seconds

int cmd_logits(const struct options *o);
int cmd_greedy(const struct options *o);
int cmd_bench(const struct options *o);
int cmd_serve(const struct options *o);
int cmd_tokenize(const struct options *o);
int cmd_pieces(const struct options *o);
int cmd_chat(const struct options *o);
int cmd_info(const struct options *o);
int cmd_quantize(const struct options *o);
