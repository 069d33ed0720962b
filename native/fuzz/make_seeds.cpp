// Writes the fuzz harnesses' seed inputs under DIR/<harness>/ (ci/native-fuzz.sh runs it into
// build/native-fuzz/corpus): real data in each harness's layout (fuzz_input.h), small: matrices that
// vane_quant_quantize packed from seeded random weights in every GGUF block format, block tables
// that name the pool's blocks, finite logits, positions of a short sequence. The mutations
// start from inputs that pass the checks, so they reach the kernels.
#include <stdio.h>
#include <sys/stat.h>

#include <random>
#include <string>
#include <vector>

#include "fuzz_input.h"

using fuzz::Output;

namespace {

std::string root;
int written = 0;

void save(const char *harness, const std::string &name, const Output &o) {
    const std::string dir = root + "/" + harness;
    mkdir(dir.c_str(), 0755);
    const std::string path = dir + "/" + name;
    if (!o.write(path.c_str())) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path.c_str());
        exit(1);
    }
    written++;
}

// A [rows, cols] matrix of seeded normal weights packed as `format`, or empty if the format
// refuses the shape.
std::vector<uint8_t> packed(int32_t format, int64_t rows, int64_t cols, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> w((size_t)(rows * cols));
    for (float &x : w) x = normal(rng);
    int64_t bytes = 0;
    if (vane_quant_size(format, rows, cols, &bytes) != VANE_OK) return {};
    std::vector<uint8_t> out((size_t)bytes);
    if (vane_quant_quantize(format, w.data(), rows, cols, out.data(), bytes) != VANE_OK) return {};
    return out;
}

void quant_and_gemm() {
    vane_format_desc d;
    for (int32_t format = 0; vane_format_info(format, &d) == VANE_OK; format++) {
        const int64_t rows = 8, cols = 256;
        std::vector<uint8_t> w = packed(format, rows, cols, 1000u + format);
        if (w.empty()) continue;
        for (int op = 0; op < 2; op++) {  // check, dequantize
            Output o;
            fuzz::write_cpu(o, format % 3);
            o.u8(uint8_t(op));
            o.u8(uint8_t(format + 1));
            o.u8(0);
            o.size(rows);
            o.size(cols);
            o.raw(w.data(), w.size());
            save("fuzz_quant", std::string(d.name) + (op ? "_dequantize" : "_check"), o);
        }
        Output g;  // y[3, 8] = x[3, 256] . W^T + bias, strides padded
        fuzz::write_cpu(g, format % 3);
        g.u8(uint8_t(format + 1));
        g.size(rows);
        g.size(cols);
        g.size(3);
        g.u8(1);
        g.u8(2);
        g.u8(1);
        g.raw(w.data(), w.size());
        save("fuzz_gemm", d.name, g);
    }
    // The repacks libvane has: q4_0, iq4_nl, q4_k, q6_k, iq4_xs into their x8 layouts.
    const int32_t pairs[5][2] = {{VANE_FORMAT_Q4_0, VANE_FORMAT_Q4_0_X8}, {VANE_FORMAT_IQ4_NL, VANE_FORMAT_IQ4_NL_X8},
                                 {VANE_FORMAT_Q4_K, VANE_FORMAT_Q4_K_X8}, {VANE_FORMAT_Q6_K, VANE_FORMAT_Q6_K_X8},
                                 {VANE_FORMAT_IQ4_XS, VANE_FORMAT_IQ4_XS_X8}};
    for (const auto &pr : pairs) {
        std::vector<uint8_t> w = packed(pr[0], 16, 512, 2000u + pr[0]);
        if (w.empty()) continue;
        Output o;
        fuzz::write_cpu(o, 1);
        o.u8(2);
        o.u8(uint8_t(pr[0] + 1));
        o.u8(uint8_t(pr[1] + 1));
        o.size(16);
        o.size(512);
        o.raw(w.data(), w.size());
        vane_format_info(pr[1], &d);
        save("fuzz_quant", std::string("repack_") + d.name, o);
    }
}

// A cache of 8 blocks of 8 positions, 2 KV heads of 16, in each storage.
void cache_fields(Output &o, int32_t dtype) {
    o.u8(uint8_t(dtype + 1));
    o.size(2);
    o.size(16);
    o.size(8);
    o.size(8);
}

void kv_and_attention() {
    const int32_t table[4] = {3, 1, 0, 2};
    for (int32_t dtype = VANE_KV_F32; dtype <= VANE_KV_FP8_E4M3; dtype++) {
        Output w;  // write 20 positions from position 5 through a 4-block table
        fuzz::write_cpu(w, dtype);
        cache_fields(w, dtype);
        w.u8(0);
        w.size(4);
        w.size(5);
        w.size(20);
        w.raw(table, sizeof table);
        save("fuzz_kv", "write_dtype" + std::to_string(dtype), w);

        Output c;  // copy blocks 3 -> 1, 1 -> 0, 0 -> 2 (the lists overlap by one entry)
        fuzz::write_cpu(c, dtype);
        cache_fields(c, dtype);
        c.u8(1);
        c.size(3);
        c.raw(table, sizeof table);
        save("fuzz_kv", "copy_dtype" + std::to_string(dtype), c);

        for (int causal = 0; causal < 2; causal++) {
            Output a;  // 4 queries of 4 heads over 30 cached positions, keys rotated by a 64-row table
            fuzz::write_cpu(a, dtype + causal);
            cache_fields(a, dtype);
            a.size(2);
            a.u8(uint8_t((causal ? 2 : 0) | 16 | 32));
            a.size(causal ? 12 : 0);
            a.size(4);
            a.size(30);
            a.size(4);
            a.size(64);
            a.size(16);
            a.raw(table, sizeof table);
            std::mt19937 rng(7u + dtype);
            std::uniform_real_distribution<float> u(-1.0f, 1.0f);
            for (int i = 0; i < 256; i++) a.f32(u(rng));
            save("fuzz_attention", std::string(causal ? "causal" : "cross") + "_dtype" + std::to_string(dtype), a);
        }
    }
}

void moe() {
    for (int32_t kind = VANE_GATING_SOFTMAX_TOPK; kind <= VANE_GATING_SIGMOID_TOPK; kind++) {
        Output o;  // 5 tokens over 8 experts, top 2, stride 10
        fuzz::write_cpu(o, kind);
        o.u8(uint8_t(kind + 1));
        o.size(2);
        o.u8(uint8_t(1 | (2 << 2) | 64 | (kind == VANE_GATING_SIGMOID_TOPK ? 32 : 0)));
        o.u8(1);
        o.size(5);
        o.size(8);
        std::mt19937 rng(11u + kind);
        std::normal_distribution<float> normal(0.0f, 2.0f);
        for (int i = 0; i < 50; i++) o.f32(normal(rng));
        save("fuzz_moe", "kind" + std::to_string(kind), o);
    }
}

void ffn_and_moe() {
    const int32_t formats[4] = {VANE_FORMAT_F16, VANE_FORMAT_Q4_0, VANE_FORMAT_Q8_0, VANE_FORMAT_Q4_K};
    for (int i = 0; i < 4; i++)
        for (int op = 0; op < 2; op++) {
            Output o;  // 2 tokens, dim 256, ffn_dim 128 (256 for a K-quant); moe: 4 experts, top 2, a shared expert
            const int32_t f = formats[i];
            const int64_t ffn_dim = f == VANE_FORMAT_Q4_K ? 256 : 128;
            fuzz::write_cpu(o, i);
            o.u8(uint8_t(op));
            o.u8(uint8_t(f + 1));
            o.u8(uint8_t(f + 1));
            o.u8(uint8_t(f + 1));
            o.size(256);
            o.size(ffn_dim);
            o.size(2);
            o.u8(uint8_t(i % 3));                        // silu, gelu, swiglu_oai
            o.u8(0);                                     // alpha 1.702, limit 7
            o.u8(uint8_t(i & 1 ? 0x3f : 0));             // biases (the shared block's too)
            o.u8(255);                                   // no matrix short
            if (op) {
                o.size(4);
                o.u8(uint8_t(i % 3 + 1));                // gating kind i % 3
                o.size(2);
                o.u8(uint8_t(1 | 2 | 32 | (i & 1 ? 4 | 8 : 0)));  // renormalize, shared, counts; gates and router bias
                o.u8(1);                                 // scale 1
                o.size(ffn_dim);
            }
            std::vector<uint8_t> w = packed(f, 8, 256, 2000u + f);
            o.raw(w.data(), w.size());
            save("fuzz_ffn", std::string(op ? "moe_" : "ffn_") + std::to_string(f), o);
        }
}

void rope() {
    for (int op = 0; op < 2; op++)
        for (int yarn = 0; yarn < 2; yarn++) {
            Output o;  // 6 tokens of 4 heads x 64, full rotation, stride padded by 3; a 100-row table
            fuzz::write_cpu(o, op + yarn);
            o.u8(uint8_t(op));
            o.u8(uint8_t(yarn ? 2 : 8));              // yarn: neox; else frequency factors
            o.u8(uint8_t((yarn ? 1 << 4 : 0) | 1 << 6));  // base 10000, scale 1, ext 1 or 0, attn 1
            o.size(4);
            o.size(64);
            o.size(64);
            o.size(4096);
            o.size(6);
            o.size(3);
            o.size(100);
            for (int64_t pos = 0; pos < 6; pos++) o.bits(uint64_t(pos * 37), 8);
            save("fuzz_rope", std::string(op ? "table" : "rotate") + (yarn ? "_yarn" : "_factors"), o);
        }
}

}  // namespace

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR (writes DIR/fuzz_quant/, DIR/fuzz_gemm/, ...)\n");
        return 2;
    }
    root = argv[1];
    mkdir(root.c_str(), 0755);
    quant_and_gemm();
    kv_and_attention();
    moe();
    ffn_and_moe();
    rope();
    printf("make_seeds: %d seed inputs under %s\n", written, root.c_str());
    return 0;
}
