// q6_kx8 (vane.h): Q6_K rows interleaved 8 at a time, and the copies each way. Both directions
// go through each column's 6-bit code u = q + 32 (Q6_K's low nibble | its 2 high bits << 4),
// so they are exact inverses.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "quant/quant.h"
#include "vane.h"

namespace vane {

namespace {

constexpr int64_t kQ6kBytes = sizeof(vane_block_q6_k);
constexpr int64_t kQ6kx8Bytes = sizeof(vane_block_q6_kx8);
constexpr int kQ6kx8Scales = offsetof(vane_block_q6_kx8, scales), kQ6kx8Codes = offsetof(vane_block_q6_kx8, qs);
static_assert(kQ6kx8Scales == 16 && kQ6kx8Codes == 144, "q6_kx8 layout");
static_assert(offsetof(vane_block_q6_k, qh) == 128 && offsetof(vane_block_q6_k, scales) == 192 && offsetof(vane_block_q6_k, d) == 208,
              "q6_k layout");

// The 256 codes of a Q6_K block: column 128h + 32k + l is nibble k / 2 of ql[64h + 32(k % 2) + l]
// with bits 2k..2k+1 of qh[32h + l] above it.
void codes_of(const uint8_t *blk, uint8_t u[256]) {
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, k = (e % 128) / 32, l = e % 32;
        const int lo = (blk[64 * h + 32 * (k % 2) + l] >> (4 * (k / 2))) & 0xF;
        const int hi = (blk[128 + 32 * h + l] >> (2 * k)) & 3;
        u[e] = (uint8_t)(lo | (hi << 4));
    }
}

void put_codes(const uint8_t u[256], uint8_t *blk) {
    memset(blk, 0, 192);
    for (int e = 0; e < 256; e++) {
        const int h = e / 128, k = (e % 128) / 32, l = e % 32;
        blk[64 * h + 32 * (k % 2) + l] |= (uint8_t)((u[e] & 0xF) << (4 * (k / 2)));
        blk[128 + 32 * h + l] |= (uint8_t)((u[e] >> 4) << (2 * k));
    }
}

// Byte e of row i in chunk j of triple t = 8h + c (vane.h): at qs[32 (3t + j) + 4i + e].
inline int code_at(int t, int j, int i, int e) { return kQ6kx8Codes + 32 * (3 * t + j) + 4 * i + e; }

}  // namespace

void q6_kx8_get_row(const void *src, int64_t r, int64_t nb, uint8_t *out) {
    const uint8_t *g = (const uint8_t *)src + (r / 8) * nb * kQ6kx8Bytes;
    const int i = (int)(r % 8);
    for (int64_t b = 0; b < nb; b++, out += kQ6kBytes) {
        const uint8_t *blk = g + b * kQ6kx8Bytes;
        uint8_t u[256];
        for (int t = 0; t < 16; t++) {
            const int base = 128 * (t / 8) + 4 * (t % 8);
            for (int e = 0; e < 4; e++) {
                int top = 0;
                for (int j = 0; j < 3; j++) {
                    const uint8_t v = blk[code_at(t, j, i, e)];
                    u[base + 32 * j + e] = v & 0x3F;
                    top |= (v >> 6) << (2 * j);
                }
                u[base + 96 + e] = (uint8_t)top;
            }
        }
        put_codes(u, out);
        for (int s = 0; s < 16; s++) out[192 + s] = blk[kQ6kx8Scales + 8 * s + i];
        memcpy(out + 208, blk + 2 * i, 2);
    }
}

void q6_kx8_put_group(const uint8_t *rows8, int64_t nb, void *group) {
    uint8_t *g = (uint8_t *)group;
    for (int64_t b = 0; b < nb; b++) {
        uint8_t *blk = g + b * kQ6kx8Bytes;
        for (int i = 0; i < 8; i++) {
            const uint8_t *in = rows8 + (i * nb + b) * kQ6kBytes;
            uint8_t u[256];
            codes_of(in, u);
            for (int t = 0; t < 16; t++) {
                const int base = 128 * (t / 8) + 4 * (t % 8);
                for (int e = 0; e < 4; e++)
                    for (int j = 0; j < 3; j++)
                        blk[code_at(t, j, i, e)] = (uint8_t)(u[base + 32 * j + e] | (((u[base + 96 + e] >> (2 * j)) & 3) << 6));
            }
            for (int s = 0; s < 16; s++) blk[kQ6kx8Scales + 8 * s + i] = in[192 + s];
            memcpy(blk + 2 * i, in + 208, 2);
        }
    }
}

}  // namespace vane
