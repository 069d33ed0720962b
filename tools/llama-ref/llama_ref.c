// llama_ref: llama.cpp as a reference engine for Vane's model tests and benchmarks. It opens
// llama.cpp's library (build/llama-cpp/index.node, see ci/fetch-llama-cpp.sh, or one --lib names)
// with dlopen and calls its C API through function pointers typed from llama.h, so no llama.cpp
// code is compiled or linked here. Subcommands: logits, greedy, tokenize, pieces, chat, bench,
// serve, info, quantize (see usage()); this unit parses the command line, opens the library and
// holds the helpers the commands share (llama_ref.h lists the other units).
// The library may be a Node addon: its napi_* imports stay unresolved (RTLD_LAZY) and are never called.
#include "llama_ref.h"

#define DEFINE_POINTER(name) __typeof__(&name) p_##name;
LLAMA_REF_FUNCTIONS(DEFINE_POINTER)
#undef DEFINE_POINTER

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

void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("llama_ref: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(run llama_ref --help for usage)\n", stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

const char *g_partial_out;  // quantize's output while it is written: removed by fail()

void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("llama_ref: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (g_partial_out) remove(g_partial_out);
    exit(EXIT_RUNTIME);
}

void *xmalloc(size_t n) {
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

struct llama_model *load_model(const struct options *o, bool vocab_only) {
    struct llama_model_params mp = p_llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.vocab_only = vocab_only;
    if (o->no_repack) mp.use_extra_bufts = false;
    struct llama_model *m = p_llama_model_load_from_file(o->model, mp);
    if (!m) fail("llama.cpp cannot load the model %s (run with --verbose for its log)", o->model);
    return m;
}

// A context holding `positions` tokens, taking batches of up to `batch` tokens.
struct llama_context *new_context(const struct options *o, struct llama_model *m, int positions, int batch) {
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

int vocab_size(const struct llama_model *m) {
    return p_llama_vocab_n_tokens(p_llama_model_get_vocab(m));
}

void check_tokens(const struct options *o, int n_vocab) {
    for (int i = 0; i < o->n_tokens; i++)
        if (o->tokens[i] >= n_vocab) usage_error("token id %d (at %d) is outside the vocabulary of %d", o->tokens[i], i, n_vocab);
}

// Decodes tokens[0..n) at positions pos0.. in one batch; outputs logits for every position
// (all) or the last only.
void decode(struct llama_context *c, const int *tokens, int n, int pos0, bool all) {
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

const float *logits_row(struct llama_context *c, int i) {
    const float *l = p_llama_get_logits_ith(c, i);
    if (!l) fail("llama.cpp has no logits for output %d", i);
    return l;
}

FILE *open_out(const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f) fail("cannot write %s: %s", path, strerror(errno));
    return f;
}

void write_all(FILE *f, const char *path, const void *data, size_t size, size_t count) {
    if (fwrite(data, size, count, f) != count) fail("cannot write %s: %s", path, strerror(errno));
}

void close_out(FILE *f, const char *path) {
    if (fclose(f) != 0) fail("cannot write %s: %s", path, strerror(errno));
}

double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// The best id (the lowest among equal maxima) and its margin over the second-best logit.
int argmax(const float *l, int n, const bool *banned, float *margin) {
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
