// Bad arguments to every exported function return a status and a message; nothing crashes.
#include <math.h>
#include <string.h>

#include <vector>

#include "check.h"
#include "vane.h"

static bool message_has(const char *needle) { return strstr(vane_last_error(), needle) != nullptr; }

int main() {
    std::vector<float> x(8 * 128, 0.5f);  // up to [8, 128]
    std::vector<uint8_t> q(1 << 16);
    std::vector<float> y(4 * 64);
    int64_t bytes = 0;

    CHECK(vane_quant_size(99, 1, 32, &bytes) == VANE_E_INVALID_ARGUMENT && message_has("unknown format"), "%s", vane_last_error());
    CHECK(vane_quant_size(VANE_FORMAT_Q4_0, 1, 33, &bytes) == VANE_E_INVALID_ARGUMENT && message_has("multiple of the q4_0 block size 32"), "%s", vane_last_error());
    CHECK(vane_quant_size(VANE_FORMAT_Q4_0, -1, 32, &bytes) == VANE_E_INVALID_ARGUMENT, "negative rows");
    CHECK(vane_quant_size(VANE_FORMAT_Q4_0, 1, 32, nullptr) == VANE_E_INVALID_ARGUMENT, "null out");
    CHECK(vane_quant_size(VANE_FORMAT_F32, int64_t(1) << 40, int64_t(1) << 40, &bytes) == VANE_E_INVALID_ARGUMENT && message_has("too large"), "%s", vane_last_error());

    CHECK(vane_quant_quantize(VANE_FORMAT_Q8_0, nullptr, 4, 64, q.data(), (int64_t)q.size()) == VANE_E_INVALID_ARGUMENT, "null src");
    CHECK(vane_quant_quantize(VANE_FORMAT_Q8_0, x.data(), 4, 64, nullptr, (int64_t)q.size()) == VANE_E_INVALID_ARGUMENT, "null dst");
    CHECK(vane_quant_quantize(VANE_FORMAT_Q8_0, x.data(), 4, 64, q.data(), 10) == VANE_E_BUFFER_TOO_SMALL && message_has("needs 272 bytes"), "%s", vane_last_error());
    CHECK(vane_quant_dequantize(VANE_FORMAT_Q8_0, q.data(), 271, 4, 64, y.data()) == VANE_E_BUFFER_TOO_SMALL, "%s", vane_last_error());
    CHECK(vane_quant_quantize(VANE_FORMAT_Q8_0, x.data(), 0, 64, nullptr, 0) == VANE_OK, "empty matrix is fine");

    for (float bad : {NAN, INFINITY, -INFINITY}) {
        for (int32_t f = 0; f <= VANE_FORMAT_Q4_0_X8; ++f) {
            x[128 + 6] = bad;  // as a [2, 128] matrix: row 1, col 6
            const int64_t rows = f == VANE_FORMAT_Q4_0_X8 ? 8 : 2;  // q4_0x8 takes rows in groups of 8
            vane_status s = vane_quant_quantize(f, x.data(), rows, 128, q.data(), (int64_t)q.size());
            CHECK(s == VANE_E_NON_FINITE && message_has("[1, 6]"), "format %d bad %g -> %d %s", f, bad, s, vane_last_error());
        }
    }
    x[134] = 1e9f;  // scale = 1e9/8 overflows fp16
    CHECK(vane_quant_quantize(VANE_FORMAT_Q4_0, x.data(), 4, 64, q.data(), (int64_t)q.size()) == VANE_E_OUT_OF_RANGE && message_has("fp16 scale"), "%s", vane_last_error());
    CHECK(vane_quant_quantize(VANE_FORMAT_INT8_G32, x.data(), 4, 64, q.data(), (int64_t)q.size()) == VANE_OK, "int8 has an f32 scale: %s", vane_last_error());

    // In-place conversion is refused rather than silently wrong.
    std::vector<float> buf(1024, 1.0f);
    CHECK(vane_fp8_decode(VANE_FP8_E4M3, reinterpret_cast<uint8_t *>(buf.data()), buf.data(), 256) == VANE_E_INVALID_ARGUMENT &&
              message_has("overlap"), "%s", vane_last_error());
    CHECK(vane_fp8_encode(VANE_FP8_E4M3, buf.data() + 1, reinterpret_cast<uint8_t *>(buf.data()), 16) == VANE_E_INVALID_ARGUMENT, "encode overlap");
    CHECK(vane_quant_quantize(VANE_FORMAT_Q8_0, buf.data(), 1, 32, buf.data() + 16, 200) == VANE_E_INVALID_ARGUMENT && message_has("overlap"), "%s", vane_last_error());
    CHECK(vane_quant_dequantize(VANE_FORMAT_F16, buf.data(), 512, 1, 256, buf.data() + 64) == VANE_E_INVALID_ARGUMENT, "dequantize overlap");
    CHECK(vane_fp8_encode(VANE_FP8_E4M3, buf.data(), reinterpret_cast<uint8_t *>(buf.data() + 16), 16) == VANE_OK, "adjacent buffers are fine: %s", vane_last_error());

    uint8_t codes[4];
    CHECK(vane_fp8_encode(5, x.data(), codes, 4) == VANE_E_INVALID_ARGUMENT && message_has("unknown fp8 kind"), "%s", vane_last_error());
    CHECK(vane_fp8_encode(VANE_FP8_E4M3, x.data(), codes, -1) == VANE_E_INVALID_ARGUMENT, "negative n");
    CHECK(vane_fp8_decode(VANE_FP8_E4M3, nullptr, y.data(), 4) == VANE_E_INVALID_ARGUMENT, "null src");
    CHECK(vane_fp8_decode(VANE_FP8_E4M3, nullptr, nullptr, 0) == VANE_OK, "n = 0 is fine");
    CHECK(vane_set_threads(0) == VANE_E_INVALID_ARGUMENT && message_has("threads"), "%s", vane_last_error());
    return finish("test_api_errors");
}
