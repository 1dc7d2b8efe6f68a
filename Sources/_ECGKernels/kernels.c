#include <stdio.h>
#include "_ECGKernels.h"
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

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

__attribute__((target("avx2,fma")))
static void micro_avx2(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                       int cols, int accumulate) { MICRO_KERNEL_BODY }
#endif

static void micro_baseline(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                           int cols, int accumulate) { MICRO_KERNEL_BODY }

typedef void (*micro_fn)(long, const float *, const float *, float *, long, int, int, int);

static micro_fn selected = 0;
static const char *selected_name = "baseline";

static void select_kernel(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    selected_name = "avx512f";
    selected = micro_avx512;
    return;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    selected_name = "avx2+fma";
    selected = micro_avx2;
    return;
  }
#endif
  selected_name = "baseline";
  selected = micro_baseline;
}

void ecg_sgemm_micro_6x32(long kc, const float *a, const float *b, float *c, long ldc, int rows,
                          int cols, int accumulate) {
  micro_fn fn = __atomic_load_n(&selected, __ATOMIC_ACQUIRE);
  if (!fn) {
    select_kernel();
    fn = selected;
  }
  fn(kc, a, b, c, ldc, rows, cols, accumulate);
}

const char *ecg_sgemm_micro_isa(void) {
  if (!__atomic_load_n(&selected, __ATOMIC_ACQUIRE)) select_kernel();
  return selected_name;
}

int ecg_keep_freed_memory(void) {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return 1;
#else
  return 0;
#endif
}

void ecg_line_buffered_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

// Element-wise kernels of the forward/backward passes (ReLU gates, residual sums, LRP's
// stabilised division). In C so that `restrict` lets the compiler vectorise them, cloned for
// AVX-512 / AVX2 / baseline where the toolchain supports function multi-versioning.
#if defined(__x86_64__) && defined(__linux__) && defined(__clang__)
#define ECG_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define ECG_CLONES
#endif

ECG_CLONES void ecg_relu_gate(long n, const float *restrict g, const float *restrict gate,
                              float *restrict out) {
  for (long i = 0; i < n; i++) out[i] = gate[i] > 0 ? g[i] : 0;
}

ECG_CLONES void ecg_add_relu(long n, const float *restrict a, const float *restrict b,
                             float *restrict out) {
  for (long i = 0; i < n; i++) {
    float v = a[i] + b[i];
    out[i] = v > 0 ? v : 0;
  }
}

ECG_CLONES void ecg_relu(long n, const float *restrict x, float *restrict out) {
  for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
}

ECG_CLONES void ecg_stabilised_divide(long n, const float *restrict r, const float *restrict z,
                                      float epsilon, float *restrict out) {
  for (long i = 0; i < n; i++) {
    float zi = z[i];
    out[i] = r[i] / (zi + (zi < 0 ? -epsilon : epsilon));
  }
}

ECG_CLONES void ecg_add(long n, const float *restrict a, const float *restrict b,
                        float *restrict out) {
  for (long i = 0; i < n; i++) out[i] = a[i] + b[i];
}

ECG_CLONES void ecg_subtract(long n, const float *restrict a, const float *restrict b,
                             float *restrict out) {
  for (long i = 0; i < n; i++) out[i] = a[i] - b[i];
}

ECG_CLONES void ecg_multiply(long n, const float *restrict a, const float *restrict b,
                             float *restrict out) {
  for (long i = 0; i < n; i++) out[i] = a[i] * b[i];
}

ECG_CLONES void ecg_accumulate(long n, const float *restrict a, float *restrict out) {
  for (long i = 0; i < n; i++) out[i] += a[i];
}

ECG_CLONES void ecg_multiply_in_place(long n, const float *restrict a, float *restrict out) {
  for (long i = 0; i < n; i++) out[i] *= a[i];
}

// A convolution's epilogue on one output row: x[i] += value, and with `relu` x[i] = max(x[i], 0)
// as Swift's max(v, 0) computes it (0 >= v ? 0 : v, so a NaN stays NaN).
ECG_CLONES void ecg_add_scalar(long n, float value, int relu, float *restrict x) {
  if (relu) {
    for (long i = 0; i < n; i++) {
      float v = x[i] + value;
      x[i] = 0 >= v ? 0 : v;
    }
  } else {
    for (long i = 0; i < n; i++) x[i] += value;
  }
}

// Average pooling without padding over `rows` rows of `length` samples: window `kernel`, step
// `stride`, `outLength` outputs per row; each window summed in order, then divided by its length.
ECG_CLONES void ecg_avg_pool(long rows, long length, long outLength, long kernel, long stride,
                             const float *restrict x, float *restrict y) {
  for (long r = 0; r < rows; r++) {
    const float *xr = x + r * length;
    float *yr = y + r * outLength;
    for (long t = 0; t < outLength; t++) {
      long start = t * stride, end = start + kernel < length ? start + kernel : length;
      float sum = 0;
      for (long j = start; j < end; j++) sum += xr[j];
      yr[t] = sum / (float)(end - start);
    }
  }
}

// The adjoint of ecg_avg_pool: every window's upstream value, divided by the window's length,
// added to the samples it covered (gx is accumulated into, not overwritten).
ECG_CLONES void ecg_avg_pool_backward(long rows, long length, long outLength, long kernel,
                                      long stride, const float *restrict g, float *restrict gx) {
  for (long r = 0; r < rows; r++) {
    const float *gr = g + r * outLength;
    float *xr = gx + r * length;
    for (long t = 0; t < outLength; t++) {
      long start = t * stride, end = start + kernel < length ? start + kernel : length;
      float share = gr[t] / (float)(end - start);
      for (long j = start; j < end; j++) xr[j] += share;
    }
  }
}

// y += a · x in double precision, with the product rounded before the sum (no FMA contraction),
// so the result is the same bits as Swift's `y[i] += a * x[i]` on every instruction set.
ECG_CLONES void ecg_daxpy(long n, double a, const double *restrict x, double *restrict y) {
#pragma clang fp contract(off)
  for (long i = 0; i < n; i++) y[i] += a * x[i];
}

// GEMM packing (see _GEMMKernel.swift). Rows [i0, i0 + mc) × columns [p0, p0 + kc) of op(A)
// into 6-row panels: for each p the 6 values op(A)[i0 + 6r + 0..5, p0 + p], zero past mc.
ECG_CLONES void ecg_pack_a(const float *restrict a, long lda, int transposed, long i0, long mc,
                           long p0, long kc, float *restrict packed) {
  for (long start = 0; start < mc; start += 6) {
    long rows = mc - start < 6 ? mc - start : 6;
    for (long p = 0; p < kc; p++) {
      for (long r = 0; r < 6; r++) {
        long i = i0 + start + r, col = p0 + p;
        packed[r] = r < rows ? (transposed ? a[col * lda + i] : a[i * lda + col]) : 0.0f;
      }
      packed += 6;
    }
  }
}

// Rows [p0, p0 + kc) × columns [j0, j0 + nc) of op(B) into 32-column panels, zero past nc, each
// value multiplied by alpha (alpha = 1 copies).
ECG_CLONES void ecg_pack_b(const float *restrict b, long ldb, int transposed, long p0, long kc,
                           long j0, long nc, float alpha, float *restrict packed) {
  for (long start = 0; start < nc; start += 32) {
    long columns = nc - start < 32 ? nc - start : 32;
    for (long p = 0; p < kc; p++) {
      long row = p0 + p;
      if (!transposed) {
        const float *source = b + row * ldb + j0 + start;
        for (long c = 0; c < columns; c++) packed[c] = source[c];
      } else {
        for (long c = 0; c < columns; c++) packed[c] = b[(j0 + start + c) * ldb + row];
      }
      for (long c = columns; c < 32; c++) packed[c] = 0.0f;
      if (alpha != 1.0f) {
        for (long c = 0; c < 32; c++) packed[c] *= alpha;
      }
      packed += 32;
    }
  }
}

// One im2col row of a strided convolution: row[t] = x[t·stride + offset], 0 outside [0, length).
ECG_CLONES void ecg_strided_row(const float *restrict x, long length, long offset, long stride,
                                long outLength, float *restrict row) {
  for (long t = 0; t < outLength; t++) {
    long position = t * stride + offset;
    row[t] = position >= 0 && position < length ? x[position] : 0.0f;
  }
}
