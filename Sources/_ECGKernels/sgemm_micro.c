// The register micro-kernel of the SGEMM (see _GEMMKernel.swift in ECGTensor): one 6 × 32 tile
// of C from a packed 6-row A panel and a packed 32-column B panel, per instruction set.
#include "_ECGKernels.h"
#include "isa.h"
#include <string.h>

typedef float v16 __attribute__((vector_size(64), aligned(4)));

#define MICRO_KERNEL_BODY                                                                   \
  v16 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};                     \
  v16 c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};                     \
  for (long p = 0; p < kc; p++) {                                                           \
    v16 b0, b1;                                                                             \
    memcpy(&b0, b + p * 32, 64);                                                            \
    memcpy(&b1, b + p * 32 + 16, 64);                                                       \
    const float *ap = a + p * 6;                                                            \
    c00 += ap[0] * b0; c01 += ap[0] * b1;                                                   \
    c10 += ap[1] * b0; c11 += ap[1] * b1;                                                   \
    c20 += ap[2] * b0; c21 += ap[2] * b1;                                                   \
    c30 += ap[3] * b0; c31 += ap[3] * b1;                                                   \
    c40 += ap[4] * b0; c41 += ap[4] * b1;                                                   \
    c50 += ap[5] * b0; c51 += ap[5] * b1;                                                   \
  }                                                                                         \
  v16 tile[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};              \
  if (rows == 6 && cols == 32) {                                                            \
    for (int r = 0; r < 6; r++) {                                                           \
      float *row = c + r * ldc;                                                             \
      v16 lo = tile[2 * r], hi = tile[2 * r + 1];                                           \
      if (accumulate) {                                                                     \
        v16 old0, old1;                                                                     \
        memcpy(&old0, row, 64);                                                             \
        memcpy(&old1, row + 16, 64);                                                        \
        lo += old0;                                                                         \
        hi += old1;                                                                         \
      }                                                                                     \
      memcpy(row, &lo, 64);                                                                 \
      memcpy(row + 16, &hi, 64);                                                            \
    }                                                                                       \
    return;                                                                                 \
  }                                                                                         \
  const float *values = (const float *)tile;                                                \
  for (int r = 0; r < rows; r++) {                                                          \
    for (int j = 0; j < cols; j++) {                                                        \
      float v = values[r * 32 + j];                                                         \
      if (accumulate) c[r * ldc + j] += v; else c[r * ldc + j] = v;                         \
    }                                                                                       \
  }

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// AVX-512: edge tiles (rows < 6 or cols < 32 — every convolution whose output length is not a
// multiple of 32 has one per row panel) are stored with masked vector stores instead of the
// scalar loop of MICRO_KERNEL_BODY.
__attribute__((target("avx512f,fma")))
static void micro_avx512(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                         int cols, int accumulate) {
  if (rows == 6 && cols == 32) {
    MICRO_KERNEL_BODY
  }
  v16 c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};
  v16 c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};
  for (long p = 0; p < kc; p++) {
    v16 b0, b1;
    memcpy(&b0, b + p * 32, 64);
    memcpy(&b1, b + p * 32 + 16, 64);
    const float *ap = a + p * 6;
    c00 += ap[0] * b0; c01 += ap[0] * b1;
    c10 += ap[1] * b0; c11 += ap[1] * b1;
    c20 += ap[2] * b0; c21 += ap[2] * b1;
    c30 += ap[3] * b0; c31 += ap[3] * b1;
    c40 += ap[4] * b0; c41 += ap[4] * b1;
    c50 += ap[5] * b0; c51 += ap[5] * b1;
  }
  v16 tile[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  __mmask16 m0 = cols >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1);
  __mmask16 m1 = cols >= 32 ? (__mmask16)0xFFFF
                 : cols > 16 ? (__mmask16)((1u << (cols - 16)) - 1) : (__mmask16)0;
  for (int r = 0; r < rows; r++) {
    float *row = c + r * ldc;
    __m512 lo = (__m512)tile[2 * r], hi = (__m512)tile[2 * r + 1];
    if (accumulate) {
      lo = _mm512_add_ps(lo, _mm512_maskz_loadu_ps(m0, row));
      hi = _mm512_add_ps(hi, _mm512_maskz_loadu_ps(m1, row + 16));
    }
    _mm512_mask_storeu_ps(row, m0, lo);
    _mm512_mask_storeu_ps(row + 16, m1, hi);
  }
}

// AVX2 + FMA: 16 ymm registers cannot hold a 6 × 32 tile (24 accumulators: the v16 body spilled
// and ran at 20–30 GFLOP/s on a Zen 3 core), so the tile is two 6 × 16 passes over the same
// 32-column B panel (12 accumulators + 2 B vectors + 1 broadcast = 15 registers, BLIS's Haswell
// shape). Each element still sums its products in order with one FMA per product, so the result
// is the same bits as the 6 × 32 body compiled for AVX2 + FMA.
// 6 x 16 tile over a B panel of row stride 32 (the 32-column panels of the packing).
__attribute__((target("avx2,fma"), always_inline)) static inline void
avx2_6x16(long kc, const float *a, const float *b, float *c, long ldc, int rows, int cols,
          int accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (long p = 0; p < kc; p++) {
    __m256 b0 = _mm256_loadu_ps(b + p * 32), b1 = _mm256_loadu_ps(b + p * 32 + 8);
    const float *ap = a + p * 6;
    __m256 x;
#define AVX2_ROW(r)                                                                           \
  x = _mm256_broadcast_ss(ap + r);                                                            \
  c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0);                                                  \
  c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1);
    AVX2_ROW(0) AVX2_ROW(1) AVX2_ROW(2) AVX2_ROW(3) AVX2_ROW(4) AVX2_ROW(5)
#undef AVX2_ROW
  }
  __m256 tile[12] = {c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51};
  if (rows == 6 && cols == 16) {
    for (int r = 0; r < 6; r++) {
      float *row = c + r * ldc;
      __m256 lo = tile[2 * r], hi = tile[2 * r + 1];
      if (accumulate) {
        lo = _mm256_add_ps(lo, _mm256_loadu_ps(row));
        hi = _mm256_add_ps(hi, _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, lo);
      _mm256_storeu_ps(row + 8, hi);
    }
    return;
  }
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lanes);
  __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lanes);
  for (int r = 0; r < rows; r++) {
    float *row = c + r * ldc;
    __m256 lo = tile[2 * r], hi = tile[2 * r + 1];
    if (accumulate) {
      lo = _mm256_add_ps(lo, _mm256_maskload_ps(row, m0));
      hi = _mm256_add_ps(hi, _mm256_maskload_ps(row + 8, m1));
    }
    _mm256_maskstore_ps(row, m0, lo);
    _mm256_maskstore_ps(row + 8, m1, hi);
  }
}

__attribute__((target("avx2,fma"))) static void
micro_avx2(long kc, const float *a, const float *b, float *c, long ldc, int rows, int cols,
               int accumulate) {
  avx2_6x16(kc, a, b, c, ldc, rows, cols < 16 ? cols : 16, accumulate);
  if (cols > 16) avx2_6x16(kc, a, b + 16, c + 16, ldc, rows, cols - 16, accumulate);
}
#endif

static void micro_baseline(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                           int cols, int accumulate) { MICRO_KERNEL_BODY }

void ecg_sgemm_micro_6x32(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                          int cols, int accumulate) {
  switch (ecg_isa_level()) {
#if defined(__x86_64__) || defined(__i386__)
  case ECG_ISA_AVX512: micro_avx512(kc, a, b, c, ldc, rows, cols, accumulate); return;
  case ECG_ISA_AVX2: micro_avx2(kc, a, b, c, ldc, rows, cols, accumulate); return;
#endif
  default: micro_baseline(kc, a, b, c, ldc, rows, cols, accumulate); return;
  }
}

