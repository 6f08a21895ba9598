// SHA-256 as FIPS 180-4 defines it: the message padded to 64-byte blocks, each block run
// through 64 rounds. Two implementations of the rounds: the portable one, and one with the
// x86 SHA extensions (SHA-NI), chosen once per process from CPUID.

#include "tributary_sha256.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define TRIBUTARY_SHA_X86 1
#endif

static const uint32_t round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotate_right(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_big_endian(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void blocks_portable(uint32_t state[8], const uint8_t *data, size_t blocks) {
    uint32_t w[64];
    for (; blocks > 0; blocks--, data += 64) {
        for (int i = 0; i < 16; i++) w[i] = load_big_endian(data + 4 * i);
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotate_right(w[i - 15], 7) ^ rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotate_right(w[i - 2], 17) ^ rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t t1 = h + (rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25)) + ((e & f) ^ (~e & g)) + round_constants[i] + w[i];
            uint32_t t2 = (rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

#ifdef TRIBUTARY_SHA_X86
// The SHA extensions keep the state as two vectors, ABEF and CDGH; `sha256rnds2` runs two rounds
// with two message words (plus constants) from the low half of its third operand, and
// `sha256msg1`/`sha256msg2` extend the message schedule four words at a time.
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_extensions(uint32_t state[8], const uint8_t *data, size_t blocks) {
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i dcba = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)&state[4]);
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    // Four rounds with the message words `words` (plus their constants from `k`).
#define ROUNDS(words, k)                                                                               \
    do {                                                                                               \
        const __m128i message = _mm_add_epi32((words), _mm_loadu_si128((const __m128i *)&round_constants[(k)])); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);                                             \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(message, 0x0E));                    \
    } while (0)
    // The next four message words into `oldest` (W[t-16..t-13]) from it and the twelve after it:
    // σ0 terms (msg1), W[t-7..t-4] added, σ1 terms (msg2).
#define SCHEDULE(oldest, older, newer, newest) \
    oldest = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(oldest, older), _mm_alignr_epi8(newest, newer, 4)), newest)
    for (; blocks > 0; blocks--, data += 64) {
        const __m128i abef_before = abef, cdgh_before = cdgh;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 0)), byte_swap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16)), byte_swap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 32)), byte_swap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 48)), byte_swap);
        ROUNDS(w0, 0);
        ROUNDS(w1, 4);
        ROUNDS(w2, 8);
        ROUNDS(w3, 12);
        for (int k = 16; k < 64; k += 16) {
            SCHEDULE(w0, w1, w2, w3);
            ROUNDS(w0, k);
            SCHEDULE(w1, w2, w3, w0);
            ROUNDS(w1, k + 4);
            SCHEDULE(w2, w3, w0, w1);
            ROUNDS(w2, k + 8);
            SCHEDULE(w3, w0, w1, w2);
            ROUNDS(w3, k + 12);
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
#undef ROUNDS
#undef SCHEDULE
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(dchg, feba, 8));
}

static int cpu_has_extensions(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int ssse3 = (ecx >> 9) & 1, sse41 = (ecx >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    const int sha = (ebx >> 29) & 1;
    return ssse3 && sse41 && sha;
}
#endif

typedef void (*blocks_function)(uint32_t state[8], const uint8_t *data, size_t blocks);

static void digest_with(blocks_function blocks, const uint8_t *data, size_t count, uint8_t digest[32]) {
    uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    const size_t whole = count / 64;
    if (whole > 0) blocks(state, data, whole);
    // The rest, a 1 bit, zeros, and the message length in bits (big-endian) in one or two blocks.
    uint8_t tail[128];
    const size_t rest = count - whole * 64;
    memset(tail, 0, sizeof tail);
    if (rest > 0) memcpy(tail, data + whole * 64, rest);
    tail[rest] = 0x80;
    const size_t tail_blocks = rest + 9 <= 64 ? 1 : 2;
    const uint64_t bits = (uint64_t)count << 3;
    for (int i = 0; i < 8; i++) tail[tail_blocks * 64 - 1 - i] = (uint8_t)(bits >> (8 * i));
    blocks(state, tail, tail_blocks);
    for (int i = 0; i < 8; i++) {
        digest[4 * i] = (uint8_t)(state[i] >> 24);
        digest[4 * i + 1] = (uint8_t)(state[i] >> 16);
        digest[4 * i + 2] = (uint8_t)(state[i] >> 8);
        digest[4 * i + 3] = (uint8_t)state[i];
    }
}

// 0: not yet checked; 1: portable; 2: extensions. Checked once; a race only checks twice.
static int chosen = 0;

static blocks_function choose(void) {
    int mode = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (mode == 0) {
#ifdef TRIBUTARY_SHA_X86
        mode = cpu_has_extensions() ? 2 : 1;
#else
        mode = 1;
#endif
        __atomic_store_n(&chosen, mode, __ATOMIC_RELAXED);
    }
#ifdef TRIBUTARY_SHA_X86
    if (mode == 2) return blocks_extensions;
#endif
    return blocks_portable;
}

void tributary_sha256(const uint8_t *data, size_t count, uint8_t digest[32]) { digest_with(choose(), data, count, digest); }

void tributary_sha256_portable(const uint8_t *data, size_t count, uint8_t digest[32]) { digest_with(blocks_portable, data, count, digest); }

int tributary_sha256_uses_extensions(void) { return choose() != blocks_portable; }
