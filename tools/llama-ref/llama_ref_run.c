// llama_ref's commands that run the model: logits, greedy, bench and serve (the benchmark's
// engine: a model kept loaded, prompts from stdin).
#include "llama_ref.h"

int cmd_logits(const struct options *o) {
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

int cmd_greedy(const struct options *o) {
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

int cmd_bench(const struct options *o) {
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

int cmd_serve(const struct options *o) {
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
