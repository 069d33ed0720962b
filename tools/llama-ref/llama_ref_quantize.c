// llama_ref quantize: a GGUF whose tensors llama.cpp's own quantizer (ggml_quantize_chunk)
// encoded, every other byte of the file kept.
#include "llama_ref.h"

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
int cmd_quantize(const struct options *o) {
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
