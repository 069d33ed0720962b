// llama_ref's commands on the vocabulary, templates and model metadata: tokenize, pieces, chat,
// info.
#include "llama_ref.h"

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

int cmd_tokenize(const struct options *o) {
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

int cmd_pieces(const struct options *o) {
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

int cmd_chat(const struct options *o) {
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

int cmd_info(const struct options *o) {
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
