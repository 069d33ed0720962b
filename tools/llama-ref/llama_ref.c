// llama_ref: llama.cpp as a reference engine for Vane's model tests and benchmarks. It opens
// llama.cpp's prebuilt library (build/llama-cpp/index.node, see ci/fetch-llama-cpp.sh) with
// dlopen and calls its C API through function pointers typed from llama.h, so no llama.cpp code
// is compiled or linked here. Subcommands: logits, greedy, tokenize, pieces, chat, bench, serve, info,
// quantize (see usage()); quantize writes a GGUF whose tensors llama.cpp's own quantizer (ggml) encoded.
// The library is a Node addon: its napi_* imports stay unresolved (RTLD_LAZY) and are never called.
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

#define DECLARE_POINTER(name) static __typeof__(&name) p_##name;
LLAMA_REF_FUNCTIONS(DECLARE_POINTER)
#undef DECLARE_POINTER

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static const char *USAGE =
    "usage: llama_ref <command> [options]\n"
    "\n"
    "commands:\n"
    "  logits   --model F --tokens 1,2,3 --out FILE [--all] [--threads N] [--ctx N] [--kv f16|f32]\n"
    "           decode the tokens in one batch; FILE gets int32 rows, int32 n_vocab, then rows*n_vocab\n"
    "           float32 (little-endian): the last position's logits, or every position's with --all\n"
    "  greedy   --model F --tokens 1,2,3 --n K --out FILE [--threads N] [--ctx N] [--kv f16|f32] [--ignore-eog]\n"
    "           prefill, then K greedy steps (argmax of the logits, ties to the lowest id); FILE gets\n"
    "           int32 K, K int32 token ids, K float32 margins (best minus second-best logit per step)\n"
    "  tokenize --model F --text T [--bos] [--special]\n"
    "  tokenize --model F --texts FILE [--bos] [--special]\n"
    "           print T's token ids, comma-separated (special tokens added with --bos; special-token\n"
    "           text parsed only with --special); FILE holds texts each ended by a NUL byte, and gets\n"
    "           one line of ids per text\n"
    "  pieces   --model F (--tokens 1,2,3 | --all) [--special]\n"
    "           one line per token: its attributes (llama_token_attr bits), 1 if it ends generation\n"
    "           else 0, and its piece (llama_token_to_piece) in hex, separated by spaces\n"
    "  chat     --messages FILE [--model F] [--template T] [--add-ass]\n"
    "           print llama_chat_apply_template's prompt for the messages (FILE: role, content, role,\n"
    "           content, ... each ended by a NUL byte); T is a built-in name or a Jinja template whose\n"
    "           markers pick one; without it the model's tokenizer.chat_template (or chatml)\n"
    "  bench    --model F --prompt P --gen G [--reps R] [--threads N] [--kv f16|f32] [--warmup W]\n"
    "           per rep (fresh KV cache): prefill P tokens (BOS, then ids 1..P-1 mod n_vocab) and G\n"
    "           single-token decode steps; prints one JSON line per rep\n"
    "  serve    --model F [--threads N] [--ctx N] [--kv f16|f32]\n"
    "           keep the model loaded for a benchmark driver: prints 'ready', then per stdin line\n"
    "           'K ID,ID,...' (a prompt) prefills on a cleared cache and takes K greedy steps (end of\n"
    "           generation never drawn), printing one JSON line: each token's arrival time in seconds\n"
    "           from the line's receipt, and the ids; an empty line or end of input ends it\n"
    "  info     --model F\n"
    "           print the model's sizes and llama.cpp's system info (the CPU features it uses)\n"
    "  quantize --in IN.gguf --out OUT.gguf --ftype ID --types FILE [--threads N]\n"
    "           copy IN to OUT with each tensor FILE names (lines 'tensor_name type_name', type names\n"
    "           as ggml spells them: q4_K, q8_0, iq4_xs, mxfp4, f16, ...) encoded by ggml_quantize_chunk\n"
    "           (no importance matrix); other tensors and all metadata kept, general.file_type = ID\n"
    "\n"
    "common options:\n"
    "  --lib PATH        llama.cpp's library (default: index.node next to this program)\n"
    "  --threads N       threads for prompt and generation, or for quantize (default 1)\n"
    "  --kv f16|f32      KV cache type (default f16, llama.cpp's default)\n"
    "  --flash auto|on|off  flash attention (default auto, llama.cpp's default)\n"
    "  --ubatch N        llama.cpp's physical batch size (default 512)\n"
    "  --no-repack       keep weights in the file's layout (no CPU repacking into extra buffer types)\n"
    "  --verbose         show llama.cpp's log (otherwise only its errors)\n"
    "exit status: 0 success, 1 failure, 2 usage error\n";

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

static void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("llama_ref: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(run llama_ref --help for usage)\n", stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

static const char *g_partial_out;  // quantize's output while it is written: removed by fail()

static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("llama_ref: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (g_partial_out) remove(g_partial_out);
    exit(EXIT_RUNTIME);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) fail("out of memory (%zu bytes)", n);
    return p;
}

// ---- argument parsing ----

static int parse_int(const char *opt, const char *s, long min, long max) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) usage_error("%s wants an integer in %ld..%ld, got '%s'", opt, min, max, s);
    return (int)v;
}

static void parse_tokens(struct options *o, const char *s) {
    int n = 1;
    for (const char *c = s; *c; c++) n += *c == ',';
    o->tokens = xmalloc(sizeof(int) * (size_t)n);
    o->n_tokens = 0;
    const char *p = s;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 0 || v > INT32_MAX || (*end && *end != ',')) usage_error("--tokens wants comma-separated token ids, got '%s'", s);
        o->tokens[o->n_tokens++] = (int)v;
        if (!*end) break;
        p = end + 1;
    }
}

// Which options each command takes besides --lib and --verbose (names framed by spaces).
static const char *allowed_options(const char *command) {
    static const char *table[][2] = {
        {"logits", " model threads tokens all ctx kv flash ubatch no-repack out "},
        {"greedy", " model threads tokens n ctx kv flash ubatch no-repack ignore-eog out "},
        {"tokenize", " model text texts bos special "},
        {"pieces", " model tokens all special "},
        {"chat", " model messages template add-ass "},
        {"bench", " model threads prompt gen reps warmup kv flash ubatch no-repack "},
        {"serve", " model threads ctx kv flash ubatch no-repack "},
        {"info", " model "},
        {"quantize", " in out ftype types threads "},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(table[i][0], command)) return table[i][1];
    return NULL;
}

static bool takes(const char *list, const char *name) {
    char framed[64];
    snprintf(framed, sizeof framed, " %s ", name);
    return strstr(list, framed) || !strcmp(name, "lib") || !strcmp(name, "verbose");
}

static struct options parse_args(int argc, char **argv) {
    struct options o = {0};
    o.threads = 1;
    o.reps = 1;
    o.warmup = 1;
    o.ubatch = 512;
    o.steps = -1;
    o.ftype = -1;
    o.kv = GGML_TYPE_F16;
    o.flash = LLAMA_FLASH_ATTN_TYPE_AUTO;
    if (argc < 2) usage_error("no command given");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(USAGE, stdout);
        exit(0);
    }
    o.command = argv[1];
    const char *list = allowed_options(o.command);
    if (!list) usage_error("unknown command '%s' (logits, greedy, tokenize, pieces, chat, bench, serve, info, quantize)", o.command);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2)) usage_error("unexpected argument '%s'", a);
        const char *name = a + 2;
        if (!takes(list, name)) usage_error("%s takes no option %s", o.command, a);
        bool flag = !strcmp(name, "all") || !strcmp(name, "bos") || !strcmp(name, "special") || !strcmp(name, "add-ass")
                || !strcmp(name, "ignore-eog") || !strcmp(name, "no-repack") || !strcmp(name, "verbose");
        if (flag) {
            if (!strcmp(name, "all")) o.all = true;
            else if (!strcmp(name, "bos")) o.bos = true;
            else if (!strcmp(name, "special")) o.special = true;
            else if (!strcmp(name, "add-ass")) o.add_ass = true;
            else if (!strcmp(name, "ignore-eog")) o.ignore_eog = true;
            else if (!strcmp(name, "no-repack")) o.no_repack = true;
            else o.verbose = true;
            continue;
        }
        if (i + 1 >= argc) usage_error("%s needs a value", a);
        const char *v = argv[++i];
        if (!strcmp(name, "model")) o.model = v;
        else if (!strcmp(name, "out")) o.out = v;
        else if (!strcmp(name, "text")) o.text = v;
        else if (!strcmp(name, "texts")) o.texts = v;
        else if (!strcmp(name, "template")) o.template = v;
        else if (!strcmp(name, "messages")) o.messages = v;
        else if (!strcmp(name, "in")) o.in = v;
        else if (!strcmp(name, "types")) o.types = v;
        else if (!strcmp(name, "ftype")) o.ftype = parse_int(a, v, 0, INT32_MAX);
        else if (!strcmp(name, "lib")) o.lib = v;
        else if (!strcmp(name, "tokens")) parse_tokens(&o, v);
        else if (!strcmp(name, "threads")) o.threads = parse_int(a, v, 1, 1024);
        else if (!strcmp(name, "ctx")) o.ctx = parse_int(a, v, 1, 1 << 24);
        else if (!strcmp(name, "n")) o.steps = parse_int(a, v, 0, 1 << 24);
        else if (!strcmp(name, "prompt")) o.prompt = parse_int(a, v, 1, 1 << 24);
        else if (!strcmp(name, "gen")) o.gen = parse_int(a, v, 0, 1 << 24);
        else if (!strcmp(name, "reps")) o.reps = parse_int(a, v, 1, 1 << 20);
        else if (!strcmp(name, "warmup")) o.warmup = parse_int(a, v, 0, 1 << 20);
        else if (!strcmp(name, "ubatch")) o.ubatch = parse_int(a, v, 1, 1 << 20);
        else if (!strcmp(name, "kv")) {
            if (!strcmp(v, "f16")) o.kv = GGML_TYPE_F16;
            else if (!strcmp(v, "f32")) o.kv = GGML_TYPE_F32;
            else usage_error("--kv wants f16 or f32, got '%s'", v);
        } else if (!strcmp(name, "flash")) {
            if (!strcmp(v, "auto")) o.flash = LLAMA_FLASH_ATTN_TYPE_AUTO;
            else if (!strcmp(v, "on")) o.flash = LLAMA_FLASH_ATTN_TYPE_ENABLED;
            else if (!strcmp(v, "off")) o.flash = LLAMA_FLASH_ATTN_TYPE_DISABLED;
            else usage_error("--flash wants auto, on or off, got '%s'", v);
        } else usage_error("%s takes no option %s", o.command, a);
    }
    if (!strcmp(o.command, "quantize")) {
        if (!o.in) usage_error("quantize needs --in FILE");
        if (!o.out) usage_error("quantize needs --out FILE");
        if (!o.types) usage_error("quantize needs --types FILE");
        if (o.ftype < 0) usage_error("quantize needs --ftype ID (llama.cpp's file type, written as general.file_type)");
        return o;
    }
    if (!strcmp(o.command, "chat")) {
        if (!o.messages) usage_error("chat needs --messages FILE");
        if (!o.model && !o.template) usage_error("chat needs --template T or --model FILE (whose chat template is used)");
        return o;
    }
    if (!o.model) usage_error("%s needs --model FILE", o.command);
    bool needs_tokens = !strcmp(o.command, "logits") || !strcmp(o.command, "greedy");
    if (needs_tokens && !o.tokens) usage_error("%s needs --tokens ID,ID,...", o.command);
    if (needs_tokens && !o.out) usage_error("%s needs --out FILE", o.command);
    if (!strcmp(o.command, "greedy") && o.steps < 0) usage_error("greedy needs --n K (the number of steps)");
    if (!strcmp(o.command, "tokenize") && !o.text == !o.texts) usage_error("tokenize needs --text T or --texts FILE (one of them)");
    if (!strcmp(o.command, "pieces") && !o.tokens == !o.all) usage_error("pieces needs --tokens ID,ID,... or --all (one of them)");
    if (!strcmp(o.command, "bench") && !o.prompt) usage_error("bench needs --prompt P");
    if (!strcmp(o.command, "bench") && !o.gen) usage_error("bench needs --gen G (at least 1)");
    return o;
}

// ---- the library ----

static bool g_verbose;
static enum ggml_log_level g_last_level = GGML_LOG_LEVEL_NONE;

// Shows errors only (unless --verbose); a CONT piece belongs to the message before it.
static void log_callback(enum ggml_log_level level, const char *text, void *user_data) {
    (void)user_data;
    if (level != GGML_LOG_LEVEL_CONT) g_last_level = level;
    if (g_verbose || g_last_level >= GGML_LOG_LEVEL_ERROR) fputs(text, stderr);
}

// index.node next to this program (its path from /proc/self/exe).
static char *default_lib_path(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) fail("cannot find this program's path (/proc/self/exe): pass --lib PATH");
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    size_t len = strlen(exe) + sizeof "/index.node";
    char *path = xmalloc(len);
    snprintf(path, len, "%s/index.node", exe);
    return path;
}

static void open_library(const struct options *o) {
    char *path = o->lib ? (char *)o->lib : default_lib_path();
    void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
    if (!h) fail("cannot open llama.cpp's library %s (%s): run ci/fetch-llama-cpp.sh, or pass --lib PATH", path, dlerror());
    void *sym;
#define RESOLVE(name) \
    if (!(sym = dlsym(h, #name))) fail("llama.cpp's library %s has no function " #name, path); \
    p_##name = (__typeof__(&name))sym;
    LLAMA_REF_FUNCTIONS(RESOLVE)
#undef RESOLVE
    g_verbose = o->verbose;
    p_llama_log_set(log_callback, NULL);
    p_llama_backend_init();
    if (p_ggml_backend_reg_count() == 0) p_ggml_backend_load_all();  // a build with backends as modules
    if (p_ggml_backend_reg_count() == 0) fail("llama.cpp's library %s registers no backend", path);
}

static struct llama_model *load_model(const struct options *o, bool vocab_only) {
    struct llama_model_params mp = p_llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.vocab_only = vocab_only;
    if (o->no_repack) mp.use_extra_bufts = false;
    struct llama_model *m = p_llama_model_load_from_file(o->model, mp);
    if (!m) fail("llama.cpp cannot load the model %s (run with --verbose for its log)", o->model);
    return m;
}

// A context holding `positions` tokens, taking batches of up to `batch` tokens.
static struct llama_context *new_context(const struct options *o, struct llama_model *m, int positions, int batch) {
    int n_ctx = o->ctx ? o->ctx : positions;
    if (n_ctx < positions) fail("--ctx %d is shorter than the %d positions this run needs", n_ctx, positions);
    struct llama_context_params cp = p_llama_context_default_params();
    cp.n_ctx = (uint32_t)n_ctx;
    cp.n_batch = (uint32_t)(batch > 0 ? batch : 1);
    cp.n_ubatch = (uint32_t)(o->ubatch < batch ? o->ubatch : batch > 0 ? batch : 1);
    cp.n_seq_max = 1;
    cp.n_threads = o->threads;
    cp.n_threads_batch = o->threads;
    cp.type_k = o->kv;
    cp.type_v = o->kv;
    cp.flash_attn_type = o->flash;
    cp.no_perf = true;
    struct llama_context *c = p_llama_init_from_model(m, cp);
    if (!c) fail("llama.cpp cannot create a context of %d positions (run with --verbose for its log)", n_ctx);
    if ((int)p_llama_n_ctx(c) < positions) fail("llama.cpp made a context of %u positions, fewer than %d", p_llama_n_ctx(c), positions);
    return c;
}

static int vocab_size(const struct llama_model *m) {
    return p_llama_vocab_n_tokens(p_llama_model_get_vocab(m));
}

static void check_tokens(const struct options *o, int n_vocab) {
    for (int i = 0; i < o->n_tokens; i++)
        if (o->tokens[i] >= n_vocab) usage_error("token id %d (at %d) is outside the vocabulary of %d", o->tokens[i], i, n_vocab);
}

// Decodes tokens[0..n) at positions pos0.. in one batch; outputs logits for every position
// (all) or the last only.
static void decode(struct llama_context *c, const int *tokens, int n, int pos0, bool all) {
    struct llama_batch b = p_llama_batch_init(n, 0, 1);
    b.n_tokens = n;
    for (int i = 0; i < n; i++) {
        b.token[i] = tokens[i];
        b.pos[i] = pos0 + i;
        b.n_seq_id[i] = 1;
        b.seq_id[i][0] = 0;
        b.logits[i] = all || i == n - 1;
    }
    int rc = p_llama_decode(c, b);
    p_llama_batch_free(b);
    if (rc != 0) fail("llama_decode of %d tokens at position %d returned %d", n, pos0, rc);
}

static const float *logits_row(struct llama_context *c, int i) {
    const float *l = p_llama_get_logits_ith(c, i);
    if (!l) fail("llama.cpp has no logits for output %d", i);
    return l;
}

static FILE *open_out(const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f) fail("cannot write %s: %s", path, strerror(errno));
    return f;
}

static void write_all(FILE *f, const char *path, const void *data, size_t size, size_t count) {
    if (fwrite(data, size, count, f) != count) fail("cannot write %s: %s", path, strerror(errno));
}

static void close_out(FILE *f, const char *path) {
    if (fclose(f) != 0) fail("cannot write %s: %s", path, strerror(errno));
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// ---- commands ----

static int cmd_logits(const struct options *o) {
    struct llama_model *m = load_model(o, false);
    int32_t n_vocab = vocab_size(m);
    check_tokens(o, n_vocab);
    struct llama_context *c = new_context(o, m, o->n_tokens, o->n_tokens);
    decode(c, o->tokens, o->n_tokens, 0, o->all);
    int32_t rows = o->all ? o->n_tokens : 1;
    FILE *f = open_out(o->out);
    write_all(f, o->out, &rows, sizeof rows, 1);
    write_all(f, o->out, &n_vocab, sizeof n_vocab, 1);
    for (int r = 0; r < rows; r++) write_all(f, o->out, logits_row(c, o->all ? r : -1), sizeof(float), (size_t)n_vocab);
    close_out(f, o->out);
    p_llama_free(c);
    p_llama_model_free(m);
    return 0;
}

// The best id (the lowest among equal maxima) and its margin over the second-best logit.
static int argmax(const float *l, int n, const bool *banned, float *margin) {
    int best = -1;
    float top = -INFINITY, second = -INFINITY;
    for (int i = 0; i < n; i++) {
        if (isnan(l[i])) fail("llama.cpp's logits hold NaN (id %d)", i);
        if (banned && banned[i]) continue;
        if (best < 0 || l[i] > top) {
            if (best >= 0) second = top;
            top = l[i];
            best = i;
        } else if (l[i] > second) {
            second = l[i];
        }
    }
    if (best < 0) fail("every token is banned");
    *margin = top - second;
    return best;
}

static int cmd_greedy(const struct options *o) {
    struct llama_model *m = load_model(o, false);
    const struct llama_vocab *vocab = p_llama_model_get_vocab(m);
    int32_t n_vocab = vocab_size(m);
    check_tokens(o, n_vocab);
    bool *banned = NULL;
    if (o->ignore_eog) {
        banned = xmalloc((size_t)n_vocab);
        for (int i = 0; i < n_vocab; i++) banned[i] = p_llama_vocab_is_eog(vocab, i);
    }
    int32_t k = o->steps;
    int positions = o->n_tokens + (k > 0 ? k - 1 : 0);
    struct llama_context *c = new_context(o, m, positions, o->n_tokens);
    int32_t *ids = xmalloc(sizeof(int32_t) * (size_t)k);
    float *margins = xmalloc(sizeof(float) * (size_t)k);
    decode(c, o->tokens, o->n_tokens, 0, false);
    for (int s = 0; s < k; s++) {
        ids[s] = argmax(logits_row(c, -1), n_vocab, banned, &margins[s]);
        if (s + 1 < k) decode(c, &ids[s], 1, o->n_tokens + s, false);
    }
    FILE *f = open_out(o->out);
    write_all(f, o->out, &k, sizeof k, 1);
    write_all(f, o->out, ids, sizeof(int32_t), (size_t)k);
    write_all(f, o->out, margins, sizeof(float), (size_t)k);
    close_out(f, o->out);
    p_llama_free(c);
    p_llama_model_free(m);
    return 0;
}

// The whole of a file (NUL bytes included); *size gets its length.
static char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) fail("cannot read %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *data = xmalloc(cap);
    for (;;) {
        n += fread(data + n, 1, cap - n, f);
        if (n < cap) break;
        cap *= 2;
        data = realloc(data, cap);
        if (!data) fail("out of memory reading %s", path);
    }
    if (ferror(f)) fail("cannot read %s: %s", path, strerror(errno));
    fclose(f);
    *size = n;
    return data;
}

// Splits data[0..size) at NUL bytes into *count strings (pointers into data); the last must end in NUL.
static char **split_nul(char *data, size_t size, const char *path, size_t *count) {
    if (size > 0 && data[size - 1] != 0) usage_error("%s does not end with a NUL byte (every text must)", path);
    size_t n = 0;
    for (size_t i = 0; i < size; i++) n += data[i] == 0;
    char **parts = xmalloc(sizeof(char *) * (n ? n : 1));
    size_t k = 0;
    for (size_t i = 0; i < size; i += strlen(data + i) + 1) parts[k++] = data + i;
    *count = n;
    return parts;
}

static void print_ids(const struct llama_vocab *vocab, const char *text, bool bos, bool special) {
    size_t len = strlen(text);
    if (len > INT32_MAX / 2) usage_error("a text is too long");
    int32_t cap = (int32_t)len + 8;
    int32_t *ids = xmalloc(sizeof(int32_t) * (size_t)cap);
    int32_t n = p_llama_tokenize(vocab, text, (int32_t)len, ids, cap, bos, special);
    if (n < 0 && n != INT32_MIN) {
        cap = -n;
        ids = realloc(ids, sizeof(int32_t) * (size_t)cap);
        if (!ids) fail("out of memory");
        n = p_llama_tokenize(vocab, text, (int32_t)len, ids, cap, bos, special);
    }
    if (n < 0) fail("llama_tokenize failed (%d)", n);
    for (int i = 0; i < n; i++) printf(i ? ",%d" : "%d", ids[i]);
    putchar('\n');
    free(ids);
}

static int cmd_tokenize(const struct options *o) {
    struct llama_model *m = load_model(o, true);
    const struct llama_vocab *vocab = p_llama_model_get_vocab(m);
    if (o->text) {
        print_ids(vocab, o->text, o->bos, o->special);
    } else {
        size_t size, count;
        char *data = read_file(o->texts, &size);
        char **texts = split_nul(data, size, o->texts, &count);
        for (size_t i = 0; i < count; i++) print_ids(vocab, texts[i], o->bos, o->special);
        free(texts);
        free(data);
    }
    p_llama_model_free(m);
    return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

static int cmd_pieces(const struct options *o) {
    struct llama_model *m = load_model(o, true);
    const struct llama_vocab *vocab = p_llama_model_get_vocab(m);
    int n_vocab = vocab_size(m);
    check_tokens(o, n_vocab);
    int n = o->all ? n_vocab : o->n_tokens;
    char buf[4096];
    for (int i = 0; i < n; i++) {
        int id = o->all ? i : o->tokens[i];
        int32_t len = p_llama_token_to_piece(vocab, id, buf, (int32_t)sizeof buf, 0, o->special);
        if (len < 0) fail("token %d's piece is longer than %zu bytes", id, sizeof buf);
        printf("%d %d ", (int)p_llama_vocab_get_attr(vocab, id), p_llama_vocab_is_eog(vocab, id) ? 1 : 0);
        for (int32_t k = 0; k < len; k++) printf("%02x", (unsigned char)buf[k]);
        putchar('\n');
    }
    p_llama_model_free(m);
    return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

static int cmd_chat(const struct options *o) {
    size_t size, count;
    char *data = read_file(o->messages, &size);
    char **parts = split_nul(data, size, o->messages, &count);
    if (count % 2) usage_error("%s holds %zu strings, not role/content pairs", o->messages, count);
    size_t n_msg = count / 2;
    struct llama_chat_message *chat = xmalloc(sizeof *chat * (n_msg ? n_msg : 1));
    for (size_t i = 0; i < n_msg; i++) chat[i] = (struct llama_chat_message){parts[2 * i], parts[2 * i + 1]};
    struct llama_model *m = o->model ? load_model(o, true) : NULL;
    const char *tmpl = o->template ? o->template : p_llama_model_chat_template(m, NULL);
    int32_t len = p_llama_chat_apply_template(tmpl, chat, n_msg, o->add_ass, NULL, 0);
    if (len < 0) fail("llama_chat_apply_template recognises no built-in template in %s", o->template ? "--template" : "the model's chat template");
    char *out = xmalloc((size_t)len + 1);
    if (p_llama_chat_apply_template(tmpl, chat, n_msg, o->add_ass, out, len + 1) != len) fail("llama_chat_apply_template changed its length");
    fwrite(out, 1, (size_t)len, stdout);
    free(out);
    free(chat);
    free(parts);
    free(data);
    if (m) p_llama_model_free(m);
    return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

// One prefill of the prompt and `gen` decode steps on a cleared cache; times in seconds.
static void bench_rep(struct llama_context *c, const int *prompt, int p, int gen, int n_vocab, double *prefill_s, double *decode_s) {
    p_llama_memory_clear(p_llama_get_memory(c), true);
    double t0 = now_s();
    decode(c, prompt, p, 0, false);
    p_llama_synchronize(c);
    double t1 = now_s();
    for (int i = 0; i < gen; i++) {
        int t = (p + i) % n_vocab;
        decode(c, &t, 1, p + i, false);
        p_llama_synchronize(c);
    }
    *prefill_s = t1 - t0;
    *decode_s = now_s() - t1;
}

static int cmd_bench(const struct options *o) {
    struct llama_model *m = load_model(o, false);
    int n_vocab = vocab_size(m);
    int bos = p_llama_vocab_bos(p_llama_model_get_vocab(m));
    int *prompt = xmalloc(sizeof(int) * (size_t)o->prompt);
    for (int i = 0; i < o->prompt; i++) prompt[i] = i % n_vocab;
    if (bos >= 0) prompt[0] = bos;
    struct llama_context *c = new_context(o, m, o->prompt + o->gen, o->prompt);
    double pre, dec;
    for (int w = 0; w < o->warmup; w++) bench_rep(c, prompt, o->prompt, 1, n_vocab, &pre, &dec);
    for (int r = 0; r < o->reps; r++) {
        bench_rep(c, prompt, o->prompt, o->gen, n_vocab, &pre, &dec);
        printf("{\"rep\":%d,\"prompt\":%d,\"gen\":%d,\"threads\":%d,\"prefill_s\":%.6f,\"decode_s\":%.6f,"
               "\"prefill_tok_s\":%.3f,\"decode_tok_s\":%.3f}\n",
               r, o->prompt, o->gen, o->threads, pre, dec, o->prompt / pre, o->gen / dec);
        fflush(stdout);
    }
    p_llama_free(c);
    p_llama_model_free(m);
    return 0;
}

// One serve request: "K ID,ID,..." parsed into *steps and ids (at most cap); false if malformed.
static bool parse_request(char *line, int n_vocab, int *steps, int *ids, int cap, int *n) {
    char *end;
    long k = strtol(line, &end, 10);
    if (end == line || *end != ' ' || k < 1 || k > (1 << 20)) return false;
    *steps = (int)k;
    *n = 0;
    for (char *p = end + 1;;) {
        errno = 0;
        long v = strtol(p, &end, 10);
        if (end == p || errno || v < 0 || v >= n_vocab || *n == cap) return false;
        ids[(*n)++] = (int)v;
        if (*end != ',') return *end == '\n' || *end == 0;
        p = end + 1;
    }
}

static int cmd_serve(const struct options *o) {
    struct llama_model *m = load_model(o, false);
    const struct llama_vocab *vocab = p_llama_model_get_vocab(m);
    int n_vocab = vocab_size(m);
    int n_ctx = o->ctx ? o->ctx : 1024;
    bool *banned = xmalloc((size_t)n_vocab);
    for (int i = 0; i < n_vocab; i++) banned[i] = p_llama_vocab_is_eog(vocab, i);
    struct llama_context *c = new_context(o, m, n_ctx, n_ctx);
    int *ids = xmalloc(sizeof(int) * (size_t)n_ctx);
    double *at = xmalloc(sizeof(double) * (size_t)n_ctx);
    size_t cap = 0;
    char *line = NULL;
    printf("ready\n");
    fflush(stdout);
    while (getline(&line, &cap, stdin) > 0 && line[0] != '\n') {
        double t0 = now_s();
        int steps, n;
        if (!parse_request(line, n_vocab, &steps, ids, n_ctx, &n) || n + steps - 1 > n_ctx) {
            printf("{\"error\":\"expected 'K ID,ID,...' with ids below %d and prompt + K - 1 <= %d positions\"}\n", n_vocab, n_ctx);
            fflush(stdout);
            continue;
        }
        p_llama_memory_clear(p_llama_get_memory(c), true);
        decode(c, ids, n, 0, false);
        float margin;
        int *out = ids + n;  // generated ids follow the prompt's
        for (int s = 0; s < steps; s++) {
            out[s] = argmax(logits_row(c, -1), n_vocab, banned, &margin);
            at[s] = now_s() - t0;
            if (s + 1 < steps) decode(c, &out[s], 1, n + s, false);
        }
        printf("{\"at\":[");
        for (int s = 0; s < steps; s++) printf(s ? ",%.6f" : "%.6f", at[s]);
        printf("],\"ids\":[");
        for (int s = 0; s < steps; s++) printf(s ? ",%d" : "%d", out[s]);
        printf("]}\n");
        fflush(stdout);
    }
    free(line);
    p_llama_free(c);
    p_llama_model_free(m);
    return 0;
}

static int cmd_info(const struct options *o) {
    struct llama_model *m = load_model(o, false);
    char desc[256];
    p_llama_model_desc(m, desc, sizeof desc);
    printf("model: %s\n", o->model);
    printf("desc: %s\n", desc);
    printf("n_vocab: %d\n", vocab_size(m));
    printf("n_embd: %d\n", p_llama_model_n_embd(m));
    printf("n_layer: %d\n", p_llama_model_n_layer(m));
    printf("n_head: %d\n", p_llama_model_n_head(m));
    printf("n_head_kv: %d\n", p_llama_model_n_head_kv(m));
    printf("n_ctx_train: %d\n", p_llama_model_n_ctx_train(m));
    printf("system_info: %s\n", p_llama_print_system_info());
    p_llama_model_free(m);
    return fflush(stdout) == 0 ? 0 : EXIT_RUNTIME;
}

// ---- quantize ----

// The type ggml names `name` (ggml_type_name: q4_K, iq4_xs, f16, ...), or -1; the ids of removed
// types (block size 0) are never matched.
static int type_by_name(const char *name) {
    for (int t = 0; t < GGML_TYPE_COUNT; t++)
        if (p_ggml_blck_size((enum ggml_type)t) > 0 && !strcmp(p_ggml_type_name((enum ggml_type)t), name)) return t;
    return -1;
}

static void type_names(char *buf, size_t cap) {
    size_t at = 0;
    buf[0] = 0;
    for (int t = 0; t < GGML_TYPE_COUNT && at < cap; t++)
        if (p_ggml_blck_size((enum ggml_type)t) > 0) at += (size_t)snprintf(buf + at, cap - at, at ? " %s" : "%s", p_ggml_type_name((enum ggml_type)t));
}

// Whether ggml_quantize_chunk writes this type: the plain f32/f16/bf16 and every block format with
// a ggml quantizer; not the activation-only q8_1 and q8_K, the integers or f64 (it aborts on those).
static bool quantizable(enum ggml_type t) {
    switch (t) {
    case GGML_TYPE_Q8_1: case GGML_TYPE_Q8_K: case GGML_TYPE_I8: case GGML_TYPE_I16:
    case GGML_TYPE_I32: case GGML_TYPE_I64: case GGML_TYPE_F64:
        return false;
    default:
        return p_ggml_blck_size(t) > 0;
    }
}

// Reads the types file (lines "tensor_name type_name"; blank lines and lines starting with '#'
// skipped) into target[tensor id] (-1: keep the tensor's type). Unknown names are usage errors.
static void read_types_file(const char *path, const struct gguf_context *g, const char *in_path, int *target) {
    FILE *f = fopen(path, "r");
    if (!f) fail("cannot read %s: %s", path, strerror(errno));
    char line[1024];
    for (int ln = 1; fgets(line, sizeof line, f); ln++) {
        if (!strchr(line, '\n') && !feof(f)) usage_error("%s:%d: line longer than %zu characters", path, ln, sizeof line - 2);
        char *save, *name = strtok_r(line, " \t\r\n", &save);
        if (!name || name[0] == '#') continue;
        char *type = strtok_r(NULL, " \t\r\n", &save);
        if (!type || strtok_r(NULL, " \t\r\n", &save)) usage_error("%s:%d: want 'tensor_name type_name'", path, ln);
        int64_t id = p_gguf_find_tensor(g, name);
        if (id < 0) usage_error("%s:%d: %s has no tensor '%s'", path, ln, in_path, name);
        if (target[id] >= 0) usage_error("%s:%d: tensor '%s' is named twice", path, ln, name);
        target[id] = type_by_name(type);
        if (target[id] < 0) {
            char names[1024];
            type_names(names, sizeof names);
            usage_error("%s:%d: unknown type name '%s' (ggml's names: %s)", path, ln, type, names);
        }
    }
    if (ferror(f)) fail("cannot read %s: %s", path, strerror(errno));
    fclose(f);
}

// Rows of ne[0] elements: every dimension above the first (an expert tensor's ne[1] * ne[2]).
static int64_t tensor_rows(const struct ggml_tensor *t) {
    int64_t rows = 1;
    for (int d = 1; d < GGML_MAX_DIMS; d++) rows *= t->ne[d];
    return rows;
}

// Fails unless tensor t (of type src) can become type dst; checked for every tensor before any is encoded.
static void check_conversion(const struct ggml_tensor *t, enum ggml_type src, enum ggml_type dst) {
    if (dst == src) return;
    const char *dn = p_ggml_type_name(dst);
    if (!quantizable(dst)) fail("tensor '%s': ggml_quantize_chunk does not write %s", t->name, dn);
    if (p_ggml_quantize_requires_imatrix(dst)) fail("tensor '%s': %s needs an importance matrix, which quantize does not take", t->name, dn);
    if (t->ne[0] % p_ggml_blck_size(dst))
        fail("tensor '%s': its rows of %lld elements are not a multiple of %s's block of %lld", t->name, (long long)t->ne[0], dn, (long long)p_ggml_blck_size(dst));
    if (src != GGML_TYPE_F32 && !p_ggml_get_type_traits(src)->to_float)
        fail("tensor '%s' is %s, which ggml cannot convert to f32", t->name, p_ggml_type_name(src));
}

struct quant_job {
    enum ggml_type type;
    const float *src;
    void *dst;
    int64_t row0, rows, n_per_row;
    size_t written;
};

static void *quant_worker(void *arg) {
    struct quant_job *j = arg;
    j->written = p_ggml_quantize_chunk(j->type, j->src, j->dst, j->row0 * j->n_per_row, j->rows, j->n_per_row, NULL);
    return NULL;
}

// ggml_quantize_chunk over rows x n_per_row floats into dst (rows * ggml_row_size bytes), the rows
// split in contiguous runs over up to `threads` threads. Each row is encoded on its own (no
// importance matrix), so the bytes do not depend on the split.
static void quantize_rows(enum ggml_type type, const float *src, void *dst, int64_t rows, int64_t n_per_row, int threads, const char *name) {
    int n = threads < rows ? threads : (int)rows;
    if (n < 1) n = 1;
    struct quant_job *jobs = xmalloc(sizeof *jobs * (size_t)n);
    pthread_t *tid = xmalloc(sizeof *tid * (size_t)n);
    for (int i = 0; i < n; i++) {
        int64_t r0 = rows * i / n, r1 = rows * (i + 1) / n;
        jobs[i] = (struct quant_job){type, src, dst, r0, r1 - r0, n_per_row, 0};
    }
    for (int i = 1; i < n; i++)
        if (pthread_create(&tid[i], NULL, quant_worker, &jobs[i])) fail("cannot start a quantize thread");
    quant_worker(&jobs[0]);
    size_t written = jobs[0].written;
    for (int i = 1; i < n; i++) {
        pthread_join(tid[i], NULL);
        written += jobs[i].written;
    }
    size_t want = p_ggml_row_size(type, n_per_row) * (size_t)rows;
    if (written != want) fail("tensor '%s': ggml_quantize_chunk wrote %zu bytes, expected %zu", name, written, want);
    free(jobs);
    free(tid);
}

static void read_at(FILE *f, const char *path, uint64_t offset, void *buf, size_t size) {
    if (fseeko(f, (off_t)offset, SEEK_SET) || fread(buf, 1, size, f) != size)
        fail("cannot read %zu bytes at %llu of %s: %s", size, (unsigned long long)offset, path, feof(f) ? "the file ends first" : strerror(errno));
}

static void write_zeros(FILE *f, const char *path, size_t n) {
    static const char zeros[4096];
    for (size_t k; n > 0; n -= k) {
        k = n < sizeof zeros ? n : sizeof zeros;
        write_all(f, path, zeros, 1, k);
    }
}

// Reads IN's metadata and tensor infos with the gguf API and turns that context into OUT's: the
// chosen tensors get their new types (gguf_set_tensor_type, which moves the later offsets), then
// general.quantization_version and general.file_type are set as llama.cpp's quantizer sets them.
// Every other key stays as IN stores it, type and order included: what gguf_set_kv into a fresh
// context gives, except that a fresh context lays data out at the default alignment of 32 whatever
// general.alignment says, where IN's context keeps IN's. OUT is written as llama.cpp's quantizer
// writes it: zeros where the metadata will go, each tensor's data in IN's order padded to the alignment,
// then the metadata, so only one tensor is in memory at a time.
static int cmd_quantize(const struct options *o) {
    struct ggml_context *meta = NULL;
    struct gguf_init_params ip = {.no_alloc = true, .ctx = &meta};
    struct gguf_context *g = p_gguf_init_from_file(o->in, ip);
    if (!g) fail("ggml cannot read the GGUF file %s (run with --verbose for its log)", o->in);
    int64_t n = p_gguf_get_n_tensors(g);
    size_t cap = (size_t)(n > 0 ? n : 1);
    int *target = xmalloc(sizeof(int) * cap);
    for (int64_t i = 0; i < n; i++) target[i] = -1;
    read_types_file(o->types, g, o->in, target);

    // IN's data: where each tensor is and what it holds, before the types change.
    size_t in_data = p_gguf_get_data_offset(g), align = p_gguf_get_alignment(g);
    size_t *in_offset = xmalloc(sizeof(size_t) * cap), *in_size = xmalloc(sizeof(size_t) * cap);
    enum ggml_type *in_type = xmalloc(sizeof(enum ggml_type) * cap);
    for (int64_t i = 0; i < n; i++) {
        const char *name = p_gguf_get_tensor_name(g, i);
        const struct ggml_tensor *t = p_ggml_get_tensor(meta, name);
        if (!t) fail("ggml's context of %s has no tensor '%s'", o->in, name);
        in_offset[i] = p_gguf_get_tensor_offset(g, i);
        in_size[i] = p_gguf_get_tensor_size(g, i);
        in_type[i] = p_gguf_get_tensor_type(g, i);
        check_conversion(t, in_type[i], target[i] < 0 ? in_type[i] : (enum ggml_type)target[i]);
    }
    for (int64_t i = 0; i < n; i++)
        if (target[i] >= 0 && (enum ggml_type)target[i] != in_type[i]) p_gguf_set_tensor_type(g, p_gguf_get_tensor_name(g, i), (enum ggml_type)target[i]);
    p_gguf_set_val_u32(g, "general.quantization_version", GGML_QNT_VERSION);
    p_gguf_set_val_u32(g, "general.file_type", (uint32_t)o->ftype);

    FILE *fin = fopen(o->in, "rb");
    if (!fin) fail("cannot read %s: %s", o->in, strerror(errno));
    struct stat si, so;
    if (stat(o->out, &so) == 0 && fstat(fileno(fin), &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
        usage_error("--out %s is the input file", o->out);
    FILE *f = open_out(o->out);
    g_partial_out = o->out;
    size_t meta_size = p_gguf_get_meta_size(g);  // padded to the alignment: the data's start
    write_zeros(f, o->out, meta_size);
    for (int64_t i = 0; i < n; i++) {
        const char *name = p_gguf_get_tensor_name(g, i);
        const struct ggml_tensor *t = p_ggml_get_tensor(meta, name);
        enum ggml_type src = in_type[i], dst = p_gguf_get_tensor_type(g, i);
        size_t out_size = p_gguf_get_tensor_size(g, i);
        void *data = xmalloc(in_size[i]);
        read_at(fin, o->in, in_data + in_offset[i], data, in_size[i]);
        void *encoded = data;
        if (dst != src) {
            int64_t rows = tensor_rows(t), elements = rows * t->ne[0];
            float *f32 = (float *)data;
            if (src != GGML_TYPE_F32) {
                f32 = xmalloc(sizeof(float) * (size_t)elements);
                p_ggml_get_type_traits(src)->to_float(data, f32, elements);
            }
            encoded = xmalloc(out_size);
            quantize_rows(dst, f32, encoded, rows, t->ne[0], o->threads, name);
            if (f32 != data) free(f32);
        }
        if (!p_ggml_validate_row_data(dst, encoded, out_size))
            fail("tensor '%s': ggml_validate_row_data rejects its %s data (see ggml's message above)", name, p_ggml_type_name(dst));
        if ((uint64_t)ftello(f) != meta_size + p_gguf_get_tensor_offset(g, i)) fail("tensor '%s' would land off its offset", name);
        write_all(f, o->out, encoded, 1, out_size);
        write_zeros(f, o->out, GGML_PAD(out_size, align) - out_size);
        if (encoded != data) free(encoded);
        free(data);
    }
    void *header = xmalloc(meta_size);
    p_gguf_get_meta_data(g, header);
    if (fseeko(f, 0, SEEK_SET)) fail("cannot write %s: %s", o->out, strerror(errno));
    write_all(f, o->out, header, 1, meta_size);
    close_out(f, o->out);
    g_partial_out = NULL;
    fclose(fin);
    free(header);
    free(target);
    free(in_offset);
    free(in_size);
    free(in_type);
    p_gguf_free(g);
    p_ggml_free(meta);
    p_ggml_quantize_free();
    return 0;
}

int main(int argc, char **argv) {
    struct options o = parse_args(argc, argv);
    open_library(&o);
    int rc;
    if (!strcmp(o.command, "logits")) rc = cmd_logits(&o);
    else if (!strcmp(o.command, "greedy")) rc = cmd_greedy(&o);
    else if (!strcmp(o.command, "tokenize")) rc = cmd_tokenize(&o);
    else if (!strcmp(o.command, "pieces")) rc = cmd_pieces(&o);
    else if (!strcmp(o.command, "chat")) rc = cmd_chat(&o);
    else if (!strcmp(o.command, "bench")) rc = cmd_bench(&o);
    else if (!strcmp(o.command, "serve")) rc = cmd_serve(&o);
    else if (!strcmp(o.command, "quantize")) rc = cmd_quantize(&o);
    else rc = cmd_info(&o);
    p_llama_backend_free();
    return rc;
}
